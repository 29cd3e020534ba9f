import { expect } from "chai";
import { ethers } from "hardhat";
import { ZeroAddress, type Log, type LogDescription } from "ethers";
import { increaseTime, latestTimestamp, setNextTimestamp } from "../helpers/chain";
import { expectRevert } from "../helpers/revert";
import { THERMOMETER, as, createDataset, deployMarketFixture } from "./fixture";

const PRICE = THERMOMETER.pricePerPeriod;
const PERIOD = THERMOMETER.periodSeconds;

describe("IoTDataMarket: access and earnings", () => {
  const fixture = async () => {
    const f = await deployMarketFixture();
    return { ...f, datasetId: await createDataset(f) };
  };

  it("sells periods for exactly the price and extends access from now", async () => {
    const f = await fixture();
    const now = (await latestTimestamp()) + 10;
    await setNextTimestamp(now);
    const receipt = await (await as(f.market, f.actors.buyer).purchaseAccess(f.datasetId, 3, { value: 3n * PRICE })).wait();
    const expiry = BigInt(now + 3 * PERIOD);
    expect(await f.market.accessExpiry(f.datasetId, f.actors.buyer.address)).to.equal(expiry);
    const event = f.market.interface.parseLog(receipt!.logs[0])!;
    expect(event.name).to.equal("AccessPurchased");
    expect([event.args.buyer, event.args.periods, event.args.paid, event.args.expiresAt]).to.deep.equal([
      f.actors.buyer.address,
      3n,
      3n * PRICE,
      expiry,
    ]);
  });

  it("extends unexpired access from its current expiry", async () => {
    const f = await fixture();
    const buyer = as(f.market, f.actors.buyer);
    await (await buyer.purchaseAccess(f.datasetId, 1, { value: PRICE })).wait();
    const first = (await f.market.accessExpiry(f.datasetId, f.actors.buyer.address)) as bigint;
    await increaseTime(PERIOD / 2);
    await (await buyer.purchaseAccess(f.datasetId, 2, { value: 2n * PRICE })).wait();
    expect(await f.market.accessExpiry(f.datasetId, f.actors.buyer.address)).to.equal(first + 2n * BigInt(PERIOD));
  });

  it("extends expired access from now, not from the old expiry", async () => {
    const f = await fixture();
    const buyer = as(f.market, f.actors.buyer);
    await (await buyer.purchaseAccess(f.datasetId, 1, { value: PRICE })).wait();
    await increaseTime(3 * PERIOD);
    const now = (await latestTimestamp()) + 5;
    await setNextTimestamp(now);
    await (await buyer.purchaseAccess(f.datasetId, 1, { value: PRICE })).wait();
    expect(await f.market.accessExpiry(f.datasetId, f.actors.buyer.address)).to.equal(BigInt(now + PERIOD));
  });

  it("rejects underpayment and overpayment with the expected and sent amounts", async () => {
    const f = await fixture();
    const buyer = as(f.market, f.actors.buyer);
    await expectRevert(buyer.purchaseAccess(f.datasetId, 2, { value: PRICE }), "WrongPayment", [2n * PRICE, PRICE]);
    await expectRevert(buyer.purchaseAccess(f.datasetId, 1, { value: PRICE + 1n }), "WrongPayment", [PRICE, PRICE + 1n]);
    await expectRevert(buyer.purchaseAccess(f.datasetId, 0, { value: 0 }), "ZeroPeriods");
    expect(await f.market.accessExpiry(f.datasetId, f.actors.buyer.address)).to.equal(0n);
  });

  it("charges the current price; access already bought is unaffected by a price change", async () => {
    const f = await fixture();
    await (await as(f.market, f.actors.buyer).purchaseAccess(f.datasetId, 1, { value: PRICE })).wait();
    const expiry = await f.market.accessExpiry(f.datasetId, f.actors.buyer.address);
    await (await as(f.market, f.actors.seller).setPrice(f.datasetId, 7n)).wait();
    expect(await f.market.accessExpiry(f.datasetId, f.actors.buyer.address)).to.equal(expiry);
    await expectRevert(as(f.market, f.actors.otherBuyer).purchaseAccess(f.datasetId, 1, { value: PRICE }), "WrongPayment", [7n, PRICE]);
    await (await as(f.market, f.actors.otherBuyer).purchaseAccess(f.datasetId, 1, { value: 7n })).wait();
  });

  it("rejects purchases on a paused or unknown dataset", async () => {
    const f = await fixture();
    await (await as(f.market, f.actors.seller).pauseDataset(f.datasetId)).wait();
    await expectRevert(as(f.market, f.actors.buyer).purchaseAccess(f.datasetId, 1, { value: PRICE }), "DatasetIsPaused", [f.datasetId]);
    await expectRevert(as(f.market, f.actors.buyer).purchaseAccess(7, 1, { value: PRICE }), "DatasetNotFound", [7]);
  });

  it("accrues earnings to the seller, who withdraws them once (pull payment)", async () => {
    const f = await fixture();
    const { seller, buyer, otherBuyer } = f.actors;
    await (await as(f.market, buyer).purchaseAccess(f.datasetId, 2, { value: 2n * PRICE })).wait();
    await (await as(f.market, otherBuyer).purchaseAccess(f.datasetId, 1, { value: PRICE })).wait();
    expect(await f.market.pendingWithdrawal(seller.address)).to.equal(3n * PRICE);

    const before = await ethers.provider.getBalance(seller.address);
    const receipt = (await (await as(f.market, seller).withdraw()).wait())!;
    const after = await ethers.provider.getBalance(seller.address);
    expect(after - before + receipt.gasUsed * receipt.gasPrice).to.equal(3n * PRICE);
    expect(f.market.interface.parseLog(receipt!.logs[0])!.name).to.equal("Withdrawn");
    expect(await f.market.pendingWithdrawal(seller.address)).to.equal(0n);
    await expectRevert(as(f.market, seller).withdraw(), "NothingToWithdraw", [seller.address]);
  });

  it("is re-entrancy safe: a seller re-entering withdraw from its receive hook gets nothing twice", async () => {
    const f = await fixture();
    const attacker = await (await ethers.getContractFactory("ReentrantSeller")).deploy(f.address);
    await (await attacker.createDataset(THERMOMETER)).wait();
    const attackerDataset = (await f.market.datasetCount()) as bigint;
    await (await as(f.market, f.actors.buyer).purchaseAccess(attackerDataset, 1, { value: PRICE })).wait();
    await expectRevert(attacker.withdraw(), "WithdrawalFailed", [await attacker.getAddress(), PRICE]);
    expect(await f.market.pendingWithdrawal(await attacker.getAddress())).to.equal(PRICE);
    expect(await ethers.provider.getBalance(f.address)).to.equal(PRICE);
  });

  it("pays a seller contract that cannot receive ether to another address (withdrawTo)", async () => {
    const f = await fixture();
    const seller = await (await ethers.getContractFactory("ReentrantSeller")).deploy(f.address);
    const sellerAddress = await seller.getAddress();
    await (await seller.createDataset(THERMOMETER)).wait();
    await (await as(f.market, f.actors.buyer).purchaseAccess(await f.market.datasetCount(), 1, { value: PRICE })).wait();
    await expectRevert(seller.withdraw(), "WithdrawalFailed", [sellerAddress, PRICE]);

    const to = f.actors.stranger.address;
    const before = await ethers.provider.getBalance(to);
    const receipt = await (await seller.withdrawTo(to)).wait();
    const withdrawn = receipt!.logs.map((log: Log) => f.market.interface.parseLog(log)).find((e: LogDescription | null) => e?.name === "Withdrawn")!;
    expect([withdrawn.args.account, withdrawn.args.to, withdrawn.args.amount]).to.deep.equal([sellerAddress, to, PRICE]);
    expect(await ethers.provider.getBalance(to)).to.equal(before + PRICE);
    expect(await f.market.pendingWithdrawal(sellerAddress)).to.equal(0n);
    await expectRevert(as(f.market, f.actors.seller).withdrawTo(ZeroAddress), "InvalidRecipient", [ZeroAddress]);
  });
});
