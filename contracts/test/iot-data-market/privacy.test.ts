import { expect } from "chai";
import type { Log, LogDescription } from "ethers";
import { ethers, fhevm } from "hardhat";
import {
  Comparator,
  EXACT_PRIVACY,
  MAX_PRIVACY_BOUND,
  PrivacyMode,
  RecipeKind,
  ALL_RECIPE_KINDS,
  encodeProgram,
  marketDomain,
  noiseUnitHcu,
  noiseUnits,
  op,
  programHash,
  signRunRequest,
  signStandingAuthorization,
  type Op,
  type PrivacyParams,
} from "@iotdm/contracts-client";
import { noiseParameters } from "@iotdm/recipes/noise-model";
import { latestTimestamp } from "../helpers/chain";
import { expectRevert } from "../helpers/revert";
import { expectResultsPrivateTo } from "./behaviours";
import {
  THERMOMETER,
  appendValues,
  as,
  createDataset,
  decryptResults,
  deployMarketFixture,
  noiseToEnd,
  purchase,
  startRun,
  stepToEnd,
  type DataFixture,
} from "./fixture";

/** The demo's private setting: readings in [10.00, 110.00] encoded, budget ε 3, ε 0.1..2 per statistic. */
const PRIVATE: PrivacyParams = {
  mode: PrivacyMode.PRIVATE,
  lowerBound: 1000n,
  upperBound: 11000n,
  budget: 3000,
  minEpsilon: 100,
  maxEpsilon: 2000,
};
const MEAN_1 = [op({ kind: RecipeKind.MEAN, epsilon: 1000 })];
const HOUR = 3600n;

async function privateFixture(values: bigint[], privacy: PrivacyParams = PRIVATE): Promise<DataFixture> {
  const f = await deployMarketFixture();
  const { seller, device, buyer, otherBuyer } = f.actors;
  const datasetId = await createDataset(f, { ...THERMOMETER, privacy });
  await (await as(f.market, seller).registerDevice(datasetId, device.address)).wait();
  await (await as(f.market, seller).approveRecipeKinds(datasetId, ALL_RECIPE_KINDS)).wait();
  await appendValues(f, datasetId, values);
  await purchase(f, datasetId, buyer);
  await purchase(f, datasetId, otherBuyer);
  return { ...f, datasetId, temperatures: [], encoded: values };
}

const readings = (count: number, value = 6000n) => Array.from({ length: count }, () => value);

