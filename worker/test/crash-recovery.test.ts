/**
 * Crash safety with real processes: the worker runs as `npm start` runs it (from source, under
 * node with tsx's loader). One is killed (SIGKILL) or terminated (SIGTERM) mid-run; another takes
 * the job over and finishes the same chain run from its on-chain cursor, with the same result.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { interpretResults } from "@iotdm/recipes";
import { runRequestDigest } from "../src/consent";
import type { RunProgress, RunResult } from "../src/job-schemas";
import { plainStats, signRun, temperatures } from "./support/buyer";
import { startMarketFixture, type MarketFixture, type TestDataset } from "./support/market-fixture";
import { openTestQueue, type TestQueue } from "./support/redis-queue";
import { waitFor, waitForJob } from "./support/wait";
import { spawnWorker, type WorkerProcess } from "./support/worker-process";

/** Four ops of about 200k HCU per reading each: 24 readings per step, 10 steps over 240 readings. */
const RECIPE = {
  source: ['param hot = 25', 'from "greenhouse" window all', "mean(temperature)", "count(temperature > hot)", "min(temperature)", "max(temperature)"].join("\n"),
  params: {},
};

describe("crash safety", () => {
  let fixture: MarketFixture;
  let dataset: TestDataset;
  let q: TestQueue;
  const processes: WorkerProcess[] = [];

  beforeAll(async () => {
    fixture = await startMarketFixture();
    dataset = await fixture.purchasedDataset({ k: 8, readings: temperatures(240, 5) });
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  beforeEach(() => {
    q = openTestQueue("crash");
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop("SIGKILL")));
    await q.dispose();
  });

  /** A worker process on this test's queue; short locks so that a dead worker's job is taken over in about 2 s. */
  async function startWorkerProcess(): Promise<WorkerProcess> {
    const config = fixture.workerConfig({
      queueName: q.name,
      queuePrefix: q.prefix,
      concurrency: 2,
      lockDurationMs: 2_000,
      stalledIntervalMs: 1_000,
      // The next worker takes the killed one's relayer key once this runs out.
      relayerLeaseMs: 2_000,
      logLevel: "info",
    });
    const worker = spawnWorker({ config });
    processes.push(worker);
    await worker.ready;
    return worker;
  }

  /** Collects the queue's progress events. */
  async function progressOf(): Promise<Map<string, RunProgress[]>> {
    const events = q.runs.events();
    await events.waitUntilReady();
    const seen = new Map<string, RunProgress[]>();
    events.on("progress", ({ jobId, data }) => seen.set(jobId, [...(seen.get(jobId) ?? []), data as RunProgress]));
    return seen;
  }

  const steppedTo = (seen: Map<string, RunProgress[]>, jobId: string, step: number) => async () =>
    (seen.get(jobId) ?? []).some((p) => p.phase === "stepping" && p.step >= step) ? true : undefined;

  async function decrypted(plan: Awaited<ReturnType<typeof signRun>>["plan"], result: RunResult) {
    return fixture.decryptResults({ buyer: fixture.accounts.buyer, plan, handles: result.handles });
  }

  it("a worker killed mid-run leaves its job to another worker, which finishes the same run with the same result", async () => {
    const { buyer } = fixture.accounts;
    const progress = await progressOf();
    const first = await startWorkerProcess();
    const signed = await signRun({ fixture, dataset, recipe: RECIPE, buyer });
    const market = fixture.as(fixture.accounts.admin);
    const runsBefore: bigint = await market.runCount();
    const { jobId } = await q.runs.enqueueRun({ market: fixture.market, ...signed, recipe: RECIPE });

    await waitFor(steppedTo(progress, jobId, 1), { timeoutMs: 60_000, what: "the first step" });
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    const runId: bigint = await market.runIdOf(runRequestDigest({ market: fixture.market, request: signed.request }));
    const cursorAtKill = (await market.runInfo(runId)).cursor as bigint;
    expect(cursorAtKill).toBeLessThan(240n);

    await startWorkerProcess();
    const done = await waitForJob(q.runs, jobId, { timeoutMs: 120_000 });

    expect(done.state, first.output()).toBe("completed");
    const result = done.result as RunResult;
    expect(result.runId).toBe(runId.toString());
    expect(await market.runCount()).toBe(runsBefore + 1n);
    expect(result.steps).toBe(signed.plan.steps.length);
    expect(result.txHashes).toHaveLength(signed.plan.steps.length + 1);
    const steps = (progress.get(jobId) ?? []).filter((p) => p.phase === "stepping").map((p) => p.step);
    expect(steps.at(-1)).toBe(signed.plan.steps.length);

    // The same numbers as the plaintext, and as an uninterrupted run of the same recipe and window.
    const values = await decrypted(signed.plan, result);
    const [mean, hot, min, max] = interpretResults({ plan: signed.plan, decrypted: values });
    const plain = plainStats(dataset.values, 0, 240);
    expect((mean as { value: { number: number } }).value.number).toBeCloseTo(plain.mean, 3);
    expect(hot).toMatchObject({ count: plain.countAbove(25) });
    expect((min as { value: { number: number } }).value.number).toBe(plain.min);
    expect((max as { value: { number: number } }).value.number).toBe(plain.max);

    const reference = await signRun({ fixture, dataset, recipe: RECIPE, buyer });
    const referenceJob = await q.runs.enqueueRun({ market: fixture.market, ...reference, recipe: RECIPE });
    const referenceDone = await waitForJob(q.runs, referenceJob.jobId, { timeoutMs: 120_000 });
    expect(await decrypted(reference.plan, referenceDone.result as RunResult)).toEqual(values);
  });

  it("SIGTERM releases the running job after its transaction in flight, and the next worker finishes it", async () => {
    const { buyer } = fixture.accounts;
    const progress = await progressOf();
    const first = await startWorkerProcess();
    const signed = await signRun({ fixture, dataset, recipe: RECIPE, buyer });
    const { jobId } = await q.runs.enqueueRun({ market: fixture.market, ...signed, recipe: RECIPE });
    await waitFor(steppedTo(progress, jobId, 1), { timeoutMs: 60_000, what: "the first step" });

    const stopped = Date.now();
    const exit = await first.stop("SIGTERM");
    expect(exit.code, first.output()).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(10_000);
    expect(first.output()).toContain('"msg":"job released"');
    const released = await q.runs.getRun(jobId);
    expect(released?.state).toBe("waiting");
    expect(released?.attemptsMade).toBe(0);

    await startWorkerProcess();
    const done = await waitForJob(q.runs, jobId, { timeoutMs: 120_000 });
    expect(done.state).toBe("completed");
    const [mean] = interpretResults({ plan: signed.plan, decrypted: await decrypted(signed.plan, done.result as RunResult) });
    expect((mean as { value: { number: number } }).value.number).toBeCloseTo(plainStats(dataset.values, 0, 240).mean, 3);
  });
});
