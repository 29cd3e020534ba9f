/**
 * The queue and worker mechanics against real Redis, with stand-in processors (no chain): job ids,
 * the failure model, progress, release on shutdown. The chain-backed processors are tested in
 * recipe-runs.test.ts.
 */
import { Wallet } from "ethers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RunRejectedError, TransientChainError } from "../src/errors";
import type { RunJobData, RunProgress, RunResult } from "../src/job-schemas";
import { createLogger } from "../src/logger";
import { createRunWorker, throwIfReleased, type ProcessorContext, type Processors, type RunWorker } from "../src/run-worker";
import { signRunRequest } from "./support/consent";
import { openTestQueue, type TestQueue } from "./support/redis-queue";
import { waitFor, waitForJob } from "./support/wait";

const market = { chainId: 31337, address: "0x00000000000000000000000000000000000000aa" };
const buyer = Wallet.createRandom();
const recipe = { source: "from \"x\" window last 8 readings\nmean(value)", params: {} };
const logger = createLogger({ level: "silent" });

/** A pretend run: `steps` steps against an in-memory cursor per job (the "chain"). */
function fakeRun(options: { steps: number; stepMs?: number; cursors?: Map<string, number>; calls?: string[] }) {
  const cursors = options.cursors ?? new Map<string, number>();
  return async ({ job, data, signal }: ProcessorContext<RunJobData>): Promise<RunResult> => {
    options.calls?.push(job.id!);
    let cursor = cursors.get(job.id!) ?? 0;
    while (cursor < options.steps) {
      throwIfReleased(signal);
      await new Promise((resolve) => setTimeout(resolve, options.stepMs ?? 5));
      cursor += 1;
      cursors.set(job.id!, cursor);
      await job.updateProgress({ phase: "stepping", step: cursor, of: options.steps } satisfies RunProgress);
    }
    return {
      runId: "1",
      datasetId: data.request.datasetId,
      buyer: data.request.buyer,
      programHash: data.request.programHash,
      ops: [],
      window: { fromIndex: data.request.fromIndex, toIndex: data.request.toIndex },
      handles: [`0x${"ab".repeat(32)}`],
      txHashes: [],
      steps: options.steps,
      finishedAt: Date.now(),
    };
  };
}

const noReports: Processors["report"] = async () => {
  throw new Error("no reports in this test");
};

