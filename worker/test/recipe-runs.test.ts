/**
 * The chain-backed processors end to end: real Redis, a Hardhat node with the fhevm mock (one per
 * file), the market deployed with the contracts client, a worker in this process. What the buyer
 * decrypts must equal the plaintext statistic; every rejection must end as a failed job with a
 * reason a person can read.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { interpretResults } from "@iotdm/recipes";
import type { RunProgress, RunResult } from "../src/job-schemas";
import { startWorker, type WorkerRuntime } from "../src/start-worker";
import { plainStats, signRun, temperatures } from "./support/buyer";
import { startMarketFixture, type MarketFixture, type TestDataset } from "./support/market-fixture";
import { openTestQueue, type TestQueue } from "./support/redis-queue";
import { waitFor, waitForJob } from "./support/wait";

const MEAN_RECIPE = {
  source: ['# Greenhouse: how warm was it?', 'param hot = 25', 'from "greenhouse" window all', "mean(temperature)", "count(temperature > hot)", "min(temperature)", "max(temperature)"].join("\n"),
  params: {},
};

describe("recipe runs on the chain", () => {
  let fixture: MarketFixture;
  let dataset: TestDataset;
  let q: TestQueue;
  let runtime: WorkerRuntime | undefined;

  beforeAll(async () => {
    fixture = await startMarketFixture();
    dataset = await fixture.purchasedDataset({ k: 8, readings: temperatures(96) });
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  beforeEach(async () => {
    q = openTestQueue("chain-runs");
    runtime = await startWorker({ config: fixture.workerConfig({ queueName: q.name, queuePrefix: q.prefix, concurrency: 4, logLevel: process.env.WORKER_TEST_LOG ?? "silent" }) });
  });

  afterEach(async () => {
    await runtime?.close({ release: false });
    await q.dispose();
  });

  it("runs a signed recipe whose results the buyer decrypts to the plaintext statistics", async () => {
    const { buyer } = fixture.accounts;
    const { plan, request, signature } = await signRun({ fixture, dataset, recipe: MEAN_RECIPE, buyer });
    const events = q.runs.events();
    await events.waitUntilReady();
    const progress: RunProgress[] = [];
    events.on("progress", ({ data }) => progress.push(data as RunProgress));

    const { jobId } = await q.runs.enqueueRun({ market: fixture.market, request, signature, recipe: MEAN_RECIPE, origin: { notebookId: "n1", cellId: "c1" } });
    const done = await waitForJob(q.runs, jobId, { timeoutMs: 120_000 });

    expect(done.state, JSON.stringify(done.failure)).toBe("completed");
    const result = done.result as RunResult;
    expect(result.window).toMatchObject({ fromIndex: "0", toIndex: "96" });
    expect(result.steps).toBe(plan.steps.length);
    expect(result.txHashes).toHaveLength(plan.steps.length + 1);
    const decrypted = await fixture.decryptResults({ buyer, plan, handles: result.handles });
    const [mean, hot, min, max] = interpretResults({ plan, decrypted });
    const plain = plainStats(dataset.values, 0, 96);
    expect(mean).toMatchObject({ type: "value" });
    expect((mean as { value: { number: number } }).value.number).toBeCloseTo(plain.mean, 3);
    expect(hot).toMatchObject({ type: "count", count: plain.countAbove(25) });
    expect((min as { value: { number: number } }).value.number).toBe(plain.min);
    expect((max as { value: { number: number } }).value.number).toBe(plain.max);

    await waitFor(async () => (progress.some((p) => p.phase === "done") ? true : undefined), { what: "the done event" });
    const steps = progress.filter((p) => p.phase === "stepping");
    expect(steps.map((p) => `${p.step}/${p.of}`)).toEqual(plan.steps.map((_, i) => `${i + 1}/${plan.steps.length}`));
    expect(steps.every((p) => /^0x[0-9a-f]{64}$/.test(p.txHash ?? ""))).toBe(true);
  });

  it("steps a mean, min and max over a dataset's rollups in one transaction after the start (issue 13)", async () => {
    const { buyer } = fixture.accounts;
    const rolled = await fixture.createDataset({ k: 8, rollups: 1 | 4 | 8 });
    await fixture.appendReadings(rolled, temperatures(96));
    await fixture.purchaseAccess(rolled, buyer);
    const recipe = { source: ['from "greenhouse" window all', "mean(temperature)", "min(temperature)", "max(temperature)"].join("\n"), params: {} };
    const { plan, request, signature } = await signRun({ fixture, dataset: rolled, recipe, buyer });
    expect(plan.rolledUp).toBe(true);
    expect(plan.steps).toHaveLength(1);

    const { jobId } = await q.runs.enqueueRun({ market: fixture.market, request, signature, recipe, origin: { notebookId: "n1", cellId: "c2" } });
    const done = await waitForJob(q.runs, jobId, { timeoutMs: 120_000 });
    expect(done.state, JSON.stringify(done.failure)).toBe("completed");
    const result = done.result as RunResult;
    expect(result.txHashes).toHaveLength(2);
    const decrypted = await fixture.decryptResults({ buyer, plan, handles: result.handles });
    const [mean, min, max] = interpretResults({ plan, decrypted });
    const plain = plainStats(rolled.values, 0, 96);
    expect((mean as { value: { number: number } }).value.number).toBeCloseTo(plain.mean, 3);
    expect((min as { value: { number: number } }).value.number).toBe(plain.min);
    expect((max as { value: { number: number } }).value.number).toBe(plain.max);
  });

  it("runs the same signed request once, even when it is submitted again after its job is gone", async () => {
    const { buyer } = fixture.accounts;
    const recipe = { source: 'from "greenhouse" window last 48 readings\nsum(temperature)', params: {} };
    const { request, signature } = await signRun({ fixture, dataset, recipe, buyer });
    const runsBefore = await fixture.as(fixture.accounts.admin).runCount();

    const first = await q.runs.enqueueRun({ market: fixture.market, request, signature, recipe });
    const again = await q.runs.enqueueRun({ market: fixture.market, request, signature, recipe });
    expect(again).toEqual({ jobId: first.jobId, duplicate: true });
    const done = await waitForJob(q.runs, first.jobId, { timeoutMs: 60_000 });
    expect(done.state).toBe("completed");

    // The job record expired (or was deleted): the worker finds the run by its digest on-chain.
    await q.runs.queue.remove(first.jobId);
    const resubmitted = await q.runs.enqueueRun({ market: fixture.market, request, signature, recipe });
    expect(resubmitted).toEqual({ jobId: first.jobId, duplicate: false });
    const redone = await waitForJob(q.runs, first.jobId, { timeoutMs: 60_000 });

    expect(redone.state).toBe("completed");
    expect(redone.result).toMatchObject({ runId: (done.result as RunResult).runId, handles: (done.result as RunResult).handles });
    expect(await fixture.as(fixture.accounts.admin).runCount()).toBe(runsBefore + 1n);
  });

  describe("rejections end as failed jobs with a readable reason", () => {
    async function failureOf(options: Parameters<typeof signRun>[0] & { recipeOverride?: typeof MEAN_RECIPE }) {
      const { request, signature } = await signRun(options);
      const { jobId } = await q.runs.enqueueRun({
        market: fixture.market,
        request,
        signature,
        recipe: options.recipeOverride ?? options.recipe,
      });
      const failed = await waitForJob(q.runs, jobId, { timeoutMs: 60_000 });
      expect(failed.state).toBe("failed");
      expect(failed.attemptsMade).toBe(1);
      return failed.failure!;
    }

    it("a recipe type the seller did not approve", async () => {
      const recipe = { source: 'from "greenhouse" window all\nhistogram(temperature, [10, 20, 30])', params: {} };
      expect(await failureOf({ fixture, dataset, recipe, buyer: fixture.accounts.buyer })).toEqual({
        code: "CONTRACT_REJECTED",
        contractError: "RecipeKindNotApproved",
        reason: `The market rejected starting the run: The seller has not approved HISTOGRAM recipes on dataset ${dataset.id}.`,
      });
    });

    it("a buyer whose access expired", async () => {
      const short = await fixture.createDataset({ k: 8, periodSeconds: 5 });
      await fixture.appendReadings(short, temperatures(16, 3));
      const { otherBuyer } = fixture.accounts;
      await fixture.purchaseAccess(short, otherBuyer);
      const recipe = { source: 'from "greenhouse" window all\nmean(temperature)', params: {} };
      const signed = await signRun({ fixture, dataset: short, recipe, buyer: otherBuyer });
      await fixture.provider.send("evm_increaseTime", [10]);
      await fixture.provider.send("evm_mine", []);

      const { jobId } = await q.runs.enqueueRun({ market: fixture.market, ...signed, recipe });
      const failed = await waitForJob(q.runs, jobId, { timeoutMs: 60_000 });
      expect(failed.failure).toMatchObject({ code: "CONTRACT_REJECTED", contractError: "AccessExpired" });
      expect(failed.failure?.reason).toMatch(new RegExp(`^The market rejected starting the run: .*${otherBuyer.address}.*dataset ${short.id}`));
    });

    it("a malformed recipe, with line, column and a suggestion", async () => {
      const failure = await failureOf({
        fixture,
        dataset,
        recipe: MEAN_RECIPE,
        buyer: fixture.accounts.buyer,
        recipeOverride: { source: 'from "greenhouse" window all\nmeen(temperature)', params: {} },
      });
      expect(failure.code).toBe("RECIPE_INVALID");
      expect(failure.reason).toMatch(/^The recipe has errors: line 2, column 1: .*meen.*did you mean .*mean/);
    });

    it("a signature that is not the buyer's", async () => {
      const { buyer, stranger } = fixture.accounts;
      expect(await failureOf({ fixture, dataset, recipe: MEAN_RECIPE, buyer, signer: stranger })).toEqual({
        code: "BAD_SIGNATURE",
        reason: `The run was refused: the run request was not signed by the buyer ${buyer.address} (signer ${stranger.address})`,
      });
    });

    it("a recipe that is not the program the buyer signed", async () => {
      const failure = await failureOf({
        fixture,
        dataset,
        recipe: MEAN_RECIPE,
        buyer: fixture.accounts.buyer,
        recipeOverride: { source: MEAN_RECIPE.source, params: { hot: 30 } },
      });
      expect(failure.code).toBe("REQUEST_MISMATCH");
      expect(failure.reason).toMatch(/^The recipe compiles to program 0x[0-9a-f]{64}, but the buyer signed program 0x[0-9a-f]{64}$/);
    });

    it("a request whose deadline has passed", async () => {
      const failure = await failureOf({ fixture, dataset, recipe: MEAN_RECIPE, buyer: fixture.accounts.buyer, request: { deadline: "1" } });
      expect(failure).toMatchObject({ code: "REQUEST_EXPIRED", contractError: "SignatureExpired" });
      expect(failure.reason).toMatch(/^The market rejected starting the run: The signed request expired at 1970-01-01T00:00:01.000Z; sign a new one\.$/);
    });
  });

  it("runs concurrent jobs through one relayer account without nonce collisions", async () => {
    const { buyer } = fixture.accounts;
    const recipe = { source: 'from "greenhouse" window last 24 readings\nmax(temperature)', params: {} };
    const signed = await Promise.all(Array.from({ length: 4 }, () => signRun({ fixture, dataset, recipe, buyer })));
    const ids = await Promise.all(signed.map(async (s) => (await q.runs.enqueueRun({ market: fixture.market, ...s, recipe })).jobId));
    const results = await Promise.all(ids.map((id) => waitForJob(q.runs, id, { timeoutMs: 90_000 })));

    expect(results.map((r) => r.state)).toEqual(["completed", "completed", "completed", "completed"]);
    expect(new Set(results.map((r) => (r.result as RunResult).runId)).size).toBe(4);
    const expected = plainStats(dataset.values, 72, 96).max;
    for (const [i, r] of results.entries()) {
      const [max] = interpretResults({ plan: signed[i]!.plan, decrypted: await fixture.decryptResults({ buyer, plan: signed[i]!.plan, handles: (r.result as RunResult).handles }) });
      expect((max as { value: { number: number } }).value.number).toBe(expected);
    }
  });
});
