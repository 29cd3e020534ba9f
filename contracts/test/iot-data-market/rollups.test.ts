/**
 * Encrypted rollups (issue 13): what a dataset keeps at ingestion, runs that combine it instead of the readings,
 * and the exact HCU of both against the mock (`fhevm.computeTransactionHCU`, the HCULimit price table).
 */
import { expect } from "chai";
import { fhevm } from "hardhat";
import type { ContractTransactionReceipt } from "ethers";
import { ALL_RECIPE_KINDS, Comparator, PrivacyMode, RecipeKind, op, type Op, type PrivacyParams } from "@iotdm/contracts-client";
import {
  ALL_ROLLUPS,
  ROLLUP,
  ingestionHcu,
  planRolledUpSteps,
  rollupNodeCount,
  rolledUpStepHcu,
} from "@iotdm/recipes/rollup-model";
import { expectRevert } from "../helpers/revert";
import {
  THERMOMETER,
  appendValues,
  as,
  createDataset,
  decryptResults,
  deployMarketFixture,
  noiseToEnd,
  purchase,
  randomTemperatures,
  startRun,
  type MarketFixture,
} from "./fixture";
import { encode } from "../helpers/stats";

const K = 4;
/** Batch sizes that start and end batches at every offset of a 4-reading block (all rollups fit 7 readings). */
const BATCHES = [7, 3, 5, 1, 6, 2, 4];
const hcuOf = (receipt: ContractTransactionReceipt) => BigInt(fhevm.computeTransactionHCU(receipt).globalHCU);

interface RollupFixture extends MarketFixture {
  datasetId: bigint;
  values: bigint[];
  ingestion: { first: number; n: number; hcu: bigint }[];
}

async function rollupFixture(count: number, rollups = ALL_ROLLUPS, privacy?: PrivacyParams): Promise<RollupFixture> {
  const f = await deployMarketFixture();
  const { seller, device, buyer } = f.actors;
  const params = { ...THERMOMETER, bucketSize: BigInt(K), rollups, ...(privacy ? { privacy } : {}) };
  const datasetId = await createDataset(f, params);
  await (await as(f.market, seller).registerDevice(datasetId, device.address)).wait();
  await (await as(f.market, seller).approveRecipeKinds(datasetId, ALL_RECIPE_KINDS)).wait();
  const values = randomTemperatures(count, 7).map((t) => encode(t, THERMOMETER));
  const ingestion: RollupFixture["ingestion"] = [];
  for (let first = 0, b = 0; first < count; b++) {
    const n = Math.min(BATCHES[b % BATCHES.length], count - first);
    const [receipt] = await appendValues(f, datasetId, values.slice(first, first + n));
    ingestion.push({ first, n, hcu: hcuOf(receipt) });
    first += n;
  }
  await purchase(f, datasetId, buyer);
  return { ...f, datasetId, values, ingestion };
}

/** Steps a rolled-up run as the planner does and returns each step's receipt. */
async function stepPlanned(f: MarketFixture, runId: bigint, ops: readonly Op[], from: number, to: number) {
  const receipts: ContractTransactionReceipt[] = [];
  for (const step of planRolledUpSteps(ops, K, from, to)) {
    receipts.push((await (await as(f.market, f.actors.buyer).step(runId, step.size)).wait())!);
  }
  return receipts;
}

function expected(values: readonly bigint[], from: number, to: number) {
  const window = values.slice(from, to);
  const sum = window.reduce((a, b) => a + b, 0n);
  const squares = window.reduce((a, b) => a + b * b, 0n);
  const min = window.reduce((a, b) => (b < a ? b : a));
  const max = window.reduce((a, b) => (b > a ? b : a));
  return { sum, squares, min, max, count: BigInt(window.length) };
}

const EVERY_ROLLED_UP_KIND: Op[] = [
  op({ kind: RecipeKind.COUNT }),
  op({ kind: RecipeKind.SUM }),
  op({ kind: RecipeKind.MEAN }),
  op({ kind: RecipeKind.MIN }),
  op({ kind: RecipeKind.MAX }),
  op({ kind: RecipeKind.VARIANCE }),
];