describe("run worker (stand-in processors)", () => {
  let q: TestQueue;
  const workers: RunWorker[] = [];

  function startWorker(run: Processors["run"], extra: { concurrency?: number } = {}) {
    const worker = createRunWorker({
      name: q.name,
      prefix: q.prefix,
      connection: q.connection(),
      processors: { run, report: noReports },
      logger,
      ...extra,
    });
    workers.push(worker);
    return worker;
  }

  beforeEach(() => {
    q = openTestQueue("run-worker");
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close({ release: false })));
    await q.dispose();
  });

  it("collapses the same signed request submitted twice into one job that runs once", async () => {
    const calls: string[] = [];
    startWorker(fakeRun({ steps: 2, calls }));
    const signed = await signRunRequest({ market, buyer });
    const first = await q.runs.enqueueRun({ market, ...signed, recipe });
    const second = await q.runs.enqueueRun({ market, ...signed, recipe });

    expect(second).toEqual({ jobId: first.jobId, duplicate: true });
    expect(first.duplicate).toBe(false);
    const done = await waitForJob(q.runs, first.jobId);
    expect(done.state).toBe("completed");
    const third = await q.runs.enqueueRun({ market, ...signed, recipe });
    expect(third.duplicate).toBe(true);
    expect(calls).toEqual([first.jobId]);
  });

  it("uses the request's EIP-712 digest as the job id", async () => {
    const signed = await signRunRequest({ market, buyer });
    const { jobId } = await q.runs.enqueueRun({ market, ...signed, recipe });
    const { runRequestDigest } = await import("../src/consent");
    expect(jobId).toBe(runRequestDigest({ market, request: signed.request }).toLowerCase());
  });

  it("fails a rejected run at once, with its code and readable reason, without retrying", async () => {
    let attempts = 0;
    startWorker(async () => {
      attempts += 1;
      throw new RunRejectedError({
        code: "CONTRACT_REJECTED",
        reason: "The market rejected starting the run: AccessExpired(1, 1700000000)",
        contractError: "AccessExpired",
      });
    });
    const { jobId } = await q.runs.enqueueRun({ market, ...(await signRunRequest({ market, buyer })), recipe });

    const failed = await waitForJob(q.runs, jobId);
    expect(failed.state).toBe("failed");
    expect(failed.failure).toEqual({
      code: "CONTRACT_REJECTED",
      reason: "The market rejected starting the run: AccessExpired(1, 1700000000)",
      contractError: "AccessExpired",
    });
    expect(attempts).toBe(1);
    expect(failed.attemptsMade).toBe(1);
  });

  it("runs a failed job again on retryRun, without its previous failure", async () => {
    let attempts = 0;
    const run = fakeRun({ steps: 1 });
    startWorker(async (context) => {
      attempts += 1;
      if (attempts === 1) {
        throw new RunRejectedError({ code: "CONTRACT_REJECTED", reason: "The market rejected starting the run: access expired.", contractError: "AccessExpired" });
      }
      return run(context);
    });
    const { jobId } = await q.runs.enqueueRun({ market, ...(await signRunRequest({ market, buyer })), recipe });
    expect((await waitForJob(q.runs, jobId)).state).toBe("failed");

    expect(await q.runs.retryRun(jobId)).toBe(true);
    const done = await waitForJob(q.runs, jobId);
    expect(done.state).toBe("completed");
    expect(done.failure).toBeUndefined();
    expect((await q.runs.queue.getJob(jobId))?.data).not.toHaveProperty("failure");
    expect(await q.runs.retryRun(jobId)).toBe(false);
  });

  it("retries a transient chain error with backoff and then completes", async () => {
    let attempts = 0;
    const run = fakeRun({ steps: 1 });
    startWorker(async (context) => {
      attempts += 1;
      if (attempts === 1) throw new TransientChainError("The chain node failed during step 1: ECONNRESET");
      return run(context);
    });
    const { jobId } = await q.runs.enqueueRun({ market, ...(await signRunRequest({ market, buyer })), recipe });

    const done = await waitForJob(q.runs, jobId, { timeoutMs: 20_000 });
    expect(done.state).toBe("completed");
    expect(attempts).toBe(2);
  });

  it("fails a job whose data does not match the schema as MALFORMED_JOB", async () => {
    startWorker(fakeRun({ steps: 1 }));
    const job = await q.runs.queue.add("run", { kind: "run", market } as never, { jobId: "malformed-1" });

    const failed = await waitForJob(q.runs, job.id!);
    expect(failed.failure?.code).toBe("MALFORMED_JOB");
    expect(failed.failure?.reason).toMatch(/^The job's data is malformed: .*request/);
  });

  it("reports progress as step i of n to QueueEvents listeners", async () => {
    const events = q.runs.events();
    await events.waitUntilReady();
    const seen: RunProgress[] = [];
    events.on("progress", ({ data }) => seen.push(data as RunProgress));
    startWorker(fakeRun({ steps: 3 }));
    const { jobId } = await q.runs.enqueueRun({ market, ...(await signRunRequest({ market, buyer })), recipe });

    await waitForJob(q.runs, jobId);
    await waitFor(async () => (seen.length === 3 ? true : undefined), { what: "3 progress events" });
    expect(seen.map((p) => `${p.step}/${p.of}`)).toEqual(["1/3", "2/3", "3/3"]);
    expect((await q.runs.getRun(jobId))?.progress).toMatchObject({ step: 3, of: 3 });
  });

  it("on close releases a running job after its current step, and another worker finishes it", async () => {
    const cursors = new Map<string, number>();
    const first = startWorker(fakeRun({ steps: 20, stepMs: 50, cursors }));
    const { jobId } = await q.runs.enqueueRun({ market, ...(await signRunRequest({ market, buyer })), recipe });
    await waitFor(async () => ((cursors.get(jobId) ?? 0) >= 2 ? true : undefined), { what: "two steps" });

    await first.close();
    const released = await q.runs.getRun(jobId);
    expect(released?.state).toBe("waiting");
    expect(released?.attemptsMade).toBe(0);
    const stoppedAt = cursors.get(jobId)!;
    expect(stoppedAt).toBeLessThan(20);

    const secondCalls: string[] = [];
    startWorker(fakeRun({ steps: 20, stepMs: 5, cursors, calls: secondCalls }));
    const done = await waitForJob(q.runs, jobId);
    expect(done.state).toBe("completed");
    expect(secondCalls).toEqual([jobId]);
    expect(cursors.get(jobId)).toBe(20);
  });

  it("runs jobs concurrently up to the configured concurrency", async () => {
    let running = 0;
    let peak = 0;
    const run = fakeRun({ steps: 1 });
    startWorker(
      async (context) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 150));
        running -= 1;
        return run(context);
      },
      { concurrency: 3 },
    );
    const ids = await Promise.all(
      Array.from({ length: 6 }, async () => (await q.runs.enqueueRun({ market, ...(await signRunRequest({ market, buyer })), recipe })).jobId),
    );
    for (const id of ids) await waitForJob(q.runs, id);
    expect(peak).toBe(3);
  });
});