describe("IoTDataMarket: private datasets", () => {
  describe("settings", () => {
    it("creates a private dataset with its range, budget and ε bounds, and says so in PrivacyChanged", async () => {
      const f = await deployMarketFixture();
      const receipt = await (await as(f.market, f.actors.seller).createDataset({ ...THERMOMETER, privacy: PRIVATE })).wait();
      const changed = receipt!.logs.map((log: Log) => f.market.interface.parseLog(log)!).find((e: LogDescription) => e.name === "PrivacyChanged")!;
      expect(changed.args.privacy.mode).to.equal(1n);
      expect(changed.args.privateFrom).to.equal(0n);
      const info = await f.market.datasetInfo(1n);
      expect(info.privacy.lowerBound).to.equal(1000n);
      expect(info.privacy.upperBound).to.equal(11000n);
      expect(info.privacy.budget).to.equal(3000n);
      expect(info.minBucketSize).to.equal(8n);
    });

    it("refuses an unknown mode, exact fields set, an empty or too wide range and inconsistent ε bounds", async () => {
      const f = await deployMarketFixture();
      const seller = as(f.market, f.actors.seller);
      const create = (privacy: PrivacyParams) => seller.createDataset({ ...THERMOMETER, privacy });
      await expectRevert(create({ ...PRIVATE, mode: 2 as PrivacyMode }), "UnknownPrivacyMode", [2]);
      await expectRevert(create({ ...EXACT_PRIVACY, budget: 1 }), "ExactPrivacyFieldSet");
      await expectRevert(create({ ...PRIVATE, lowerBound: 11000n }), "InvalidPrivacyRange", [11000n, 11000n, MAX_PRIVACY_BOUND]);
      await expectRevert(create({ ...PRIVATE, upperBound: MAX_PRIVACY_BOUND + 1n }), "InvalidPrivacyRange");
      await expectRevert(create({ ...PRIVATE, minEpsilon: 0 }), "InvalidPrivacyBudget");
      await expectRevert(create({ ...PRIVATE, maxEpsilon: 3001 }), "InvalidPrivacyBudget");
      await expectRevert(create({ ...PRIVATE, minEpsilon: 2001 }), "InvalidPrivacyBudget");
    });

    it("becomes private from the current reading on; a private range widens but never narrows", async () => {
      const f = await deployMarketFixture();
      const seller = as(f.market, f.actors.seller);
      const id = await createDataset(f);
      await (await seller.registerDevice(id, f.actors.device.address)).wait();
      await (await seller.approveRecipeKinds(id, ALL_RECIPE_KINDS)).wait();
      await appendValues(f, id, readings(8, 50_000n));
      await expectRevert(as(f.market, f.actors.stranger).setPrivacy(id, PRIVATE), "NotDatasetSeller");

      await (await seller.setPrivacy(id, PRIVATE)).wait();
      expect((await f.market.datasetInfo(id)).privateFrom).to.equal(8n);
      await appendValues(f, id, readings(8));
      await purchase(f, id, f.actors.buyer);
      // The first 8 readings were appended unclamped: no private run reads them.
      await expectRevert(startRun(f, id, MEAN_1, 0, 16), "WindowBeforePrivateFrom", [0, 8]);
      await startRun(f, id, MEAN_1, 8, 16);

      await expectRevert(seller.setPrivacy(id, { ...PRIVATE, lowerBound: 1001n }), "PrivacyRangeNarrowed", [1000n, 11000n, 1001n, 11000n]);
      await expectRevert(seller.setPrivacy(id, { ...PRIVATE, upperBound: 10999n }), "PrivacyRangeNarrowed");
      await (await seller.setPrivacy(id, { ...PRIVATE, lowerBound: 0n, upperBound: 20000n })).wait();
      expect((await f.market.datasetInfo(id)).privateFrom, "widening keeps privateFrom").to.equal(8n);
    });
  });

  describe("programs", () => {
    it("refuses MIN, MAX and ALERT, ε outside the seller's bounds, and ε where nothing is noised", async () => {
      const f = await privateFixture(readings(8));
      const run = (ops: Op[]) => startRun(f, f.datasetId, ops, 0, 8);
      await expectRevert(run([op({ kind: RecipeKind.MIN, epsilon: 1000 })]), "RecipeKindNotPrivate", [0, RecipeKind.MIN]);
      await expectRevert(run([MEAN_1[0], op({ kind: RecipeKind.MAX, epsilon: 1000 })]), "RecipeKindNotPrivate", [1, RecipeKind.MAX]);
      await expectRevert(run([op({ kind: RecipeKind.ALERT, cmp: Comparator.GT, a: 5000, epsilon: 1000 })]), "RecipeKindNotPrivate");
      await expectRevert(run([op({ kind: RecipeKind.SUM, epsilon: 99 })]), "EpsilonOutOfBounds", [0, 99, 100, 2000]);
      await expectRevert(run([op({ kind: RecipeKind.SUM, epsilon: 2001 })]), "EpsilonOutOfBounds", [0, 2001, 100, 2000]);
      await expectRevert(run([op({ kind: RecipeKind.SUM })]), "EpsilonOutOfBounds", [0, 0, 100, 2000]);
      await expectRevert(run([op({ kind: RecipeKind.COUNT, epsilon: 100 })]), "EpsilonNotExpected", [0]);

      const exact = await privateFixture(readings(8), EXACT_PRIVACY);
      await expectRevert(startRun(exact, exact.datasetId, MEAN_1, 0, 8), "EpsilonNotExpected", [0]);
    });

    it("refuses noise wider than 62 bits (a tiny ε over a huge range)", async () => {
      const huge = { ...PRIVATE, lowerBound: 0n, upperBound: MAX_PRIVACY_BOUND, budget: 5000, maxEpsilon: 5000 };
      const f = await privateFixture(readings(8), huge);
      await expectRevert(startRun(f, f.datasetId, [op({ kind: RecipeKind.VARIANCE, epsilon: 100 })], 0, 8), "NoiseTooWide");
    });
  });

  describe("results", () => {
    it("clamps readings into the range, and releases results to the buyer alone only after the noise", async () => {
      // 8 readings below the range and 8 above: clamped, they count as 8 at each bound and none outside.
      const f = await privateFixture([...readings(8, 0n), ...readings(8, 20_000n)], { ...PRIVATE, budget: 6000 });
      const ops = [
        op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.LT, a: 1000, epsilon: 2000 }),
        op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.BETWEEN, a: 1000, b: 1000, epsilon: 2000 }),
        op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GT, a: 11000, epsilon: 2000 }),
        op({ kind: RecipeKind.COUNT }),
      ];
      const runId = await startRun(f, f.datasetId, ops, 0, 16);
      const buyer = as(f.market, f.actors.buyer);
      await expectRevert(buyer.addNoise(runId, 1), "NoiseNotDue", [runId]);
      await stepToEnd(f, runId);
      const info = await f.market.runInfo(runId);
      expect([info.noiseUnits, info.noiseCursor, info.finished, info.epsilon]).to.deep.equal([3n, 0n, false, 6000n]);
      await expectRevert(f.market.runResults(runId), "RunNotFinished", [runId]);
      await expectRevert(buyer.addNoise(runId, 0), "NoiseOutOfRange", [0, 3, 3]);
      await expectRevert(buyer.addNoise(runId, 4), "NoiseOutOfRange", [4, 3, 3]);
      await expectRevert(as(f.market, f.actors.stranger).addNoise(runId, 1), "NotRunParticipant");

      const noised = await noiseToEnd(f, runId, { perCall: 2 });
      const events = noised.flatMap((r) => r.logs.map((log) => f.market.interface.parseLog(log)!).filter(Boolean));
      expect(events.filter((e) => e.name === "RunNoised").map((e) => e.args.noiseCursor)).to.deep.equal([2n, 3n]);
      expect(events.some((e) => e.name === "RunFinished")).to.equal(true);
      await expectRevert(buyer.addNoise(runId, 1), "RunAlreadyFinished", [runId]);

      const [below, atLower, above, count] = (await decryptResults(f, runId, ops, f.actors.buyer)) as bigint[];
      // ε 2 on a count: |noise| > 3 has probability below 10^-3 per result.
      expect(Number(below), "readings below the range").to.be.within(-4, 3);
      expect(Number(atLower - 8n), "readings clamped to the lower bound").to.be.within(-4, 3);
      expect(Number(above), "readings above the range").to.be.within(-4, 3);
      expect(count, "COUNT is the public window length, never noised").to.equal(16n);
      await expectResultsPrivateTo(f, runId, ops, f.actors.buyer, [f.actors.relayer, f.actors.seller, f.actors.device]);
    });

    it("costs exactly the HCU the model predicts per noise draw", async () => {
      const f = await privateFixture(readings(16));
      const ops = [
        op({ kind: RecipeKind.MEAN, epsilon: 500 }),
        op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GT, a: 5000, epsilon: 500 }),
        op({ kind: RecipeKind.VARIANCE, epsilon: 1000 }),
        op({ kind: RecipeKind.HISTOGRAM, bounds: [5000], epsilon: 500 }),
      ];
      const runId = await startRun(f, f.datasetId, ops, 0, 16);
      await stepToEnd(f, runId);
      const units = noiseUnits(ops, PRIVATE);
      expect(units.length).to.equal(6);
      for (const [i, unit] of units.entries()) {
        const receipt = await (await as(f.market, f.actors.buyer).addNoise(runId, 1)).wait();
        const { bitCount } = noiseParameters({ epsilonMilli: unit.epsilon, sensitivity: unit.sensitivity, parts: unit.parts });
        const measured = BigInt(fhevm.computeTransactionHCU(receipt!).globalHCU);
        expect(measured, `unit ${i} (${RecipeKind[unit.kind]} ${unit.part})`).to.equal(noiseUnitHcu(unit, bitCount));
      }
    });
  });

  describe("budget", () => {
    const budgetFixture = (count = 32) => privateFixture(readings(count));

    it("charges ε to every reading of the window: overlapping windows add up, disjoint ones do not", async () => {
      const f = await budgetFixture();
      const { buyer } = f.actors;
      const spent = (from: number, to: number) => f.market.privacySpent(f.datasetId, buyer.address, from, to);
      const first = await startRun(f, f.datasetId, MEAN_1, 0, 16);
      expect(await spent(0, 16)).to.equal(1000n);
      expect(await spent(16, 32)).to.equal(0n);
      await startRun(f, f.datasetId, MEAN_1, 8, 24);
      expect([await spent(0, 8), await spent(8, 16), await spent(16, 24)]).to.deep.equal([1000n, 2000n, 1000n]);
      await startRun(f, f.datasetId, MEAN_1, 8, 16);
      expect(await spent(0, 32)).to.equal(3000n);
      await expectRevert(startRun(f, f.datasetId, MEAN_1, 0, 32), "PrivacyBudgetExceeded", [f.datasetId, buyer.address, 3000, 1000, 3000]);
      // Consecutive windows (a recurring report) never starve one another.
      await startRun(f, f.datasetId, MEAN_1, 24, 32);
      await startRun(f, f.datasetId, MEAN_1, 24, 32);
      expect(await spent(24, 32)).to.equal(2000n);
      expect(first).to.equal(1n);
    });

    it("is per buyer, and a new purchase does not reset it", async () => {
      const f = await budgetFixture();
      for (let i = 0; i < 3; i++) await startRun(f, f.datasetId, MEAN_1, 0, 8);
      await expectRevert(startRun(f, f.datasetId, MEAN_1, 0, 8), "PrivacyBudgetExceeded");
      await startRun(f, f.datasetId, MEAN_1, 0, 8, f.actors.otherBuyer);
      await purchase(f, f.datasetId, f.actors.buyer, 2);
      await expectRevert(startRun(f, f.datasetId, MEAN_1, 0, 8), "PrivacyBudgetExceeded");
    });

    it("draws signed and scheduled runs, through any operator, from the same budget", async () => {
      const f = await budgetFixture();
      const { buyer, relayer, stranger, admin } = f.actors;
      const domain = marketDomain({ chainId: (await ethers.provider.getNetwork()).chainId, market: f.address });
      await (await as(f.market, admin).grantRole(await f.market.OPERATOR_ROLE(), stranger.address)).wait();
      const deadline = BigInt(await latestTimestamp()) + HOUR;
      const request = (nonce: bigint) => ({
        buyer: buyer.address,
        datasetId: f.datasetId,
        programHash: programHash(MEAN_1),
        fromIndex: 0n,
        toIndex: 8n,
        nonce,
        deadline,
        maxPayment: 0n,
      });
      for (const [nonce, operator] of [[1n, relayer], [2n, stranger]] as const) {
        const signature = await signRunRequest({ signer: buyer, domain, request: request(nonce) });
        await (await as(f.market, operator).startRunFor(request(nonce), encodeProgram(MEAN_1), signature)).wait();
      }
      await startRun(f, f.datasetId, MEAN_1, 0, 8);
      const last = await signRunRequest({ signer: buyer, domain, request: request(3n) });
      await expectRevert(as(f.market, stranger).startRunFor(request(3n), encodeProgram(MEAN_1), last), "PrivacyBudgetExceeded");

      const authorization = {
        buyer: buyer.address,
        datasetId: f.datasetId,
        programHash: programHash(MEAN_1),
        fromIndex: 0n,
        cadence: 1n,
        expiry: deadline,
        maxRuns: 5,
        nonce: 4n,
        maxPaymentPerRun: 0n,
      };
      const signature = await signStandingAuthorization({ signer: buyer, domain, authorization });
      const scheduled = (operator: typeof relayer, from: number, to: number) =>
        as(f.market, operator).startScheduledRun(authorization, encodeProgram(MEAN_1), signature, from, to);
      await expectRevert(scheduled(relayer, 0, 8), "PrivacyBudgetExceeded");
      await expectRevert(scheduled(relayer, 8, 16), "ScheduleNotConsecutive", [0, 8]);
    });

    it("lets a schedule run over consecutive windows from its signed start, rounded up to the current k", async () => {
      const f = await budgetFixture(64);
      const { buyer, relayer, seller } = f.actors;
      const domain = marketDomain({ chainId: (await ethers.provider.getNetwork()).chainId, market: f.address });
      const authorization = {
        buyer: buyer.address,
        datasetId: f.datasetId,
        programHash: programHash(MEAN_1),
        fromIndex: 3n,
        cadence: 1n,
        expiry: BigInt(await latestTimestamp()) + HOUR,
        maxRuns: 5,
        nonce: 5n,
        maxPaymentPerRun: 0n,
      };
      const signature = await signStandingAuthorization({ signer: buyer, domain, authorization });
      const scheduled = (from: number, to: number) =>
        as(f.market, relayer).startScheduledRun(authorization, encodeProgram(MEAN_1), signature, from, to);
      await expectRevert(scheduled(0, 8), "ScheduleNotConsecutive", [8, 0]);
      await (await scheduled(8, 16)).wait();
      // k changes after the buyer signed: the next window starts at the next multiple of the new k.
      await (await as(f.market, seller).setBucketSize(f.datasetId, 32)).wait();
      await expectRevert(scheduled(16, 48), "ScheduleNotConsecutive", [32, 16]);
      await (await scheduled(32, 64)).wait();
      expect(await f.market.privacySpent(f.datasetId, buyer.address, 0, 64)).to.equal(1000n);
    });
  });
});
