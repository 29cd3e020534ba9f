/**
 * Recurring reports as BullMQ job schedulers, against real Redis, with a stand-in report processor
 * (no chain): ticks, pause/resume/remove, maxRuns and expiry, restarts. The chain-backed report
 * processor is tested in recipe-runs.test.ts.
 */
import { Wallet } from "ethers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ReportJobData, ReportResult } from "../src/job-schemas";
import { createLogger } from "../src/logger";
import { createRunQueue } from "../src/queues";
import { createRunWorker, type ProcessorContext, type Processors, type RunWorker } from "../src/run-worker";
import { signStandingAuthorization } from "./support/consent";
import { openTestQueue, type TestQueue } from "./support/redis-queue";
import { waitFor } from "./support/wait";

const market = { chainId: 31337, address: "0x00000000000000000000000000000000000000aa" };
const buyer = Wallet.createRandom();
const recipe = { source: "from \"x\" window since previous report\nmean(value)", params: {} };
const logger = createLogger({ level: "silent" });

const noRuns: Processors["run"] = async () => {
  throw new Error("no runs in this test");
};

describe("recurring reports (stand-in processor)", () => {
  let q: TestQueue;
  const workers: RunWorker[] = [];

  /** A report processor that keeps consecutive 8-reading windows, like the chain would. */
  function fakeReport() {
    return async ({ data }: ProcessorContext<ReportJobData>): Promise<ReportResult> => {
      const record = await q.runs.schedules.get(data.scheduleId);
      if (!record) throw new Error("schedule gone");
      const sequence = (await q.runs.schedules.reportCount(data.scheduleId)) + 1;
      const report: ReportResult = {
        scheduleId: data.scheduleId,
        sequence,
        runId: String(sequence),
        datasetId: record.authorization.datasetId,
        buyer: record.authorization.buyer,
        programHash: record.authorization.programHash,
        ops: [],
        window: { fromIndex: String((sequence - 1) * 8), toIndex: String(sequence * 8) },
        handles: [],
        txHashes: [],
        steps: 1,
        finishedAt: Date.now(),
      };
      await q.runs.recordReport(report);
      return report;
    };
  }

  function startWorker() {
    const worker = createRunWorker({
      name: q.name,
      prefix: q.prefix,
      connection: q.connection(),
      processors: { run: noRuns, report: fakeReport() },
      logger,
    });
    workers.push(worker);
    return worker;
  }

  async function schedule(options: { maxRuns?: number; expiry?: number; every?: number } = {}) {
    const signed = await signStandingAuthorization({
      market,
      buyer,
      authorization: {
        maxRuns: options.maxRuns ?? 50,
        ...(options.expiry ? { expiry: String(options.expiry) } : {}),
      },
    });
    return q.runs.upsertSchedule({ market, ...signed, recipe, repeat: { every: options.every ?? 1_000 } });
  }

  const reportCount = (id: string) => q.runs.schedules.reportCount(id);

  beforeEach(() => {
    q = openTestQueue("schedules");
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close({ release: false })));
    await q.dispose();
  });

  it("ticks reports over consecutive windows at a fixed interval", async () => {
    startWorker();
    const view = await schedule({ every: 1_000 });
    expect(view.status).toBe("active");

    await waitFor(async () => ((await reportCount(view.id)) >= 3 ? true : undefined), { timeoutMs: 10_000, what: "3 reports" });
    const reports = await q.runs.listReports(view.id);
    const [tick] = await q.runs.queue.getJobs(["completed"]);
    expect((await q.runs.getRun(tick!.id!))?.result).toMatchObject({ scheduleId: view.id, sequence: expect.any(Number) });
    expect(reports.slice(0, 3).map((r) => [r.sequence, r.window.fromIndex, r.window.toIndex])).toEqual([
      [1, "0", "8"],
      [2, "8", "16"],
      [3, "16", "24"],
    ]);
  });

  it("uses the authorization digest as the schedule id and upserts instead of duplicating", async () => {
    const inAMonth = String(Math.floor(Date.now() / 1000) + 30 * 24 * 3600);
    const signed = await signStandingAuthorization({ market, buyer, authorization: { expiry: inAMonth } });
    const first = await q.runs.upsertSchedule({ market, ...signed, recipe, repeat: { every: 60_000 } });
    const second = await q.runs.upsertSchedule({ market, ...signed, recipe, repeat: { pattern: "0 7 * * *", tz: "Europe/Paris" } });
    const { standingAuthorizationDigest } = await import("../src/consent");

    expect(second.id).toBe(first.id);
    expect(first.id).toBe(standingAuthorizationDigest({ market, authorization: signed.authorization }).toLowerCase());
    expect(await q.runs.listSchedules()).toHaveLength(1);
    const scheduler = await q.runs.queue.getJobScheduler(first.id);
    expect(scheduler).toMatchObject({ pattern: "0 7 * * *", tz: "Europe/Paris" });
  });

  it("keeps one job scheduler and one pending tick when several service instances restore a schedule at once", async () => {
    // Four instances' queues on one Redis, each restoring at its start a schedule that Redis lost.
    const signed = await signStandingAuthorization({ market, buyer });
    const input = { market, ...signed, recipe, repeat: { every: 60_000 } };
    const instances = [q.runs, ...[1, 2, 3].map(() => createRunQueue({ name: q.name, prefix: q.prefix }))];
    try {
      const outcomes = await Promise.all(instances.map((runs) => runs.reconcileSchedule(input, "active")));
      const id = outcomes[0]!.view.id;
      expect(outcomes.some((outcome) => outcome.repaired.includes("scheduler"))).toBe(true);
      expect((await q.runs.queue.getJobSchedulers()).map((scheduler) => scheduler.key)).toEqual([id]);
      const pending = await q.runs.queue.getJobs(["wait", "delayed", "prioritized"]);
      expect(pending.filter((job) => job.name === "report").map((job) => job.data)).toEqual([{ kind: "report", scheduleId: id }]);

      // Later passes (every minute, on each instance) leave it as it is.
      await Promise.all(instances.map((runs) => runs.reconcileSchedule(input, "active")));
      expect(await q.runs.queue.getJobSchedulers()).toHaveLength(1);
      expect((await q.runs.queue.getJobs(["wait", "delayed", "prioritized"])).filter((job) => job.name === "report")).toHaveLength(1);
    } finally {
      await Promise.all(instances.slice(1).map((runs) => runs.close()));
    }
  });

  it("keeps a schedule paused when a buyer pauses it while another instance's pass restores it", async () => {
    const signed = await signStandingAuthorization({ market, buyer });
    const input = { market, ...signed, recipe, repeat: { every: 60_000 } };
    const { id } = await q.runs.upsertSchedule(input);
    const other = createRunQueue({ name: q.name, prefix: q.prefix });
    try {
      // The other instance's minute pass reads "active" from the store, then the buyer pauses on this one.
      let storeSays: "active" | "paused" = "active";
      let read!: () => void;
      const hasRead = new Promise<void>((resolve) => (read = resolve));
      let proceed!: () => void;
      const mayProceed = new Promise<void>((resolve) => (proceed = resolve));
      const pass = other.reconcileSchedule(input, async () => {
        const status = storeSays;
        read();
        await mayProceed;
        return status;
      });
      await hasRead;
      storeSays = "paused";
      const pausing = q.runs.pauseSchedule(id);
      proceed();
      await Promise.all([pass, pausing]);

      expect((await q.runs.getSchedule(id))?.status).toBe("paused");
      expect(await q.runs.queue.getJobScheduler(id)).toBeUndefined();
      // A pass after it reads "paused" and leaves it so; one that finds the schedule ended does nothing.
      expect((await other.reconcileSchedule(input, async () => storeSays)).repaired).toEqual([]);
      expect((await other.reconcileSchedule(input, async () => undefined)).repaired).toEqual([]);
      expect(await q.runs.queue.getJobScheduler(id)).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it("stops ticking while paused and continues after resume", async () => {
    startWorker();
    const view = await schedule({ every: 1_000 });
    await waitFor(async () => ((await reportCount(view.id)) >= 1 ? true : undefined), { timeoutMs: 5_000, what: "a report" });

    const paused = await q.runs.pauseSchedule(view.id);
    expect(paused?.status).toBe("paused");
    expect(await q.runs.queue.getJobScheduler(view.id)).toBeUndefined();
    const countWhenPaused = await reportCount(view.id);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await reportCount(view.id)).toBe(countWhenPaused);

    const resumed = await q.runs.resumeSchedule(view.id);
    expect(resumed?.status).toBe("active");
    await waitFor(async () => ((await reportCount(view.id)) > countWhenPaused ? true : undefined), {
      timeoutMs: 5_000,
      what: "a report after resume",
    });
  });

  it("stops for good when removed, keeping the reports already made", async () => {
    startWorker();
    const view = await schedule({ every: 1_000 });
    await waitFor(async () => ((await reportCount(view.id)) >= 1 ? true : undefined), { timeoutMs: 5_000, what: "a report" });

    expect(await q.runs.removeSchedule({ id: view.id })).toBe(true);
    const kept = await reportCount(view.id);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await q.runs.getSchedule(view.id)).toBeUndefined();
    expect(await q.runs.queue.getJobScheduler(view.id)).toBeUndefined();
    expect(await reportCount(view.id)).toBe(kept);
    expect(kept).toBeGreaterThanOrEqual(1);
  });

  it("ends after maxRuns reports", async () => {
    startWorker();
    const view = await schedule({ every: 1_000, maxRuns: 2 });

    await waitFor(async () => ((await q.runs.getSchedule(view.id))?.status === "ended" ? true : undefined), {
      timeoutMs: 8_000,
      what: "the schedule to end",
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await reportCount(view.id)).toBe(2);
    expect((await q.runs.getSchedule(view.id))?.endedReason).toBe("all runs done");
  });

  it("ends at once when no cron tick falls before the authorization expires", async () => {
    const signed = await signStandingAuthorization({
      market,
      buyer,
      authorization: { expiry: String(Math.floor(Date.now() / 1000) + 60) },
    });
    // Midnight on the 1st of January, UTC: never within the next minute but on New Year's Eve.
    const view = await q.runs.upsertSchedule({ market, ...signed, recipe, repeat: { pattern: "0 0 1 1 *", tz: "UTC" } });
    const newYearSoon = new Date(Date.now() + 60_000).getUTCFullYear() !== new Date().getUTCFullYear();
    if (!newYearSoon) {
      expect(view.status).toBe("ended");
      expect(view.endedReason).toBe("no report time before the authorization expires");
    }
  });

  it("refuses a fixed interval shorter than the authorization's cadence", async () => {
    const signed = await signStandingAuthorization({ market, buyer, authorization: { cadence: "3600" } });
    await expect(q.runs.upsertSchedule({ market, ...signed, recipe, repeat: { every: 60_000 } })).rejects.toThrow(
      /repeat.every must be at least the authorization's cadence/,
    );
    expect(await q.runs.listSchedules()).toEqual([]);
  });

  it("does not tick for an authorization that has already expired", async () => {
    const view = await schedule({ expiry: Math.floor(Date.now() / 1000) - 10 });
    expect(view.status).toBe("ended");
    expect(view.endedReason).toBe("authorization expired");
    expect(await q.runs.queue.getJobScheduler(view.id)).toBeUndefined();
  });

  it("keeps ticking across a worker restart (the scheduler lives in Redis)", async () => {
    const first = startWorker();
    const view = await schedule({ every: 1_000 });
    await waitFor(async () => ((await reportCount(view.id)) >= 1 ? true : undefined), { timeoutMs: 5_000, what: "a report" });
    await first.close();
    const before = await reportCount(view.id);

    startWorker();
    await waitFor(async () => ((await reportCount(view.id)) >= before + 2 ? true : undefined), {
      timeoutMs: 8_000,
      what: "reports after the restart",
    });
  });
});
