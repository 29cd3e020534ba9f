import { expect } from "chai";
import { ethers } from "hardhat";
import {
  marketDomain,
  signRunRequest,
  signStandingAuthorization,
  ALL_RECIPE_KINDS,
  RecipeKind,
  encodeProgram,
  op,
  programHash,
  type RunRequest,
} from "@iotdm/contracts-client";
import { increaseTime, latestTimestamp } from "../helpers/chain";
import { expectRevert } from "../helpers/revert";
import { THERMOMETER, appendValues, as, dataFixture, startRun, stepToEnd, type DataFixture } from "./fixture";

/** Issue 15, pay per run: balances, the lock at start, the operator's reimbursement, settlement, cancellation. */
const OPS = [op({ kind: RecipeKind.SUM }), op({ kind: RecipeKind.MAX })];
const GWEI = 10n ** 9n;
const RUN_PRICE = 2n * 10n ** 14n;
const DEPOSIT = 10n ** 17n;

describe("IoTDataMarket: pay per run", () => {
  const fixture = dataFixture(64);

  /** The fixture with a published gas price far above the chain's (so each transaction's own price counts), a run
   * price and the buyer's deposit. */
  async function paidFixture(): Promise<DataFixture> {
    const f = await fixture();
    const { relayer, seller, buyer } = f.actors;
    await (await as(f.market, relayer).setRunGasPrice(100n * GWEI)).wait();
    await (await as(f.market, seller).setRunPrice(f.datasetId, RUN_PRICE)).wait();
    await (await as(f.market, buyer).deposit({ value: DEPOSIT })).wait();
    return f;
  }

  async function signedRequest(f: DataFixture, maxPayment: bigint, nonce = 1n) {
    const request: RunRequest = {
      buyer: f.actors.buyer.address,
      datasetId: f.datasetId,
      programHash: programHash(OPS),
      fromIndex: 0n,
      toIndex: 64n,
      nonce,
      deadline: BigInt(await latestTimestamp()) + 3600n,
      maxPayment,
    };
    const domain = marketDomain({ chainId: (await ethers.provider.getNetwork()).chainId, market: f.address });
    return { request, signature: await signRunRequest({ signer: f.actors.buyer, domain, request }) };
  }

  it("keeps a buyer's balance: deposit, withdraw what is unlocked, refuse more", async () => {
    const f = await paidFixture();
    const { buyer } = f.actors;
    expect(await f.market.balanceOf(buyer.address)).to.equal(DEPOSIT);
    await expectRevert(as(f.market, buyer).withdrawBalance(DEPOSIT + 1n), "InsufficientBalance", [buyer.address, DEPOSIT, DEPOSIT + 1n]);
    await expectRevert(as(f.market, buyer).deposit({ value: 0 }), "InvalidAmount", [0]);
    await (await as(f.market, buyer).withdrawBalance(DEPOSIT / 2n)).wait();
    expect(await f.market.balanceOf(buyer.address)).to.equal(DEPOSIT / 2n);
    await expectRevert(as(f.market, f.actors.stranger).setRunGasPrice(1n), "AccessControlUnauthorizedAccount");
    await expectRevert(as(f.market, f.actors.stranger).setRunPrice(f.datasetId, 1n), "NotDatasetSeller");
  });

  it("locks the quote at a signed start, reimburses each operator transaction at its gas within the quote, pays the seller and refunds the rest", async () => {
    const f = await paidFixture();
    const { relayer, seller, buyer } = f.actors;
    const quote = 10n ** 16n;
    const { request, signature } = await signedRequest(f, quote);
    const sellerBefore = await f.market.pendingWithdrawal(seller.address);
    const start = (await (await as(f.market, relayer).startRunFor(request, encodeProgram(OPS), signature)).wait())!;
    const runId = await f.market.runCount();
    const receipts = [start, ...(await stepToEnd(f, runId, { callers: [relayer] }))];

    const escrow = await f.market.runEscrow(runId);
    const actual = receipts.reduce((sum, r) => sum + r.gasUsed * r.gasPrice, 0n);
    expect(escrow.locked).to.equal(quote);
    expect(escrow.sellerShare).to.equal(RUN_PRICE);
    expect(escrow.closed).to.equal(true);
    // What the operator gets back is its transactions' measured gas, within a few percent of what it paid.
    const ratio = Number(escrow.spent) / Number(actual);
    expect(ratio, `reimbursed ÷ paid = ${ratio.toFixed(3)}`).to.be.within(0.97, 1.1);
    expect(await f.market.pendingWithdrawal(relayer.address)).to.equal(escrow.spent);
    expect(await f.market.pendingWithdrawal(seller.address)).to.equal(sellerBefore + RUN_PRICE);
    expect(await f.market.balanceOf(buyer.address)).to.equal(DEPOSIT - escrow.spent - RUN_PRICE);
  });

  it("never reimburses the operator beyond the quote, and never from the seller's share", async () => {
    const f = await paidFixture();
    const { relayer, seller, buyer } = f.actors;
    // A relayer's allowance far below what its transactions cost.
    const quote = RUN_PRICE + 1000n;
    const { request, signature } = await signedRequest(f, quote);
    const sellerBefore = await f.market.pendingWithdrawal(seller.address);
    await (await as(f.market, relayer).startRunFor(request, encodeProgram(OPS), signature)).wait();
    const runId = await f.market.runCount();
    await stepToEnd(f, runId, { callers: [relayer], sizes: [8] });
    const escrow = await f.market.runEscrow(runId);
    expect(escrow.spent).to.equal(quote - RUN_PRICE);
    expect(await f.market.pendingWithdrawal(seller.address)).to.equal(sellerBefore + RUN_PRICE);
    expect(await f.market.balanceOf(buyer.address)).to.equal(DEPOSIT - quote);
  });

  it("starts no run without its lock, on any path", async () => {
    const f = await paidFixture();
    const { relayer, buyer, otherBuyer } = f.actors;
    // Signed: a quote below the run price, and a quote beyond the balance.
    const below = await signedRequest(f, RUN_PRICE - 1n, 1n);
    await expectRevert(as(f.market, relayer).startRunFor(below.request, encodeProgram(OPS), below.signature), "PaymentBelowRunPrice", [RUN_PRICE - 1n, RUN_PRICE]);
    const beyond = await signedRequest(f, DEPOSIT + 1n, 2n);
    await expectRevert(as(f.market, relayer).startRunFor(beyond.request, encodeProgram(OPS), beyond.signature), "InsufficientBalance", [buyer.address, DEPOSIT, DEPOSIT + 1n]);
    // Direct: the buyer pays its own gas and locks the seller's price; a buyer without a balance cannot start.
    await expectRevert(as(f.market, otherBuyer).startRun(f.datasetId, encodeProgram(OPS), 0, 8), "InsufficientBalance", [otherBuyer.address, 0, RUN_PRICE]);
    expect(await f.market.runCount()).to.equal(0n);
    const runId = await startRun(f, f.datasetId, OPS, 0, 8);
    expect((await f.market.runEscrow(runId)).locked).to.equal(RUN_PRICE);
    expect(await f.market.balanceOf(buyer.address)).to.equal(DEPOSIT - RUN_PRICE);

    // Scheduled: each report locks its own quote; a short balance refuses the report and the schedule can resume.
    const domain = marketDomain({ chainId: (await ethers.provider.getNetwork()).chainId, market: f.address });
    const perRun = (DEPOSIT - RUN_PRICE) / 2n;
    const authorization = {
      buyer: buyer.address,
      datasetId: f.datasetId,
      programHash: programHash(OPS),
      fromIndex: 8n,
      cadence: 1n,
      expiry: BigInt(await latestTimestamp()) + 3600n,
      maxRuns: 5,
      nonce: 9n,
      maxPaymentPerRun: perRun,
    };
    const signature = await signStandingAuthorization({ signer: buyer, domain, authorization });
    const scheduled = (from: number, to: number) => as(f.market, relayer).startScheduledRun(authorization, encodeProgram(OPS), signature, from, to);
    await (await scheduled(8, 16)).wait();
    await (await scheduled(16, 24)).wait();
    await expectRevert(scheduled(24, 32), "InsufficientBalance", [buyer.address, 0, perRun]);
    await (await as(f.market, buyer).deposit({ value: perRun })).wait();
    await (await scheduled(24, 32)).wait();
    expect((await f.market.runEscrow(await f.market.runCount())).locked).to.equal(perRun);
  });

  it("lets the buyer cancel a run past its deadline and refunds what was not spent", async () => {
    const f = await paidFixture();
    const { relayer, buyer, stranger } = f.actors;
    const quote = 10n ** 16n;
    const { request, signature } = await signedRequest(f, quote);
    await (await as(f.market, relayer).startRunFor(request, encodeProgram(OPS), signature)).wait();
    const runId = await f.market.runCount();
    await (await as(f.market, relayer).step(runId, 8)).wait();
    const { spent, deadline } = await f.market.runEscrow(runId);
    await expectRevert(as(f.market, buyer).cancelRun(runId), "RunNotOverdue", [runId, deadline]);
    await increaseTime(3601);
    await expectRevert(as(f.market, stranger).cancelRun(runId), "NotRunBuyer", [runId, stranger.address]);
    await (await as(f.market, buyer).cancelRun(runId)).wait();
    expect(await f.market.balanceOf(buyer.address)).to.equal(DEPOSIT - spent);
    await expectRevert(as(f.market, relayer).step(runId, 8), "RunClosed", [runId]);
    await expectRevert(as(f.market, buyer).cancelRun(runId), "RunClosed", [runId]);
  });

  it("pays out through pull payments that a re-entrant seller or buyer cannot drain", async () => {
    const f = await paidFixture();
    const attacker = await (await ethers.getContractFactory("ReentrantSeller")).deploy(f.address);
    const held = await ethers.provider.getBalance(f.address);
    await (await attacker.deposit({ value: 10n ** 15n })).wait();
    // Its receive re-enters withdraw(): the guard refuses, so the send fails and nothing moves.
    await expectRevert(attacker.withdrawBalance(10n ** 15n) as never, "WithdrawalFailed");
    expect(await f.market.balanceOf(await attacker.getAddress())).to.equal(10n ** 15n);
    expect(await ethers.provider.getBalance(f.address)).to.equal(held + 10n ** 15n);
  });

  it("pays a re-entrant seller's run price and a re-entrant operator's reimbursement only through the guarded pull payment", async () => {
    const f = await paidFixture();
    const { admin, buyer, stranger } = f.actors;
    const attacker = await (await ethers.getContractFactory("ReentrantSeller")).deploy(f.address);
    const attackerAddress = await attacker.getAddress();
    // The attacker sells a dataset with a run price and relays the buyer's run on it as an operator.
    await (await attacker.createDataset({ ...THERMOMETER, pricePerPeriod: 0n })).wait();
    const datasetId = await f.market.datasetCount();
    const asAttacker = (data: string) => attacker.execute(data);
    const market = f.market.interface;
    await (await asAttacker(market.encodeFunctionData("setRunPrice", [datasetId, RUN_PRICE]))).wait();
    await (await asAttacker(market.encodeFunctionData("approveRecipeKinds", [datasetId, ALL_RECIPE_KINDS]))).wait();
    await (await asAttacker(market.encodeFunctionData("registerDevice", [datasetId, f.actors.device.address]))).wait();
    await appendValues(f, datasetId, f.encoded.slice(0, 8));
    await (await as(f.market, buyer).purchaseAccess(datasetId, 1)).wait();
    await (await as(f.market, admin).grantRole(await f.market.OPERATOR_ROLE(), attackerAddress)).wait();
    const quote = 10n ** 16n;
    const request: RunRequest = {
      buyer: buyer.address,
      datasetId,
      programHash: programHash(OPS),
      fromIndex: 0n,
      toIndex: 8n,
      nonce: 77n,
      deadline: BigInt(await latestTimestamp()) + 3600n,
      maxPayment: quote,
    };
    const domain = marketDomain({ chainId: (await ethers.provider.getNetwork()).chainId, market: f.address });
    const signature = await signRunRequest({ signer: buyer, domain, request });
    await (await asAttacker(market.encodeFunctionData("startRunFor", [request, encodeProgram(OPS), signature]))).wait();
    const runId = await f.market.runCount();
    await (await asAttacker(market.encodeFunctionData("step", [runId, 8]))).wait();
    const { spent, closed } = await f.market.runEscrow(runId);
    expect(closed).to.equal(true);
    const owed = spent + RUN_PRICE;
    expect(await f.market.pendingWithdrawal(attackerAddress)).to.equal(owed);

    // Its receive re-enters withdraw(): the guard refuses, so the send fails and nothing moves.
    const held = await ethers.provider.getBalance(f.address);
    await expectRevert(attacker.withdraw(), "WithdrawalFailed", [attackerAddress, owed]);
    expect(await f.market.pendingWithdrawal(attackerAddress)).to.equal(owed);
    expect(await ethers.provider.getBalance(f.address)).to.equal(held);
    // Paid once, exactly what it is owed, to an address that takes ether.
    const before = await ethers.provider.getBalance(stranger.address);
    await (await attacker.withdrawTo(stranger.address)).wait();
    expect(await ethers.provider.getBalance(stranger.address)).to.equal(before + owed);
    await expectRevert(attacker.withdrawTo(stranger.address), "NothingToWithdraw", [attackerAddress]);
  });
});
