/**
 * Runs on a private dataset (issue 18): after the last step the worker adds the run's encrypted
 * noise with `addNoise` calls (as many draws per call as fit the HCU limit), counts them as steps in
 * its progress, and only then are the results released; the buyer decrypts noisy (signed) values
 * near the plaintext statistics, which recipes/' `interpretResults` reads as estimates with their ±.
 * What a private dataset refuses ends as a failed job with the reason in words.
 *
 * The first two runs are started by the relayer before their jobs, as a worker that died after
 * starting them would have; the job of the same request then finds the run by its digest and drives
 * it to the end. The recipe's own ε (`privacy 2`) runs through the whole path: plan, signature, start.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  Comparator,
  RecipeKind,
  connectMarket,
  decryptRunResults,
  encodeProgram,
  op,
  PrivacyMode,
  programHash,
  readRunInfo,
  type Op,
} from "@iotdm/contracts-client";
import { interpretResults } from "@iotdm/recipes";
import type { RunProgress, RunResult } from "../src/job-schemas";
import { startWorker, type WorkerRuntime } from "../src/start-worker";
import { plainStats, signRun, temperatures } from "./support/buyer";
import { startMarketFixture, type MarketFixture, type TestDataset } from "./support/market-fixture";
import { openTestQueue, type TestQueue } from "./support/redis-queue";
import { waitFor, waitForJob } from "./support/wait";

/** The demo's greenhouse encoding (scale 2, offset −5000): [1000, 11000] is −40 °C … 60 °C. */
const PRIVACY = { mode: PrivacyMode.PRIVATE, lowerBound: 1000n, upperBound: 11000n, budget: 10000, minEpsilon: 100, maxEpsilon: 5000 };
const encode = (celsius: number) => BigInt(Math.round(celsius * 100)) + 5000n;

