import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { ALL_RECIPE_KINDS, RecipeKind, kindMask } from "@iotdm/contracts-client";
import { expectRevert } from "../helpers/revert";
import { THERMOMETER, as, createDataset, deployMarketFixture } from "./fixture";

describe("IoTDataMarket: datasets", () => {
  const fixture = async () => {
    const f = await deployMarketFixture();
    return { ...f, datasetId: await createDataset(f) };
  };

  it("creates a dataset with its metadata, owned by the caller, with nothing approved", async () => {
    const { market, datasetId, actors } = await fixture();
    const info = await market.datasetInfo(datasetId);
    expect(info.seller).to.equal(actors.seller.address);
    expect([info.name, info.field, info.unit]).to.deep.equal([THERMOMETER.name, THERMOMETER.field, THERMOMETER.unit]);
    expect(info.scale).to.equal(2n);
    expect(info.offset).to.equal(-5000n);
    expect(info.pricePerPeriod).to.equal(THERMOMETER.pricePerPeriod);
    expect(info.periodSeconds).to.equal(86_400n);
    expect(info.bucketSize).to.equal(8n);
    expect(info.approvedKinds).to.equal(0n);
    expect(info.paused).to.equal(false);
    expect(info.readingCount).to.equal(0n);
    expect(await market.datasetCount()).to.equal(1n);
  });

  it("emits DatasetCreated with every field", async () => {
    const f = await fixture();
    const receipt = await (await as(f.market, f.actors.seller).createDataset(THERMOMETER)).wait();
    const event = f.market.interface.parseLog(receipt!.logs[0])!;
    expect(event.name).to.equal("DatasetCreated");
    expect(event.args.datasetId).to.equal(2n);
    expect(event.args.seller).to.equal(f.actors.seller.address);
    expect(event.args.field).to.equal("temperature");
    expect(event.args.bucketSize).to.equal(8n);
  });

  it("rejects invalid dataset parameters", async () => {
    const { market, actors } = await fixture();
    const seller = as(market, actors.seller);
    await expectRevert(seller.createDataset({ ...THERMOMETER, name: "" }), "InvalidDatasetName");
    await expectRevert(seller.createDataset({ ...THERMOMETER, scale: 19 }), "InvalidScale", [19]);
    await expectRevert(seller.createDataset({ ...THERMOMETER, periodSeconds: 0 }), "InvalidAccessPeriod", [0]);
    await expectRevert(seller.createDataset({ ...THERMOMETER, bucketSize: 0n }), "InvalidBucketSize", [0]);
  });

  it("lets only the seller change price, bucket size, devices, approvals and pause state", async () => {
    const { market, datasetId, actors } = await fixture();
    const stranger = as(market, actors.stranger);
    const who = [datasetId, actors.stranger.address];
    await expectRevert(stranger.setPrice(datasetId, 1), "NotDatasetSeller", who);
    await expectRevert(stranger.setBucketSize(datasetId, 16), "NotDatasetSeller", who);
    await expectRevert(stranger.pauseDataset(datasetId), "NotDatasetSeller", who);
    await expectRevert(stranger.registerDevice(datasetId, actors.device.address), "NotDatasetSeller", who);
    await expectRevert(stranger.approveRecipeKinds(datasetId, ALL_RECIPE_KINDS), "NotDatasetSeller", who);
    await expectRevert(stranger.revokeRecipeKinds(datasetId, 1), "NotDatasetSeller", who);
    await expectRevert(stranger.setPrice(99, 1), "DatasetNotFound", [99]);
  });

  it("sets the price and emits PriceChanged", async () => {
    const { market, datasetId, actors } = await fixture();
    const receipt = await (await as(market, actors.seller).setPrice(datasetId, 5n)).wait();
    expect(market.interface.parseLog(receipt!.logs[0])!.name).to.equal("PriceChanged");
    expect((await market.datasetInfo(datasetId)).pricePerPeriod).to.equal(5n);
  });

  it("changes k only to a multiple or a divisor of the smallest k it ever had, however the changes are chained", async () => {
    const { market, datasetId, actors } = await fixture();
    const seller = as(market, actors.seller);
    const k = async () => {
      const info = await market.datasetInfo(datasetId);
      return [info.bucketSize, info.minBucketSize];
    };
    await (await seller.setBucketSize(datasetId, 72)).wait();
    expect(await k()).to.deep.equal([72n, 8n]);
    // 8 -> 72 -> 9 would let SUM [0, 9) minus SUM [0, 8) isolate reading 8: 9 is no multiple or divisor of 8.
    await expectRevert(seller.setBucketSize(datasetId, 9), "BucketSizeIncompatible", [8, 9]);
    await (await seller.setBucketSize(datasetId, 24)).wait();
    await (await seller.setBucketSize(datasetId, 4)).wait();
    expect(await k(), "a divisor becomes the smallest").to.deep.equal([4n, 4n]);
    await expectRevert(seller.setBucketSize(datasetId, 6), "BucketSizeIncompatible", [4, 6]);
    await expectRevert(seller.setBucketSize(datasetId, 0), "InvalidBucketSize", [0]);
  });

  it("pauses and unpauses, rejecting a repeated transition", async () => {
    const { market, datasetId, actors } = await fixture();
    const seller = as(market, actors.seller);
    await (await seller.pauseDataset(datasetId)).wait();
    expect((await market.datasetInfo(datasetId)).paused).to.equal(true);
    await expectRevert(seller.pauseDataset(datasetId), "DatasetIsPaused", [datasetId]);
    await (await seller.unpauseDataset(datasetId)).wait();
    await expectRevert(seller.unpauseDataset(datasetId), "DatasetNotPaused", [datasetId]);
  });

  it("registers and revokes devices", async () => {
    const { market, datasetId, actors } = await fixture();
    const seller = as(market, actors.seller);
    const device = actors.device.address;
    await (await seller.registerDevice(datasetId, device)).wait();
    expect(await market.isDevice(datasetId, device)).to.equal(true);
    await expectRevert(seller.registerDevice(datasetId, device), "DeviceAlreadyRegistered", [datasetId, device]);
    await expectRevert(seller.registerDevice(datasetId, ZeroAddress), "InvalidDevice", [ZeroAddress]);
    await (await seller.revokeDevice(datasetId, device)).wait();
    expect(await market.isDevice(datasetId, device)).to.equal(false);
    await expectRevert(seller.revokeDevice(datasetId, device), "DeviceNotRegistered", [datasetId, device]);
  });

  it("approves and revokes recipe kinds as a uint16 mask", async () => {
    const { market, datasetId, actors } = await fixture();
    const seller = as(market, actors.seller);
    await (await seller.approveRecipeKinds(datasetId, kindMask([RecipeKind.SUM, RecipeKind.MEAN]))).wait();
    await (await seller.approveRecipeKinds(datasetId, kindMask([RecipeKind.ALERT]))).wait();
    expect((await market.datasetInfo(datasetId)).approvedKinds).to.equal(0b10_0000_0110n);
    const receipt = await (await seller.revokeRecipeKinds(datasetId, kindMask([RecipeKind.MEAN]))).wait();
    const event = market.interface.parseLog(receipt!.logs[0])!;
    expect([event.name, event.args.approvedKinds]).to.deep.equal(["ApprovedKindsChanged", 0b10_0000_0010n]);
    await expectRevert(seller.approveRecipeKinds(datasetId, 1 << 10), "UnknownRecipeKinds", [1 << 10]);
    await expectRevert(seller.approveRecipeKinds(datasetId, 0), "UnknownRecipeKinds", [0]);
  });
});
