import { expect } from "chai";
import { Wallet, type Contract, type HDNodeWallet, type LogDescription } from "ethers";
import { ethers } from "hardhat";
import {
  checkRunRequestSignature,
  encodeProgram,
  marketDomain,
  op,
  programHash,
  RecipeKind,
  runRequestDigest,
  signRunRequest,
  type RunRequest,
} from "@iotdm/contracts-client";
import { deployContractWallet } from "@iotdm/contracts-client/deploy";
import { latestTimestamp } from "../helpers/chain";
import { expectRevert } from "../helpers/revert";
import { as, dataFixture, type DataFixture } from "../iot-data-market/fixture";

const OPS = [op({ kind: RecipeKind.SUM })];

/**
 * The contracts client's signature rule is the market's: whatever `checkRunRequestSignature` accepts,
 * `startRunFor` accepts, for an EOA buyer and for a contract wallet (ERC-1271) alike, and what it
 * refuses, the market refuses.
 */
describe("contracts client: who signed a request", () => {
  const fixture = dataFixture(16);

  async function requestOf(f: DataFixture, buyer: string, nonce: bigint): Promise<RunRequest> {
    return {
      buyer,
      datasetId: f.datasetId,
      programHash: programHash(OPS),
      fromIndex: 0n,
      toIndex: 8n,
      nonce,
      deadline: BigInt(await latestTimestamp()) + 3600n,
      maxPayment: 0n,
    };
  }

  async function domainOf(f: DataFixture) {
    return marketDomain({ chainId: (await ethers.provider.getNetwork()).chainId, market: f.address });
  }

  /** A contract wallet owned by a fresh key, holding access to the fixture's dataset. */
  async function contractWalletBuyer(f: DataFixture): Promise<{ wallet: Contract; address: string; owner: HDNodeWallet }> {
    const owner = Wallet.createRandom().connect(ethers.provider);
    await (await f.actors.admin.sendTransaction({ to: owner.address, value: ethers.parseEther("1") })).wait();
    const wallet = await deployContractWallet({ signer: f.actors.admin, owner: owner.address });
    const address = await wallet.getAddress();
    const price = (await f.market.datasetInfo(f.datasetId)).pricePerPeriod as bigint;
    const purchase = f.market.interface.encodeFunctionData("purchaseAccess", [f.datasetId, 1]);
    await (await (wallet.connect(owner) as Contract).getFunction("execute")(f.address, price, purchase, { value: price })).wait();
    return { wallet, address, owner };
  }

  it("accepts an EOA buyer's signature, as the market does", async () => {
    const f = await fixture();
    const domain = await domainOf(f);
    const request = await requestOf(f, f.actors.buyer.address, 1n);
    const signature = await signRunRequest({ signer: f.actors.buyer, domain, request });
    expect(await checkRunRequestSignature({ provider: ethers.provider, domain, request, signature })).to.deep.equal({ ok: true });
    await (await as(f.market, f.actors.relayer).startRunFor(request, encodeProgram(OPS), signature)).wait();
  });

  it("refuses someone else's signature with both addresses, and a malformed one, as the market does", async () => {
    const f = await fixture();
    const domain = await domainOf(f);
    const request = await requestOf(f, f.actors.buyer.address, 2n);
    const signature = await signRunRequest({ signer: f.actors.otherBuyer, domain, request });
    expect(await checkRunRequestSignature({ provider: ethers.provider, domain, request, signature })).to.deep.equal({
      ok: false,
      reason: `the run request was not signed by the buyer ${f.actors.buyer.address} (signer ${f.actors.otherBuyer.address})`,
    });
    await expectRevert(as(f.market, f.actors.relayer).startRunFor(request, encodeProgram(OPS), signature), "InvalidSignature", [f.actors.buyer.address]);
    expect(await checkRunRequestSignature({ provider: ethers.provider, domain, request, signature: "0x1234" })).to.deep.equal({
      ok: false,
      reason: "the run request signature is malformed (expected a 65-byte ECDSA signature)",
    });
  });

  it("accepts a contract wallet's signature under ERC-1271, as the market does", async () => {
    const f = await fixture();
    const domain = await domainOf(f);
    const { address, owner } = await contractWalletBuyer(f);
    const request = await requestOf(f, address, 3n);
    const signature = owner.signingKey.sign(runRequestDigest(domain, request)).serialized;
    expect(await checkRunRequestSignature({ provider: ethers.provider, domain, request, signature })).to.deep.equal({ ok: true });
    const receipt = await (await as(f.market, f.actors.relayer).startRunFor(request, encodeProgram(OPS), signature)).wait();
    const started = receipt!.logs.map((log) => f.market.interface.parseLog(log)).find((log: LogDescription | null) => log?.name === "RunStarted");
    expect(started!.args.buyer).to.equal(address);
  });

  it("refuses what a contract wallet does not accept, as the market does", async () => {
    const f = await fixture();
    const domain = await domainOf(f);
    const { address } = await contractWalletBuyer(f);
    const request = await requestOf(f, address, 4n);
    const signature = Wallet.createRandom().signingKey.sign(runRequestDigest(domain, request)).serialized;
    const check = await checkRunRequestSignature({ provider: ethers.provider, domain, request, signature });
    expect(check.ok).to.equal(false);
    expect(check.ok ? "" : check.reason).to.match(/does not accept the signature under ERC-1271/);
    await expectRevert(as(f.market, f.actors.relayer).startRunFor(request, encodeProgram(OPS), signature), "InvalidSignature", [address]);
  });
});