describe("runs on a private dataset", () => {
  let fixture: MarketFixture;
  let dataset: TestDataset;
  let q: TestQueue;
  let runtime: WorkerRuntime | undefined;

  beforeAll(async () => {
    fixture = await startMarketFixture();
    dataset = await fixture.purchasedDataset({ k: 8, privacy: PRIVACY, readings: temperatures(32, 5) });
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  beforeEach(async () => {
    q = openTestQueue("chain-private");
    runtime = await startWorker({ config: fixture.workerConfig({ queueName: q.name, queuePrefix: q.prefix, logLevel: process.env.WORKER_TEST_LOG ?? "silent" }) });
  });

  afterEach(async () => {
    await runtime?.close({ release: false });
    await q.dispose();
  });

  /** Signs a request for `ops` over [0, 32), has the relayer start it, and enqueues its job. */
  async function startedRun(ops: Op[], recipe: { source: string; params: Record<string, never> }) {
    const { buyer, relayer } = fixture.accounts;
    const signed = await signRun({ fixture, dataset, recipe, buyer, request: { programHash: programHash(ops), fromIndex: "0", toIndex: "32" } });
    // A raw wallet (no cached nonce): the worker's own sender shares the relayer's account.
    const market = connectMarket(fixture.address, relayer);
    await (await market.startRunFor(signed.request, encodeProgram(ops), signed.signature)).wait();
    return signed;
  }

  it("adds the noise after the last step, counts the noise calls as steps, and releases noisy results to the buyer", async () => {
    const { buyer } = fixture.accounts;
    const ops = [op({ kind: RecipeKind.MEAN, epsilon: 2000 }), op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GT, a: encode(25), epsilon: 2000 })];
    const recipe = { source: 'from "greenhouse" window all\nmean(temperature)\ncount(temperature > 25)', params: {} };
    const signed = await startedRun(ops, recipe);
    const events = q.runs.events();
    await events.waitUntilReady();
    const progress: RunProgress[] = [];
    events.on("progress", ({ data }) => progress.push(data as RunProgress));

    const { jobId } = await q.runs.enqueueRun({ market: fixture.market, ...signed, recipe });
    const done = await waitForJob(q.runs, jobId, { timeoutMs: 120_000 });
    expect(done.state, JSON.stringify(done.failure)).toBe("completed");
    const result = done.result as RunResult;
    expect(result.ops.map((o) => o.epsilon)).toEqual([2000, 2000]);

    const market = connectMarket(fixture.address, buyer);
    const run = await readRunInfo(market, BigInt(result.runId));
    expect(run).toMatchObject({ finished: true, noiseUnits: 2, noiseCursor: 2, epsilon: 4000 });
    // The start, the steps and one noise call (both draws fit one transaction).
    expect(result.steps).toBeGreaterThanOrEqual(2);
    expect(result.txHashes).toHaveLength(result.steps + 1);
    await waitFor(async () => (progress.some((p) => p.phase === "done") ? true : undefined), { what: "the done event" });
    const steps = progress.filter((p) => p.phase === "stepping");
    expect(steps.map((p) => `${p.step}/${p.of}`)).toEqual(Array.from({ length: result.steps }, (_, i) => `${i + 1}/${result.steps}`));

    const [sum, hot] = await decryptRunResults({ instance: fixture.fhevm, market, runId: BigInt(result.runId), signer: buyer });
    expect(sum).toMatchObject({ encoding: "noisy", label: "sum" });
    expect(hot).toMatchObject({ encoding: "noisy", label: "count" });
    const plain = plainStats(dataset.values, 0, 32);
    const exactSum = dataset.values.reduce((a, v) => a + encode(v), 0n);
    // Discrete Laplace noise: scale Δ/ε = 10000/2 encoded units for the sum, 1/2 for the count;
    // 40 scales bound a draw except with probability e^-40.
    expect(Math.abs(Number((sum!.value as bigint) - exactSum))).toBeLessThan(200_000);
    expect(Math.abs(Number(hot!.value as bigint) - plain.countAbove(25))).toBeLessThan(20);
  });

  it("spreads noise that does not fit one transaction over several addNoise calls", async () => {
    const ops = [
      op({ kind: RecipeKind.SUM, epsilon: 100 }),
      op({ kind: RecipeKind.MEAN, epsilon: 100 }),
      op({ kind: RecipeKind.SUM_IF, cmp: Comparator.LT, a: encode(20), epsilon: 100 }),
      op({ kind: RecipeKind.VARIANCE, epsilon: 200 }),
    ];
    const recipe = { source: 'from "greenhouse" window all\nsum(temperature)', params: {} };
    const signed = await startedRun(ops, recipe);
    const { jobId } = await q.runs.enqueueRun({ market: fixture.market, ...signed, recipe });
    const done = await waitForJob(q.runs, jobId, { timeoutMs: 180_000 });
    expect(done.state, JSON.stringify(done.failure)).toBe("completed");
    const result = done.result as RunResult;

    const market = connectMarket(fixture.address, fixture.accounts.buyer);
    const run = await readRunInfo(market, BigInt(result.runId));
    expect(run).toMatchObject({ finished: true, noiseUnits: 5, noiseCursor: 5 });
    // Every transaction of the run, noise calls included, is in the result.
    const receipts = await Promise.all(result.txHashes.map((hash) => fixture.provider.getTransactionReceipt(hash)));
    const noised = receipts.filter((r) => r!.logs.some((log) => log.topics[0] === market.interface.getEvent("RunNoised")!.topicHash));
    expect(noised.length).toBeGreaterThanOrEqual(2);
    expect(result.txHashes).toHaveLength(result.steps + 1);
    const [sum] = await decryptRunResults({ instance: fixture.fhevm, market, runId: BigInt(result.runId), signer: fixture.accounts.buyer });
    const exactSum = dataset.values.reduce((a, v) => a + encode(v), 0n);
    // ε 0.1 over Δ 10000: a scale of 100,000 encoded units.
    expect(Math.abs(Number((sum!.value as bigint) - exactSum))).toBeLessThan(4_000_000);
  });

  it("runs the ε a recipe chooses end to end, and its results read as estimates with their ± at 95 %", async () => {
    const { buyer } = fixture.accounts;
    const recipe = { source: 'from "greenhouse" window all\nmean(temperature) privacy 2\ncount(temperature > 25) privacy 0.5', params: {} };
    const signed = await signRun({ fixture, dataset, recipe, buyer });
    expect(signed.plan.ops.map((o) => o.epsilon)).toEqual([2000, 500]);
    const { jobId } = await q.runs.enqueueRun({ market: fixture.market, ...signed, recipe });
    const done = await waitForJob(q.runs, jobId, { timeoutMs: 120_000 });
    expect(done.state, JSON.stringify(done.failure)).toBe("completed");
    const runId = BigInt((done.result as RunResult).runId);

    const market = connectMarket(fixture.address, buyer);
    expect(await readRunInfo(market, runId)).toMatchObject({ finished: true, epsilon: 2500 });
    const decrypted = await decryptRunResults({ instance: fixture.fhevm, market, runId, signer: buyer });
    const [mean, hot] = interpretResults({ plan: signed.plan, decrypted: decrypted.map((r) => r.value) });
    const plain = plainStats(dataset.values, 0, 32);
    if (mean!.type !== "value" || hot!.type !== "count") throw new Error("unexpected result types");
    expect(mean!.noise).toEqual(signed.plan.privacy!.statistics[0]!.noise);
    // Ten 95 % half-widths: beyond them lies a probability below e^-25.
    expect(Math.abs(mean!.value!.number - plain.mean)).toBeLessThan(10 * mean!.noise!.halfWidth!);
    expect(Math.abs(hot!.count - plain.countAbove(25))).toBeLessThan(10 * hot!.noise!.halfWidth!);
  });

  describe("what a private dataset refuses ends as a failed job with the reason in words", () => {
    async function failureOf(recipe: { source: string; params: Record<string, never> }) {
      const { request, signature } = await signRun({ fixture, dataset, recipe, buyer: fixture.accounts.buyer, ignorePrivacy: true });
      const { jobId } = await q.runs.enqueueRun({ market: fixture.market, request, signature, recipe });
      const failed = await waitForJob(q.runs, jobId, { timeoutMs: 60_000 });
      expect(failed.state).toBe("failed");
      return failed.failure!;
    }

    it("a kind no noise makes private (MIN), signed by a browser that ignored the setting: the worker's checker refuses it", async () => {
      const failure = await failureOf({ source: 'from "greenhouse" window all\nmin(temperature)', params: {} });
      expect(failure).toMatchObject({ code: "RECIPE_INVALID" });
      expect(failure.reason).toMatch(/line 2, column 1: a private dataset does not offer min: it would reveal one reading's exact value/);
    });
  });
});
