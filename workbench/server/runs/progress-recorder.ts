import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import type { QueueEvents } from "bullmq";
import type { ReportResult, RunProgress, RunResult, RunQueue } from "@iotdm/worker/queues";
import type { MarketChain } from "../chain/market-chain";
import { reconcileSchedule, toNewAttempt } from "../schedules/reconcile";
import { recipeDatasetOf } from "../recipes/recipe-dataset";
import type { RecipeTooling } from "../recipes/recipe-tooling";
import type { RunRecord, ScheduleRecord } from "../store/records";
import type { Store } from "../store/store";
import type { RunRequestJson } from "@iotdm/contracts-client/wire";
import { history } from "./event-stream";
import { FINAL_ORDINAL, type RunEventBus } from "./run-events";
import { toRun } from "./service";

/** How often unfinished runs and live schedules are compared with the queue (events may be missed while down). */
const RECONCILE_INTERVAL_MS = 60_000;

/** Options of the {@link ProgressRecorder}. */
export interface ProgressRecorderOptions {
  store: Store;
  runQueue: RunQueue;
  chain: MarketChain;
  recipes: RecipeTooling;
  bus: RunEventBus;
  logger: FastifyBaseLogger;
  now: () => Date;
}

/**
 * The service-side listener on the worker's queue events: it writes each run's status, progress,
 * transactions and result handles into the store as they arrive, then tells the run's open event
 * streams; it turns each finished report of a schedule into a run and a report of that schedule.
 * Events are not replayed to a listener that was down, so on start (and every minute) it also
 * compares unfinished runs and live schedules with the queue and catches up — and re-enqueues a
 * run whose job is gone (the worker finds a run it already started by its digest on-chain).
 * Every write is idempotent, so several service instances may all listen. Each instance tells its own
 * open streams about every event it hears, whether its write or another instance's landed first
 * (the streams drop what they already sent, by the events' ordinals): a browser following a run on
 * one instance sees every step, whichever instance recorded it.
 */
export class ProgressRecorder {
  readonly #options: ProgressRecorderOptions;
  #events: QueueEvents | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Serialises the handling of one run's events (they arrive in order; writes must land in order). */
  readonly #chains = new Map<string, Promise<void>>();

  constructor(options: ProgressRecorderOptions) {
    this.#options = options;
  }

