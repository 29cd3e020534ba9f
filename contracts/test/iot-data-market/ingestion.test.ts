import { expect } from "chai";
import { hexlify, keccak256, type Log } from "ethers";
import { fhevm } from "hardhat";
import { FhevmType } from "@fhevm/hardhat-plugin";
import { expectRevert } from "../helpers/revert";
import { latestTimestamp } from "../helpers/chain";
import { appendValues, as, createDataset, deployMarketFixture, encryptBatch } from "./fixture";

describe("IoTDataMarket: encrypted ingestion", () => {
  const fixture = async () => {
    const f = await deployMarketFixture();
    const datasetId = await createDataset(f);
    await (await as(f.market, f.actors.seller).registerDevice(datasetId, f.actors.device.address)).wait();
    return { ...f, datasetId };
  };

  it("appends a batch with one input proof, counts it and stores the last timestamp", async () => {
    const f = await fixture();
    const { handles, inputProof } = await encryptBatch(f.address, f.actors.device.address, [1n, 2n, 3n]);
    const tx = await as(f.market, f.actors.device).appendReadings(f.datasetId, handles, inputProof, [10, 10, 12]);
    const receipt = await tx.wait();
    const event = f.market.interface.parseLog(receipt!.logs.find((log: Log) => log.address === f.address)!)!;
    expect(event.name).to.equal("ReadingsAppended");
    expect(event.args.appender).to.equal(f.actors.device.address);
    expect(event.args.firstIndex).to.equal(0n);
    expect(event.args.timestamps).to.deep.equal([10n, 10n, 12n]);
    const info = await f.market.datasetInfo(f.datasetId);
    expect([info.readingCount, info.lastTimestamp]).to.deep.equal([3n, 12n]);
    expect(await f.market.readingCount(f.datasetId)).to.equal(3n);
  });

  it("accepts the seller as an appender and continues the indices across batches", async () => {
    const f = await fixture();
    await appendValues(f, f.datasetId, [5n, 6n], { signer: f.actors.device });
    const [receipt] = await appendValues(f, f.datasetId, [7n], { signer: f.actors.seller });
    const event = f.market.interface.parseLog(receipt.logs.find((log: Log) => log.address === f.address)!)!;
    expect(event.args.firstIndex).to.equal(2n);
    expect(await f.market.readingCount(f.datasetId)).to.equal(3n);
  });

  it("allows readings to the market only: the device that encrypted them cannot decrypt them", async () => {
    const f = await fixture();
    const { handles, inputProof } = await encryptBatch(f.address, f.actors.device.address, [42n]);
    await (await as(f.market, f.actors.device).appendReadings(f.datasetId, handles, inputProof, [1])).wait();
    let failure: unknown;
    try {
      await fhevm.userDecryptEuint(FhevmType.euint64, hexlify(handles[0]), f.address, f.actors.device);
    } catch (err) {
      failure = err;
    }
    expect(String(failure)).to.match(/not authorized/i);
  });

  it("rejects an append by anyone but a registered device or the seller", async () => {
    const f = await fixture();
    const { stranger } = f.actors;
    const { handles, inputProof } = await encryptBatch(f.address, stranger.address, [1n]);
    await expectRevert(
      as(f.market, stranger).appendReadings(f.datasetId, handles, inputProof, [1]),
      "NotAuthorizedAppender",
      [f.datasetId, stranger.address],
    );
  });

  it("rejects a revoked device", async () => {
    const f = await fixture();
    await (await as(f.market, f.actors.seller).revokeDevice(f.datasetId, f.actors.device.address)).wait();
    await expectRevert(appendValues(f, f.datasetId, [1n]), "NotAuthorizedAppender");
  });

  it("rejects timestamps going backwards, within a batch and across batches", async () => {
    const f = await fixture();
    const device = as(f.market, f.actors.device);
    const first = await encryptBatch(f.address, f.actors.device.address, [1n, 2n]);
    await expectRevert(
      device.appendReadings(f.datasetId, first.handles, first.inputProof, [20, 19]),
      "TimestampOutOfOrder",
      [20, 19],
    );
    await (await device.appendReadings(f.datasetId, first.handles, first.inputProof, [20, 30])).wait();
    const second = await encryptBatch(f.address, f.actors.device.address, [3n]);
    await expectRevert(
      device.appendReadings(f.datasetId, second.handles, second.inputProof, [29]),
      "TimestampOutOfOrder",
      [30, 29],
    );
  });

  it("rejects empty, oversized and mismatched batches", async () => {
    const f = await fixture();
    const device = as(f.market, f.actors.device);
    await expectRevert(device.appendReadings(f.datasetId, [], "0x", []), "InvalidBatchSize", [0, 32]);
    const batch = await encryptBatch(f.address, f.actors.device.address, [1n, 2n]);
    await expectRevert(
      device.appendReadings(f.datasetId, batch.handles, batch.inputProof, [1]),
      "BatchLengthMismatch",
      [2, 1],
    );
    const many = Array.from({ length: 33 }, () => batch.handles[0]);
    await expectRevert(
      device.appendReadings(f.datasetId, many, batch.inputProof, many.map(() => 1)),
      "InvalidBatchSize",
      [33, 32],
    );
  });

  it("rejects appends to a paused dataset", async () => {
    const f = await fixture();
    await (await as(f.market, f.actors.seller).pauseDataset(f.datasetId)).wait();
    await expectRevert(appendValues(f, f.datasetId, [1n]), "DatasetIsPaused", [f.datasetId]);
  });

  it("rejects a proof made for another user", async () => {
    const f = await fixture();
    const forStranger = await encryptBatch(f.address, f.actors.stranger.address, [1n]);
    let failed = false;
    try {
      await (await as(f.market, f.actors.device).appendReadings(f.datasetId, forStranger.handles, forStranger.inputProof, [1])).wait();
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
    expect(await f.market.readingCount(f.datasetId)).to.equal(0n);
  });

  it("refuses a timestamp later than the block's, so no device can freeze the dataset for the others", async () => {
    const f = await fixture();
    const device = as(f.market, f.actors.device);
    const batch = await encryptBatch(f.address, f.actors.device.address, [1n]);
    await expectRevert(device.appendReadings(f.datasetId, batch.handles, batch.inputProof, [2n ** 64n - 1n]), "TimestampInFuture");
    await expectRevert(device.appendReadings(f.datasetId, batch.handles, batch.inputProof, [(await latestTimestamp()) + 3600]), "TimestampInFuture");
    await (await as(f.market, f.actors.seller).revokeDevice(f.datasetId, f.actors.device.address)).wait();
    await appendValues(f, f.datasetId, [2n], { signer: f.actors.seller });
    expect(await f.market.readingCount(f.datasetId)).to.equal(1n);
  });

  it("refuses readings without an input proof: holding a handle does not make it a reading", async () => {
    const f = await fixture();
    const batch = await encryptBatch(f.address, f.actors.device.address, [1n]);
    await expectRevert(as(f.market, f.actors.device).appendReadings(f.datasetId, batch.handles, "0x", [1]), "MissingInputProof");
  });

  it("appends each proof once, and exactly its values in order, so no reading is appended twice", async () => {
    const f = await fixture();
    const device = as(f.market, f.actors.device);
    const { handles, inputProof } = await encryptBatch(f.address, f.actors.device.address, [1n, 2n]);
    await expectRevert(device.appendReadings(f.datasetId, [handles[0]], inputProof, [1]), "InputProofMismatch", [1]);
    await expectRevert(device.appendReadings(f.datasetId, [handles[1], handles[0]], inputProof, [1, 1]), "InputProofMismatch", [0]);
    await expectRevert(device.appendReadings(f.datasetId, [handles[0], handles[0]], inputProof, [1, 1]), "InputProofMismatch", [1]);
    expect(await f.market.isInputProofUsed(keccak256(inputProof))).to.equal(false);
    await (await device.appendReadings(f.datasetId, handles, inputProof, [1, 2])).wait();
    expect(await f.market.isInputProofUsed(keccak256(inputProof))).to.equal(true);
    await expectRevert(device.appendReadings(f.datasetId, handles, inputProof, [3, 4]), "InputProofReused", [keccak256(inputProof)]);
    expect(await f.market.readingCount(f.datasetId)).to.equal(2n);
  });
});