describe("IoTDataMarket: rollups", () => {
  describe("choice at creation", () => {
    it("stores the seller's rollups and block size, says so in RollupsChosen, and refuses masks without SUM", async () => {
      const f = await deployMarketFixture();
      const seller = as(f.market, f.actors.seller);
      const receipt = (await (await seller.createDataset({ ...THERMOMETER, rollups: ROLLUP.SUM | ROLLUP.MIN })).wait())!;
      const event = receipt.logs.map((log) => f.market.interface.parseLog(log)).find((e) => e?.name === "RollupsChosen")!;
      expect([event.args.datasetId, event.args.rollups, event.args.blockSize]).to.deep.equal([1n, 5n, 8n]);
      const info = await f.market.datasetInfo(1n);
      expect([info.rollups, info.rollupBlockSize]).to.deep.equal([5n, 8n]);

      // k = 1 keeps blocks of 2: one-reading blocks would chain a batch's prefixes past the depth limit.
      await (await seller.createDataset({ ...THERMOMETER, bucketSize: 1n, rollups: ROLLUP.SUM })).wait();
      expect((await f.market.datasetInfo(2n)).rollupBlockSize).to.equal(2n);
      await (await seller.createDataset(THERMOMETER)).wait();
      expect([(await f.market.datasetInfo(3n)).rollups, (await f.market.datasetInfo(3n)).rollupBlockSize]).to.deep.equal([0n, 0n]);

      await expectRevert(seller.createDataset({ ...THERMOMETER, rollups: ROLLUP.MIN }), "InvalidRollups", [ROLLUP.MIN]);
      await expectRevert(seller.createDataset({ ...THERMOMETER, rollups: 16 }), "InvalidRollups", [16]);
    });
  });

  describe("every rollup, k = 4, batches at every offset of a block", () => {
    const COUNT = 4 * 4 * 4 * 2 + 12; // 140: two level-2 nodes of the trees, and blocks after them
    let f: RollupFixture;
    before(async () => {
      f = await rollupFixture(COUNT);
    });

    it("costs exactly the ingestion HCU the model predicts, batch by batch", () => {
      for (const { first, n, hcu } of f.ingestion) {
        expect(hcu, `batch of ${n} at ${first}`).to.equal(BigInt(ingestionHcu(ALL_ROLLUPS, K, first, n)));
      }
    });

    for (const [from, to] of [
      [0, 140],
      [4, 132],
      [60, 64],
      [12, 80],
    ] as const) {
      it(`computes COUNT, SUM, MEAN, MIN, MAX and VARIANCE over [${from}, ${to}) from the rollups in one step, at the predicted HCU`, async () => {
        const runId = await startRun(f, f.datasetId, EVERY_ROLLED_UP_KIND, from, to);
        expect((await f.market.runInfo(runId)).rolledUp).to.equal(true);
        const receipts = await stepPlanned(f, runId, EVERY_ROLLED_UP_KIND, from, to);
        expect(receipts.length).to.equal(1);
        expect(hcuOf(receipts[0])).to.equal(BigInt(rolledUpStepHcu(EVERY_ROLLED_UP_KIND, from / K, to / K, true)));
        const [count, sum, mean, min, max, varianceSum, squares] = await decryptResults(f, runId, EVERY_ROLLED_UP_KIND, f.actors.buyer);
        const e = expected(f.values, from, to);
        expect([count, sum, mean, min, max, varianceSum, squares]).to.deep.equal([e.count, e.sum, e.sum, e.min, e.max, e.sum, e.squares]);
      });
    }

    it("splits a MIN/MAX window whose nodes exceed one transaction into planned steps, and refuses a step too large", async () => {
      // Four MIN and four MAX: 1.748M HCU a node; blocks [1, 31) are 12 nodes, 21M HCU in one step.
      const ops = [...Array(4).fill(op({ kind: RecipeKind.MIN })), ...Array(4).fill(op({ kind: RecipeKind.MAX }))] as Op[];
      const [from, to] = [4, 124];
      expect(rollupNodeCount(1, 31)).to.equal(12);
      const runId = await startRun(f, f.datasetId, ops, from, to);
      const hcu = rolledUpStepHcu(ops, 1, 31, true);
      await expectRevert(as(f.market, f.actors.buyer).step(runId, to - from), "RollupStepTooLarge", [to - from, hcu, 20_000_000]);
      await expectRevert(as(f.market, f.actors.buyer).step(runId, 6), "RollupStepNotAligned", [6, K]);
      const plan = planRolledUpSteps(ops, K, from, to);
      expect(plan.length).to.equal(2);
      const receipts = await stepPlanned(f, runId, ops, from, to);
      let a = from / K;
      for (const [i, receipt] of receipts.entries()) {
        const b = a + plan[i].size / K;
        expect(hcuOf(receipt)).to.equal(BigInt(rolledUpStepHcu(ops, a, b, plan[i].finalizes)));
        a = b;
      }
      const results = (await decryptResults(f, runId, ops, f.actors.buyer)) as bigint[];
      const e = expected(f.values, from, to);
      expect(results).to.deep.equal([e.min, e.min, e.min, e.min, e.max, e.max, e.max, e.max]);
    });

    it("reads every reading as before for kinds without a rollup and windows not aligned to the blocks", async () => {
      const countIf = [op({ kind: RecipeKind.SUM }), op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GT, a: 5000 })];
      const perReading = await startRun(f, f.datasetId, countIf, 8, 40);
      expect((await f.market.runInfo(perReading)).rolledUp).to.equal(false);
      await (await as(f.market, f.actors.buyer).step(perReading, 32)).wait();
      const [sum, above] = (await decryptResults(f, perReading, countIf, f.actors.buyer)) as bigint[];
      expect(sum).to.equal(expected(f.values, 8, 40).sum);
      expect(above).to.equal(BigInt(f.values.slice(8, 40).filter((v) => v > 5000n).length));

      // k = 2 now: a window from reading 2 is aligned to k but not to the 4-reading blocks.
      await (await as(f.market, f.actors.seller).setBucketSize(f.datasetId, 2)).wait();
      const sumOnly = [op({ kind: RecipeKind.SUM })];
      const unaligned = await startRun(f, f.datasetId, sumOnly, 2, 10);
      expect((await f.market.runInfo(unaligned)).rolledUp).to.equal(false);
      await (await as(f.market, f.actors.buyer).step(unaligned, 8)).wait();
      expect((await decryptResults(f, unaligned, sumOnly, f.actors.buyer))[0]).to.equal(expected(f.values, 2, 10).sum);
      await (await as(f.market, f.actors.seller).setBucketSize(f.datasetId, K)).wait();
    });
  });

  describe("sum rollup only", () => {
    it("serves SUM and MEAN, not MIN, MAX or VARIANCE; ingestion costs one add a reading", async () => {
      const f = await rollupFixture(40, ROLLUP.SUM);
      for (const { first, n, hcu } of f.ingestion) expect(hcu).to.equal(BigInt(ingestionHcu(ROLLUP.SUM, K, first, n)));
      const mean = [op({ kind: RecipeKind.MEAN })];
      expect((await f.market.runInfo(await startRun(f, f.datasetId, mean, 0, 40))).rolledUp).to.equal(true);
      for (const kind of [RecipeKind.MIN, RecipeKind.MAX, RecipeKind.VARIANCE]) {
        const runId = await startRun(f, f.datasetId, [op({ kind })], 0, 40);
        expect((await f.market.runInfo(runId)).rolledUp, RecipeKind[kind]).to.equal(false);
      }
    });
  });

  describe("private dataset", () => {
    it("rolls up clamped readings and adds the noise to the combined result as before", async () => {
      const privacy: PrivacyParams = {
        mode: PrivacyMode.PRIVATE,
        lowerBound: 4000n,
        upperBound: 8000n,
        budget: 3000,
        minEpsilon: 100,
        maxEpsilon: 3000,
      };
      const f = await rollupFixture(32, ROLLUP.SUM | ROLLUP.SQUARES, privacy);
      const clamped = f.values.map((v) => (v < 4000n ? 4000n : v > 8000n ? 8000n : v));
      const ops = [op({ kind: RecipeKind.SUM, epsilon: 3000 })];
      const runId = await startRun(f, f.datasetId, ops, 0, 32);
      expect((await f.market.runInfo(runId)).rolledUp).to.equal(true);
      await stepPlanned(f, runId, ops, 0, 32);
      await noiseToEnd(f, runId);
      const [noisySum] = (await decryptResults(f, runId, ops, f.actors.buyer)) as bigint[];
      const sum = clamped.reduce((a, b) => a + b, 0n);
      // ε 3 over Δ = 4,000: the noise's scale is ~1,333; |noise| < 20,000 with probability 1 - 6e-7.
      expect(Number(noisySum - sum)).to.be.within(-20_000, 20_000);
      expect(sum).to.not.equal(f.values.reduce((a, b) => a + b, 0n), "the fixture has readings outside the range");
    });
  });
});