  /**
   * Starts listening, then catches up with what happened while nobody listened. Waits for the
   * connection at most `connectTimeoutMs`: a service whose Redis is down still starts (and says so
   * in /api/ready); the listener connects when Redis comes back.
   */
  async start(options: { connectTimeoutMs?: number } = {}): Promise<void> {
    const { logger } = this.#options;
    const events = this.#options.runQueue.events();
    this.#events = events;
    events.on("progress", ({ jobId, data }) => this.#serial(jobId, () => this.onProgress(jobId, data as RunProgress)));
    events.on("completed", ({ jobId, returnvalue }) => this.#serial(jobId, () => this.onCompleted(jobId, returnvalue as unknown)));
    events.on("failed", ({ jobId, failedReason }) => this.#serial(jobId, () => this.onFailed(jobId, failedReason)));
    events.on("error", (error) => logger.warn({ err: error }, "queue events connection error"));
    let timer: NodeJS.Timeout | undefined;
    const connected = await Promise.race([
      events.waitUntilReady().then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), options.connectTimeoutMs ?? 5_000))),
    ]).finally(() => clearTimeout(timer));
    if (!connected) logger.warn("the queue's events are not connected yet; run progress is caught up once they are");
    const catchUp = () => this.reconcile().catch((error: unknown) => logger.warn({ err: error }, "catching up with the queue failed"));
    void catchUp();
    this.#timer = setInterval(catchUp, RECONCILE_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Stops listening and waits for the writes in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#events?.close();
    this.#events = undefined;
    await Promise.all([...this.#chains.values()]);
  }

  /** A step of a run went through (the worker reports "stepping" after each `step` transaction). */
  async onProgress(jobId: string, progress: RunProgress): Promise<void> {
    if (progress.phase !== "stepping" || !progress.runId) return;
    const run = await this.#options.store.runs.findByRequestDigest(jobId);
    if (!run) return;
    const running = await this.#markRunning(run, progress.runId, progress.of);
    if (!running) {
      await this.#tellEnded(run.id);
      return;
    }
    const recorded = await this.#options.store.runs.recordStep(run.id, {
      stepsDone: progress.step,
      cursorIndex: cursorAfter(running, progress.step, progress.of),
      txHash: progress.txHash ?? "",
      at: this.#options.now(),
    });
    // Told even when another instance recorded this step first: its streams are not ours.
    if (recorded) {
      this.#options.bus.publish(run.id, {
        type: "step",
        ordinal: 1 + progress.step,
        data: { runId: run.id, step: progress.step, of: progress.of, txHash: progress.txHash ?? null },
      });
    } else await this.#tellEnded(run.id);
  }

  /** A job completed: a run with its result handles, or a schedule's report. */
  async onCompleted(jobId: string, value: unknown): Promise<void> {
    if (isSkippedReport(value)) {
      await this.#syncAttemptsOf(value.scheduleId);
      return;
    }
    if (!isRunResult(value)) return;
    if ("scheduleId" in value && typeof value.scheduleId === "string" && "sequence" in value) {
      await this.recordReport(value as ReportResult);
      await this.#syncAttemptsOf(value.scheduleId);
      return;
    }
    const run = await this.#options.store.runs.findByRequestDigest(jobId);
    if (!run) return;
    const running = await this.#markRunning(run, value.runId, value.steps);
    if (!running) {
      await this.#tellEnded(run.id);
      return;
    }
    const done = await this.#options.store.runs.finish(run.id, { resultHandles: value.handles, txHashes: value.txHashes, at: this.#options.now() });
    if (done) this.#options.bus.publish(run.id, { type: "done", ordinal: FINAL_ORDINAL, data: this.#dto(done) });
    else await this.#tellEnded(run.id);
  }

  /** A job failed for good: its structured failure (a contract rejection, in words) or its last error. */
  async onFailed(jobId: string, failedReason: string): Promise<void> {
    const { store, runQueue } = this.#options;
    const run = await store.runs.findByRequestDigest(jobId);
    if (!run) {
      await this.#syncScheduleOfJob(jobId);
      return;
    }
    const status = await runQueue.getRun(jobId).catch(() => undefined);
    const failure = status?.failure;
    const error = failure?.code
      ? { code: ("contractError" in failure && failure.contractError) || failure.code, message: failure.reason }
      : { code: "JOB_FAILED", message: failure?.reason ?? failedReason };
    const failed = await store.runs.fail(run.id, { error, at: this.#options.now() });
    if (failed) this.#options.bus.publish(run.id, { type: "failed", ordinal: FINAL_ORDINAL, data: this.#dto(failed) });
    else await this.#tellEnded(run.id);
  }

  /** Records a schedule's finished report as a run of that schedule and a report of it (once per chain run). */
  async recordReport(report: ReportResult): Promise<void> {
    const { store, recipes, logger } = this.#options;
    const schedule = await store.schedules.findByAuthorizationDigest(report.scheduleId);
    if (!schedule) return;
    const fromIndex = Number(report.window.fromIndex);
    const toIndex = Number(report.window.toIndex);
    const dataset = await store.datasets.get(schedule.datasetId);
    const planned = dataset
      ? recipes.plan({
          source: schedule.source,
          ...(schedule.params && { params: schedule.params }),
          dataset: { ...recipeDatasetOf(dataset), readingCount: toIndex },
          now: Math.floor(this.#options.now().getTime() / 1000),
          window: { fromIndex, toIndex },
        })
      : undefined;
    const at = this.#options.now();
    await store.transaction(async (tx) => {
      const { run, created } = await tx.runs.create({
        id: randomUUID(),
        buyer: schedule.owner,
        notebookId: schedule.notebookId,
        cellId: schedule.cellId,
        scheduleId: schedule.id,
        datasetId: schedule.datasetId,
        programHash: report.programHash.toLowerCase(),
        program: report.ops,
        source: schedule.source,
        params: schedule.params,
        plan: planned?.ok ? planned.plan.json : undefined,
        fromIndex,
        toIndex,
        // One run per chain run of the schedule: a report recorded twice is stored once.
        requestDigest: `report:${report.scheduleId.toLowerCase()}:${report.runId}`,
        request: { authorization: schedule.authorization, sequence: report.sequence, window: report.window },
        signature: schedule.signature,
        at,
      });
      if (!created) return;
      await tx.runs.markRunning(run.id, { chainRunId: report.runId, stepsTotal: report.steps, at });
      await tx.runs.finish(run.id, { resultHandles: report.handles, txHashes: report.txHashes, at });
      await tx.schedules.recordRun(schedule.id, { reportId: randomUUID(), runId: run.id, fromIndex, toIndex, at });
    });
    logger.info({ scheduleId: schedule.id, sequence: report.sequence, chainRunId: report.runId }, "report recorded");
  }

  /** Compares unfinished runs and live schedules with the queue, and catches up. */
  async reconcile(): Promise<void> {
    const { store, runQueue } = this.#options;
    for (const run of await store.runs.listUnfinished(500)) {
      await this.#serial(run.requestDigest, async () => {
        const status = await runQueue.getRun(run.requestDigest);
        if (!status) {
          await this.#requeue(run);
          return;
        }
        if (status.state === "completed" && status.result) await this.onCompleted(run.requestDigest, status.result);
        else if (status.state === "failed") await this.onFailed(run.requestDigest, status.failure?.reason ?? "the job failed");
        else if (status.progress) await this.onProgress(run.requestDigest, status.progress);
      });
    }
    for (const live of await store.schedules.listLive()) {
      try {
        for (const report of await runQueue.listReports(live.authorizationDigest)) await this.recordReport(report);
        await this.syncAttempts(live);
        const schedule = await this.syncScheduleStatus(live);
        const outcome = await reconcileSchedule({ schedule, store, runQueue, chain: this.#options.chain });
        if (!outcome.ok) this.#options.logger.warn({ scheduleId: schedule.id, problem: outcome.problem }, "schedule not restored in the queue");
        else if (outcome.repaired.length > 0) {
          this.#options.logger.warn({ scheduleId: schedule.id, repaired: outcome.repaired }, "schedule restored in the queue (Redis had lost it)");
        }
      } catch (error) {
        this.#options.logger.warn({ err: error, scheduleId: live.id }, "catching up with a schedule failed");
      }
    }
  }

  /** Copies the worker's record of schedule `schedule`'s tick attempts (reports, skips, failures) into the store. */
  async syncAttempts(schedule: ScheduleRecord): Promise<void> {
    const attempts = await this.#options.runQueue.listAttempts(schedule.authorizationDigest);
    const added = await this.#options.store.schedules.recordAttempts(
      schedule.id,
      attempts.map((attempt) => toNewAttempt(attempt, randomUUID())),
    );
    if (added > 0) this.#options.logger.debug({ scheduleId: schedule.id, added }, "schedule attempts recorded");
  }

  async #syncAttemptsOf(authorizationDigest: string): Promise<void> {
    const schedule = await this.#options.store.schedules.findByAuthorizationDigest(authorizationDigest);
    if (schedule) await this.syncAttempts(schedule);
  }

  /**
   * Brings a live schedule's status in line with the worker's: a schedule the worker ended (all runs
   * done, authorization expired, a rejection no later tick can avoid) ends here too, with its reason;
   * one it paused (the buyer's balance is short of a report's quote) is paused here, with its reason.
   */
  async syncScheduleStatus(schedule: ScheduleRecord): Promise<ScheduleRecord> {
    if (schedule.status !== "active" && schedule.status !== "paused") return schedule;
    const view = await this.#options.runQueue.getSchedule(schedule.authorizationDigest);
    if (view?.status === "paused" && schedule.status === "active" && view.pausedReason) {
      // The worker paused it (a report's quote is more than the buyer's balance): paused here too, with why.
      const paused = await this.#options.store.schedules.setStatus(schedule.id, schedule.owner, {
        from: ["active"],
        to: "paused",
        at: this.#options.now(),
        pausedReason: view.pausedReason,
      });
      return paused ?? schedule;
    }
    if (view?.status !== "ended") return schedule;
    const reason = view.endedReason ?? "ended by the worker";
    const completed = reason === "all runs done";
    const ended = await this.#options.store.schedules.setStatus(schedule.id, schedule.owner, {
      from: ["active", "paused"],
      to: completed ? "completed" : "expired",
      at: this.#options.now(),
      ...(completed ? {} : { endedReason: reason }),
    });
    return ended ?? schedule;
  }

  async #syncScheduleOfJob(jobId: string): Promise<void> {
    const job = await this.#options.runQueue.queue.getJob(jobId).catch(() => undefined);
    const scheduleId = (job?.data as { scheduleId?: unknown } | undefined)?.scheduleId;
    if (typeof scheduleId !== "string") return;
    const schedule = await this.#options.store.schedules.findByAuthorizationDigest(scheduleId);
    if (!schedule) return;
    await this.syncAttempts(schedule);
    await this.syncScheduleStatus(schedule);
  }

  /**
   * Tells this instance's streams the whole stored story of run `runId` once it has ended: another
   * instance heard the run's last events first and ended it, so this instance's writes were refused,
   * yet its streams (its own, not that instance's) may not have heard the running, the steps or the
   * end. Each stream drops what it already sent (by ordinal), and the end closes it.
   */
  async #tellEnded(runId: string): Promise<void> {
    const run = await this.#options.store.runs.get(runId);
    if (run?.status !== "done" && run?.status !== "error") return;
    // Not `queued`: every stream sends that first, from the store, when it opens.
    for (const event of history(run, (ended) => this.#dto(ended))) if (event.type !== "queued") this.#options.bus.publish(run.id, event);
  }

  /**
   * The run, marked running on-chain as `chainRunId` if it was still queued, and its streams told
   * that it runs (again, if another instance marked it: those were that instance's streams).
   */
  async #markRunning(run: RunRecord, chainRunId: string, stepsTotal: number): Promise<RunRecord | undefined> {
    if (run.status !== "queued" && run.status !== "running") return undefined;
    const running = run.status === "running" ? run : await this.#options.store.runs.markRunning(run.id, { chainRunId, stepsTotal, at: this.#options.now() });
    if (running) {
      this.#options.bus.publish(run.id, {
        type: "running",
        ordinal: 1,
        data: { runId: run.id, chainRunId, stepsTotal, startedAt: running.startedAt },
      });
    }
    return running;
  }

  async #requeue(run: RunRecord): Promise<void> {
    const deployment = this.#options.chain.deployment();
    if (!deployment) return;
    if (run.request === null || typeof run.request !== "object" || !("nonce" in run.request)) return; // a report's run
    await this.#options.runQueue.enqueueRun({
      market: { chainId: deployment.chainId, address: deployment.address },
      request: run.request as RunRequestJson,
      signature: run.signature,
      recipe: { source: run.source, params: run.params ?? {} },
      origin: { userId: run.buyer, ...(run.notebookId && { notebookId: run.notebookId }), ...(run.cellId && { cellId: run.cellId }) },
    });
    this.#options.logger.info({ runId: run.id }, "re-enqueued a run whose job was gone");
  }

  #dto(run: RunRecord) {
    return toRun(run, this.#marketAddress());
  }

  #marketAddress(): string | null {
    try {
      return this.#options.chain.deployment()?.address ?? null;
    } catch {
      return null;
    }
  }

  /** Runs `work` after the previous work of the same job (events of one job are handled in order). */
  #serial(jobId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.#chains.get(jobId) ?? Promise.resolve();
    const next = previous
      .then(work)
      .catch((error: unknown) => this.#options.logger.warn({ err: error, jobId }, "recording a queue event failed"))
      .finally(() => {
        if (this.#chains.get(jobId) === next) this.#chains.delete(jobId);
      });
    this.#chains.set(jobId, next);
    return next;
  }
}

/** The cursor after `step` of `of` steps, from the run's plan (the worker plans the same sizes). */
function cursorAfter(run: RunRecord, step: number, of: number): number {
  const steps = (run.plan as { steps?: { size: number }[] } | null)?.steps;
  if (steps && steps.length === of) return run.fromIndex + steps.slice(0, step).reduce((sum, s) => sum + s.size, 0);
  // The worker re-planned (the contract's step sizes won): an estimate, exact at the end.
  return step >= of ? run.toIndex : run.fromIndex + Math.floor(((run.toIndex - run.fromIndex) * step) / of);
}

function isSkippedReport(value: unknown): value is { skipped: true; scheduleId: string; reason: string } {
  return typeof value === "object" && value !== null && "skipped" in value && "scheduleId" in value && typeof value.scheduleId === "string";
}

function isRunResult(value: unknown): value is RunResult {
  return typeof value === "object" && value !== null && "runId" in value && "handles" in value;
}
