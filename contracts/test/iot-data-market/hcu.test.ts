/**
 * HCU tests. The per-transaction HCU of a step is measured with the plugin's `fhevm.computeTransactionHCU(receipt)`,
 * which replays the coprocessor events of the receipt through the HCU price table of @fhevm/host-contracts'
 * HCULimit.sol (the same prices, the same depth rule). The on-chain HCULimit contract of the mock enforces the
 * limits independently: the harness below shows it accepts a step of `maxStepSize` readings and reverts one reading
 * more, so the formula, the event-based measure and the chain agree.
 */
import { expect } from "chai";
import { ethers, fhevm } from "hardhat";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Contract, ContractTransactionReceipt } from "ethers";
import { Comparator, RecipeKind, encodeProgram, op, type Op } from "@iotdm/contracts-client";
import { expectRevert } from "../helpers/revert";
import {
  THERMOMETER,
  appendValues,
  as,
  createDataset,
  deployMarketFixture,
  encryptBatch,
  purchase,
  randomTemperatures,
  type MarketFixture,
} from "./fixture";
import { encode } from "../helpers/stats";
import { deployMarket } from "@iotdm/contracts-client/deploy";

const HCU_LIMIT = 20_000_000n;
const DEPTH_LIMIT = 5_000_000n;
const READINGS = 288;
const SNAPSHOT = path.join(__dirname, "hcu-snapshot.json");

const t = (celsius: number) => encode(celsius, THERMOMETER);

/** One program per kind (and every comparator at least once), plus a mixed program. */
export const HCU_CASES: { name: string; ops: Op[] }[] = [
  { name: "COUNT", ops: [op({ kind: RecipeKind.COUNT })] },
  { name: "SUM", ops: [op({ kind: RecipeKind.SUM })] },
  { name: "MEAN", ops: [op({ kind: RecipeKind.MEAN })] },
  { name: "MIN", ops: [op({ kind: RecipeKind.MIN })] },
  { name: "MAX", ops: [op({ kind: RecipeKind.MAX })] },
  { name: "COUNT_IF GT", ops: [op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GT, a: t(20) })] },
  { name: "COUNT_IF BETWEEN", ops: [op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.BETWEEN, a: t(0), b: t(20) })] },
  { name: "SUM_IF LE", ops: [op({ kind: RecipeKind.SUM_IF, cmp: Comparator.LE, a: t(10) })] },
  { name: "HISTOGRAM 4 bounds", ops: [op({ kind: RecipeKind.HISTOGRAM, bounds: [t(0), t(10), t(20), t(30)] })] },
  { name: "VARIANCE", ops: [op({ kind: RecipeKind.VARIANCE })] },
  { name: "ALERT GE", ops: [op({ kind: RecipeKind.ALERT, cmp: Comparator.GE, a: t(40) })] },
  { name: "ALERT LT", ops: [op({ kind: RecipeKind.ALERT, cmp: Comparator.LT, a: t(-10) })] },
  {
    name: "mixed (COUNT, MEAN, MAX, COUNT_IF GE, HISTOGRAM 2)",
    ops: [
      op({ kind: RecipeKind.COUNT }),
      op({ kind: RecipeKind.MEAN }),
      op({ kind: RecipeKind.MAX }),
      op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GE, a: t(25) }),
      op({ kind: RecipeKind.HISTOGRAM, bounds: [t(5), t(25)] }),
    ],
  },
];

interface HcuFixture extends MarketFixture {
  datasetId: bigint;
  harness: Contract;
}

/** A market (k = 1) and a harness, each holding the same 288 random readings. */
async function hcuFixture(): Promise<HcuFixture> {
  const f = await deployMarketFixture();
  const datasetId = await createDataset(f, { ...THERMOMETER, bucketSize: 1n });
  await (await as(f.market, f.actors.seller).approveRecipeKinds(datasetId, 0x3ff)).wait();
  const values = randomTemperatures(READINGS, 7).map(t);
  await appendValues(f, datasetId, values, { signer: f.actors.seller });
  await purchase(f, datasetId, f.actors.buyer);

  const { libraries } = await deployMarket({ signer: f.actors.admin });
  const factory = await ethers.getContractFactory("RecipeEngineHarness", { libraries: { RecipeEngine: libraries.RecipeEngine } });
  const harness = (await factory.deploy()) as unknown as Contract;
  const harnessAddress = await harness.getAddress();
  for (let i = 0; i < 160; i += 32) {
    const { handles, inputProof } = await encryptBatch(harnessAddress, f.actors.admin.address, values.slice(i, i + 32));
    await (await harness.append(handles, inputProof)).wait();
  }
  return { ...f, datasetId, harness };
}

