/**
 * `appendGasLimit` (contracts client): the gas limit a sender that skips the estimate (the gateway, the demo seed,
 * the worker's fixture) gives `appendReadings`. Every append below is sent with it, at the largest batch the HCU
 * limit allows for its rollups, over enough readings that batches complete min/max tree nodes three levels up, on
 * an exact and on a private (clamping) dataset, with the smallest rollup block (2: the most block nodes per
 * reading) and a large one (32). Each must fit its limit. Without a MIN/MAX tree every batch is as costly as the
 * worst, so the limit must also stay within 1.5x of what it used: derived from these figures, not a blanket
 * allowance (with a tree, the limit also covers nodes completed at 10 levels, where these complete at most 3).
 */
import { expect } from "chai";
import { ALL_RECIPE_KINDS, appendGasLimit, PrivacyMode, type PrivacyParams } from "@iotdm/contracts-client";
import { HCU_PRICES } from "@iotdm/recipes/cost-model";
import { ALL_ROLLUPS, ROLLUP, largestIngestionBatch } from "@iotdm/recipes/rollup-model";
import { THERMOMETER, as, createDataset, deployMarketFixture, encryptBatch, type MarketFixture } from "./fixture";

const PRIVATE: PrivacyParams = { mode: PrivacyMode.PRIVATE, lowerBound: 4000n, upperBound: 8000n, budget: 3000, minEpsilon: 100, maxEpsilon: 2000 };
/** A private dataset clamps each reading (FHE.max, then FHE.min) before it is stored and rolled up. */
const CLAMP_HCU = HCU_PRICES.maxEuint64 + HCU_PRICES.minEuint64;

async function appendAll(f: MarketFixture, datasetId: bigint, total: number, batch: number, gasLimit: bigint) {
  const used: bigint[] = [];
  let timestamp = 1_700_000_000;
  for (let first = 0; first < total; first += batch) {
    const n = Math.min(batch, total - first);
    const { handles, inputProof } = await encryptBatch(f.address, f.actors.device.address, Array.from({ length: n }, (_, i) => BigInt(5000 + ((first + i) % 97))));
    const stamps = handles.map(() => (timestamp += 60));
    const receipt = await (await as(f.market, f.actors.device).appendReadings(datasetId, handles, inputProof, stamps, { gasLimit })).wait();
    expect(receipt!.status).to.equal(1);
    if (n === batch) used.push(receipt!.gasUsed);
  }
  return used;
}

describe("appendGasLimit", function () {
  this.timeout(600_000);

  const cases = [
    { rollups: 0, blockSize: 2, privacy: THERMOMETER.privacy },
    { rollups: ROLLUP.SUM, blockSize: 2, privacy: THERMOMETER.privacy },
    { rollups: ROLLUP.SUM | ROLLUP.SQUARES, blockSize: 2, privacy: THERMOMETER.privacy },
    { rollups: ROLLUP.SUM | ROLLUP.MIN, blockSize: 2, privacy: THERMOMETER.privacy },
    { rollups: ROLLUP.SUM | ROLLUP.MAX, blockSize: 2, privacy: THERMOMETER.privacy },
    { rollups: ALL_ROLLUPS, blockSize: 2, privacy: THERMOMETER.privacy },
    { rollups: ALL_ROLLUPS, blockSize: 32, privacy: THERMOMETER.privacy },
    { rollups: ALL_ROLLUPS, blockSize: 2, privacy: PRIVATE },
    { rollups: ROLLUP.SUM, blockSize: 32, privacy: PRIVATE },
  ];
  for (const { rollups, blockSize, privacy } of cases) {
    const mode = privacy.mode === PrivacyMode.PRIVATE ? "a private" : "an exact";
    it(`covers an append with rollups ${rollups} over blocks of ${blockSize} on ${mode} dataset at the largest batch`, async () => {
      const f = await deployMarketFixture();
      const datasetId = await createDataset(f, { ...THERMOMETER, bucketSize: BigInt(blockSize), rollups, privacy });
      await (await as(f.market, f.actors.seller).registerDevice(datasetId, f.actors.device.address)).wait();
      await (await as(f.market, f.actors.seller).approveRecipeKinds(datasetId, ALL_RECIPE_KINDS)).wait();
      const overhead = privacy.mode === PrivacyMode.PRIVATE ? CLAMP_HCU : 0;
      const batch = rollups === 0 ? 32 : largestIngestionBatch(rollups, blockSize, 1_000_000, overhead);
      const limit = appendGasLimit(batch, privacy, rollups);
      // Three tree levels above the blocks of 2, two above blocks of 32: batches that complete nodes at each.
      const used = await appendAll(f, datasetId, blockSize * 4 ** (blockSize <= 2 ? 3 : 2) + batch, batch, limit);
      const most = used.reduce((a, b) => (b > a ? b : a));
      expect(most <= limit, `${most} gas used, limit ${limit}`).to.equal(true);
      if ((rollups & (ROLLUP.MIN | ROLLUP.MAX)) === 0) expect(Number(limit) / Number(most)).to.be.lessThan(1.5);
    });
  }
});