function measure(receipt: ContractTransactionReceipt | null) {
  const { globalHCU, maxHCUDepth } = fhevm.computeTransactionHCU(receipt!);
  return { hcu: BigInt(globalHCU), depth: BigInt(maxHCUDepth) };
}

describe("IoTDataMarket: HCU", function () {
  let f: HcuFixture;
  const snapshot: Record<string, { maxStep: string; maxFinalStep: string; fullStepHcu: string; share: string; depth: string }> = {};

  before(async () => {
    f = await hcuFixture();
  });

  after(() => {
    const rendered = JSON.stringify(snapshot, null, 2) + "\n";
    if (process.env.UPDATE_HCU_SNAPSHOT === "1" || !existsSync(SNAPSHOT)) writeFileSync(SNAPSHOT, rendered);
  });

  for (const { name, ops } of HCU_CASES) {
    describe(name, () => {
      const program = encodeProgram(ops);
      let maxStep: bigint;
      let maxFinalStep: bigint;
      const unbounded = ops.every((o) => o.kind === RecipeKind.COUNT);

      before(async () => {
        maxStep = await f.market.maxStepSize(program, false);
        maxFinalStep = await f.market.maxStepSize(program, true);
      });

      it("stepHcu equals the HCU the mock measures, for a full step and a full final step", async () => {
        const buyer = as(f.market, f.actors.buyer);
        const first = unbounded ? 100n : maxStep;
        const last = unbounded ? 100n : maxFinalStep;
        await (await buyer.startRun(f.datasetId, program, 0, first + last)).wait();
        const runId = (await f.market.runCount()) as bigint;

        const full = measure(await (await buyer.step(runId, first)).wait());
        expect(full.hcu).to.equal(await f.market.stepHcu(program, first, false));
        const final = measure(await (await buyer.step(runId, last)).wait());
        expect(final.hcu).to.equal(await f.market.stepHcu(program, last, true));
        expect(full.depth < DEPTH_LIMIT && final.depth < DEPTH_LIMIT, "depth").to.equal(true);

        if (!unbounded) {
          expect(full.hcu < HCU_LIMIT && final.hcu < HCU_LIMIT).to.equal(true);
          // A full step uses at least 90 % of the per-transaction limit.
          expect(Number(full.hcu) / Number(HCU_LIMIT)).to.be.at.least(0.9);
        }
        snapshot[name] = {
          maxStep: unbounded ? "unbounded" : String(maxStep),
          maxFinalStep: unbounded ? "unbounded" : String(maxFinalStep),
          fullStepHcu: String(full.hcu),
          share: unbounded ? "0" : (Number(full.hcu) / Number(HCU_LIMIT)).toFixed(4),
          // The deeper of the two steps' sequential HCU depth (the limit is 5 M): the README points here.
          depth: String(full.depth > final.depth ? full.depth : final.depth),
        };
      });

      if (ops.every((o) => o.kind === RecipeKind.COUNT)) {
        it("has no step bound: COUNT costs no HCU per reading", async () => {
          expect(maxStep).to.equal(2n ** 64n - 1n);
          expect(await f.market.stepHcu(program, 10_000, true)).to.equal(32n);
        });
        return;
      }

      it("the market rejects maxStepSize + 1 with StepTooLarge", async () => {
        const buyer = as(f.market, f.actors.buyer);
        await (await buyer.startRun(f.datasetId, program, 0, maxStep + 2n)).wait();
        const runId = (await f.market.runCount()) as bigint;
        await expectRevert(buyer.step(runId, maxStep + 1n), "StepTooLarge", [maxStep + 1n, maxStep]);
        expect((await f.market.stepHcu(program, maxStep + 1n, false)) >= HCU_LIMIT).to.equal(true);
      });

      it("the mock's HCULimit itself accepts maxStepSize and reverts maxStepSize + 1", async function () {
        if (maxStep + 1n > 160n) this.skip();
        await (await f.harness.load(program)).wait();
        await expectRevert(f.harness.step(maxStep + 1n, false), "HCUTransactionLimitExceeded");
        const measured = measure(await (await f.harness.step(maxStep, false)).wait());
        expect(measured.hcu).to.equal(await f.market.stepHcu(program, maxStep, false));
      });
    });
  }

  describe("snapshot", () => {
    it("matches the committed hcu-snapshot.json (UPDATE_HCU_SNAPSHOT=1 rewrites it)", function () {
      if (process.env.UPDATE_HCU_SNAPSHOT === "1" || !existsSync(SNAPSHOT)) this.skip();
      expect(snapshot).to.deep.equal(JSON.parse(readFileSync(SNAPSHOT, "utf8")));
    });
  });
});
