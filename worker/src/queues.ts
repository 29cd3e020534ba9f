/**
 * The producer API: everything the workbench needs to enqueue runs, manage recurring reports and
 * read their outcome. It imports no processor, no chain client and no recipe compiler, so the
 * service stays light; the worker process (`main.ts`) does the work.
 *
 * ```ts
 * const runs = createRunQueue({ redisUrl });
 * const { jobId } = await runs.enqueueRun({ market, request, signature, recipe, origin });
 * const events = runs.events(); // QueueEvents: "progress", "completed", "failed"
 * ```
 */
import { Queue, QueueEvents, type Job, type JobsOptions, type JobSchedulerTemplateOptions, type JobState } from "bullmq";
import type { Redis } from "ioredis";
import { runRequestDigest, standingAuthorizationDigest } from "./consent";
import {
  failureSchema,
  jobResultSchema,
  runJobDataSchema,
  scheduleInputSchema,
  type Failure,
  type JobData,
  type ReportAttempt,
  type JobName,
  type JobResult,
  type ReportResult,
  type RunJobInput,
  type RunProgress,
  type ScheduleInput,
  type ScheduleRecord,
} from "./job-schemas";
import { RedisLease } from "./lease";
import { createRedisConnection } from "./redis";
import { ScheduleStore } from "./schedule-store";

export { RedisLease, describeHolder, type LeaseHolder, type LeaseState } from "./lease";

/** What a job yields and reports, as the producer reads it back. */
export type { ReportAttempt, ReportResult, RunProgress, RunResult, ScheduleInput } from "./job-schemas";

/** Queue of recipe runs and report ticks. */
export const DEFAULT_QUEUE_NAME = "recipe-runs";
/** Redis key prefix of the project's queues. */
export const DEFAULT_QUEUE_PREFIX = "iotdm";

const DAY_S = 24 * 60 * 60;

/**
 * Options of every run job. Transient failures are retried with exponential backoff (2 s, 4 s,
 * 8 s, 16 s); rejections fail at once (UnrecoverableError). Finished jobs are kept long enough to
 * answer duplicates and to show history; after that, a resubmitted request still runs once, because
 * the worker finds the chain run by its digest.
 */
export const RUN_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: "exponential", delay: 2_000 },
  removeOnComplete: { age: 30 * DAY_S },
  removeOnFail: { age: 90 * DAY_S },
} satisfies JobsOptions;

/** Options of every report tick (the reports themselves are kept in the schedule store). */
export const REPORT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: "exponential", delay: 2_000 },
  removeOnComplete: { count: 1_000 },
  removeOnFail: { count: 1_000 },
} satisfies JobSchedulerTemplateOptions;

/** Where a job is in its life. */
export type RunState = JobState | "unknown";

/** What the workbench learns about one job. */
export interface RunStatus {
  jobId: string;
  name: JobName;
  state: RunState;
  /** Last progress event, when the job has reported one. */
  progress?: RunProgress;
  /** The result, when completed. */
  result?: JobResult;
  /** Why it failed, when failed: structured for rejections, the plain message otherwise. */
  failure?: Failure | { code?: undefined; reason: string };
  /** Attempts made so far (a transient error uses one). */
  attemptsMade: number;
  createdAt: number;
  finishedAt?: number;
}

/** A schedule as listed: the record, and when it next ticks. */
export interface ScheduleView extends ScheduleRecord {
  /** Unix ms of the next tick, when active. */
  nextRunAt?: number;
  /** Reports kept so far. */
  reportCount: number;
}

/** Options of {@link createRunQueue}. */
export interface RunQueueOptions {
  /** An ioredis connection to share; one is created from `redisUrl` otherwise (and closed with the queue). */
  connection?: Redis;
  redisUrl?: string;
  name?: string;
  prefix?: string;
}

/** How long a cancellation request is kept for a worker to see (longer than any run). */
const CANCEL_REQUEST_TTL_SECONDS = 7 * 86_400;
/** How long one change of a schedule may hold its lock (far longer than one takes), and how long another waits for it. */
const SCHEDULE_LOCK_TTL_MS = 15_000;
const SCHEDULE_LOCK_WAIT_MS = 20_000;

/** What a reconcile pass put back: the record, its status, the job scheduler. */
export type ScheduleRepair = "record" | "status" | "scheduler";

/** A schedule input as validated. */
type ParsedScheduleInput = ReturnType<typeof scheduleInputSchema.parse>;

/** A schedule's state as the caller's store says it is now; undefined once it has ended there. */
export type StoredScheduleStatus = "active" | "paused" | undefined;

/** The producer side of the runs queue. Create one per process with {@link createRunQueue}. */
export class RunQueue {
  /** The underlying BullMQ queue (for dashboards and tests). */
  readonly queue: Queue<JobData, JobResult, JobName>;
  /** Schedule records and reports. */
  readonly schedules: ScheduleStore;
  readonly name: string;
  readonly prefix: string;
  readonly #connection: Redis;
  readonly #ownsConnection: boolean;
  #events: { events: QueueEvents; connection: Redis }[] = [];

  constructor(options: RunQueueOptions = {}) {
    this.name = options.name ?? DEFAULT_QUEUE_NAME;
    this.prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX;
    this.#ownsConnection = options.connection === undefined;
    this.#connection = options.connection ?? createRedisConnection({ url: options.redisUrl, role: "producer" });
    this.queue = new Queue<JobData, JobResult, JobName>(this.name, {
      connection: this.#connection,
      prefix: this.prefix,
    });
    this.schedules = new ScheduleStore({ redis: this.#connection, prefix: this.prefix, queueName: this.name });
  }

  /**
   * Enqueues a signed run request. The job id is the request's EIP-712 digest, so submitting the
   * same request again returns the existing job (`duplicate: true`) instead of running twice.
   * Throws a ZodError when `input` is malformed; everything else (signature, access, approvals,
   * recipe) is checked by the worker and ends as a failed job with a reason.
   */
  async enqueueRun(input: Omit<RunJobInput, "kind" | "state" | "failure">): Promise<{ jobId: string; duplicate: boolean }> {
    const data = runJobDataSchema.parse({ ...input, kind: "run" });
    const jobId = runRequestDigest({ market: data.market, request: data.request }).toLowerCase();
    if (await this.queue.getJob(jobId)) return { jobId, duplicate: true };
    // Two concurrent submissions may both pass the check above; BullMQ keeps only one job per id.
    await this.queue.add("run", data, { ...RUN_JOB_OPTIONS, jobId });
    return { jobId, duplicate: false };
  }

  /**
   * Cancels run `jobId` for its buyer. A job still waiting is removed (`removed`: nothing was
   * sent). A running one is asked to stop (`requested`): its worker finishes the transaction in
   * flight and stops before the next step, failing the job with CANCELLED; the contract run simply
   * stays unfinished. A finished job is left alone (`finished`).
   */
  async cancelRun(jobId: string): Promise<"removed" | "requested" | "finished" | "unknown"> {
    const id = jobId.toLowerCase();
    const state = (await this.queue.getJobState(id)) as RunState;
    if (state === "unknown") return "unknown";
    if (state === "completed" || state === "failed") return "finished";
    // Set first: a waiting job a worker takes meanwhile still sees the request before its first transaction.
    await this.#connection.set(this.#cancelKey(id), "1", "EX", CANCEL_REQUEST_TTL_SECONDS);
    if (state !== "active") {
      const job = await this.queue.getJob(id);
      const removed = await job
        ?.remove()
        .then(() => true)
        .catch(() => false); // locked: a worker took it in between, and will see the request
      if (removed) return "removed";
    }
    return "requested";
  }

  /**
   * A lease named `name` in this queue's Redis (`<prefix>:<queue>:lease:<name>`), for work that one
   * process of the deployment at a time should do (the service's chain indexer): whoever takes it
   * holds it while renewing it, and a holder that dies loses it after `ttlMs`.
   */
  lease(options: { name: string; ttlMs: number; role: string }): RedisLease {
    return new RedisLease({ redis: this.#connection, key: `${this.prefix}:${this.name}:lease:${options.name}`, ttlMs: options.ttlMs, role: options.role });
  }

  /** Whether the buyer asked to cancel run `jobId` ({@link cancelRun}); workers ask between steps. */
  async isCancelRequested(jobId: string): Promise<boolean> {
    return (await this.#connection.exists(this.#cancelKey(jobId.toLowerCase()))) === 1;
  }

  /**
   * Where waiting job `jobId` stands: its place in the line (1 = next), the jobs running now, and
   * how long recent runs took (median of the last 20 finished ones, in ms), for an estimate.
   * Undefined when the job is not waiting (running, finished or unknown).
   */
  async queuePosition(jobId: string): Promise<{ position: number; waiting: number; active: number; typicalRunMs: number | null } | undefined> {
    const id = jobId.toLowerCase();
    const waiting = await this.queue.getJobs(["prioritized", "waiting"], 0, -1, true);
    const index = waiting.findIndex((job) => job.id === id);
    if (index === -1) return undefined;
    const [active, completed] = await Promise.all([this.queue.getActiveCount(), this.queue.getJobs(["completed"], 0, 19, false)]);
    const durations = completed
      .filter((job) => job.name === "run" && job.processedOn && job.finishedOn)
      .map((job) => job.finishedOn! - job.processedOn!)
      .sort((a, b) => a - b);
    const typicalRunMs = durations.length > 0 ? durations[Math.floor(durations.length / 2)]! : null;
    return { position: index + 1, waiting: waiting.length, active, typicalRunMs };
  }

  #cancelKey(jobId: string): string {
    return `${this.prefix}:${this.name}:cancel:${jobId}`;
  }

  /** The state, progress, result or failure of job `jobId`; undefined if unknown (or expired). */
  async getRun(jobId: string): Promise<RunStatus | undefined> {
    // State first, then the job: a job read before it finished could otherwise be reported as
    // completed without its return value.
    const state = (await this.queue.getJobState(jobId)) as RunState;
    const job = await this.queue.getJob(jobId);
    if (!job || !job.id) return undefined;
    const status: RunStatus = {
      jobId: job.id,
      name: job.name,
      state,
      attemptsMade: job.attemptsMade,
      createdAt: job.timestamp,
      ...(job.finishedOn ? { finishedAt: job.finishedOn } : {}),
    };
    if (job.progress && typeof job.progress === "object") status.progress = job.progress as RunProgress;
    if (state === "completed") status.result = jobResultSchema.parse(job.returnvalue);
    if (state === "failed") {
      const failure = failureSchema.safeParse((job.data as { failure?: unknown }).failure);
      status.failure = failure.success ? failure.data : { reason: job.failedReason };
    }
    return status;
  }

  /**
   * Runs a failed job again (a "retry" button: the buyer renewed access, the seller approved the
   * kind, the node is back). The request's signature and deadline still apply, and the run
   * continues from the chain's cursor. Returns false unless job `jobId` exists and has failed.
   */
  async retryRun(jobId: string): Promise<boolean> {
    if ((await this.queue.getJobState(jobId)) !== "failed") return false;
    const job = (await this.queue.getJob(jobId)) as Job<JobData> | undefined;
    if (!job) return false;
    const data: JobData = { ...job.data };
    delete data.failure;
    await job.updateData(data);
    await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
    return true;
  }

  /**
   * Creates or updates the recurring report of a signed standing authorization. Its id is the
   * authorization's digest. The BullMQ job scheduler ticks with `repeat` (`every` ms, or a cron
   * `pattern` in `tz`) until the authorization's expiry; the schedule ends after `maxRuns` reports.
   * Scheduler and record live in Redis, so they survive worker restarts. A paused schedule stays
   * paused; an ended one stays ended.
   */
  async upsertSchedule(input: ScheduleInput): Promise<ScheduleView> {
    const parsed = scheduleInputSchema.parse(input);
    const id = standingAuthorizationDigest({ market: parsed.market, authorization: parsed.authorization }).toLowerCase();
    return this.#exclusively(id, () => this.#upsert(parsed, id));
  }

  async #upsert(parsed: ParsedScheduleInput, id: string): Promise<ScheduleView> {
    const existing = await this.schedules.get(id);
    const now = Date.now();
    const record: ScheduleRecord = {
      ...parsed,
      id,
      status: existing?.status ?? "active",
      ...(existing?.endedReason ? { endedReason: existing.endedReason } : {}),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await this.schedules.put(record);
    if (record.status === "active") await this.#arm(record);
    return (await this.getSchedule(id))!;
  }

  /**
   * Stops the ticks of schedule `id` until {@link resumeSchedule}; reports so far are kept. `reason`: why the worker
   * paused it (none when its buyer did).
   */
  pauseSchedule(id: string, reason?: string): Promise<ScheduleView | undefined> {
    return this.#exclusively(id, () => this.#pause(id, reason));
  }

  async #pause(id: string, reason?: string): Promise<ScheduleView | undefined> {
    const record = await this.schedules.get(id);
    if (!record) return undefined;
    if (record.status === "active") {
      await this.queue.removeJobScheduler(record.id);
      await this.schedules.setStatus(record.id, "paused", reason);
    }
    return this.getSchedule(id);
  }

  /** Restarts the ticks of a paused schedule; the next report covers everything since the last one. */
  resumeSchedule(id: string): Promise<ScheduleView | undefined> {
    return this.#exclusively(id, () => this.#resume(id));
  }

  async #resume(id: string): Promise<ScheduleView | undefined> {
    const record = await this.schedules.get(id);
    if (!record) return undefined;
    if (record.status === "paused") {
      const active = (await this.schedules.setStatus(record.id, "active"))!;
      await this.#arm(active);
    }
    return this.getSchedule(id);
  }

  /**
   * Deletes schedule `id`: no more ticks, and the record is gone. Its reports are kept (they are the
   * buyer's results) unless `purgeReports` is set. Returns false if there was no such schedule.
   */
  async removeSchedule(options: { id: string; purgeReports?: boolean }): Promise<boolean> {
    const id = options.id.toLowerCase();
    await this.queue.removeJobScheduler(id);
    return this.schedules.delete({ id, keepReports: !options.purgeReports });
  }

  /** Schedule `id` with its next tick, or undefined. */
  async getSchedule(id: string): Promise<ScheduleView | undefined> {
    const record = await this.schedules.get(id);
    return record ? this.#view(record) : undefined;
  }

  /** Every schedule, optionally only one buyer's, oldest first. */
  async listSchedules(filter: { buyer?: string } = {}): Promise<ScheduleView[]> {
    const records = await this.schedules.list();
    const buyer = filter.buyer?.toLowerCase();
    const mine = buyer ? records.filter((r) => r.authorization.buyer.toLowerCase() === buyer) : records;
    return Promise.all(mine.map((record) => this.#view(record)));
  }

  /** The latest tick attempts of schedule `scheduleId` (reports, skips, failures with their reason), newest first. */
  async listAttempts(scheduleId: string): Promise<ReportAttempt[]> {
    return this.schedules.attempts(scheduleId);
  }

  /**
   * Makes the queue hold schedule `input` as the caller's store says it is (`active` or `paused`):
   * the record is written again if Redis lost it, and an active schedule whose BullMQ job scheduler
   * is missing (Redis restarted without its data, a scheduler removed by hand) is armed again. An
   * ended record stays ended. Returns the schedule as the queue now holds it and what was repaired
   * (nothing when the store says it has ended).
   *
   * `status` is read while holding the schedule's lock, which pause and resume take too: a pass that
   * read "active" before a buyer paused on another instance must not arm the schedule again after
   * the pause removed its scheduler (it would tick while paused until the next pass).
   */
  reconcileSchedule(input: ScheduleInput, status: "active" | "paused"): Promise<{ view: ScheduleView; repaired: ScheduleRepair[] }>;
  reconcileSchedule(input: ScheduleInput, status: () => Promise<StoredScheduleStatus>): Promise<{ view: ScheduleView | undefined; repaired: ScheduleRepair[] }>;
  async reconcileSchedule(
    input: ScheduleInput,
    status: "active" | "paused" | (() => Promise<StoredScheduleStatus>),
  ): Promise<{ view: ScheduleView | undefined; repaired: ScheduleRepair[] }> {
    const parsed = scheduleInputSchema.parse(input);
    const id = standingAuthorizationDigest({ market: parsed.market, authorization: parsed.authorization }).toLowerCase();
    return this.#exclusively(id, async () => {
      const stored = typeof status === "function" ? await status() : status;
      if (stored === undefined) return { view: await this.getSchedule(id), repaired: [] };
      return this.#reconcile(parsed, id, stored);
    });
  }

  async #reconcile(parsed: ParsedScheduleInput, id: string, status: "active" | "paused"): Promise<{ view: ScheduleView; repaired: ScheduleRepair[] }> {
    const repaired: ScheduleRepair[] = [];
    let record = await this.schedules.get(id);
    if (!record) {
      const now = Date.now();
      record = { ...parsed, id, status, createdAt: now, updatedAt: now };
      await this.schedules.put(record);
      repaired.push("record");
    } else if (record.status !== "ended" && record.status !== status) {
      if (status === "paused") await this.queue.removeJobScheduler(id);
      record = (await this.schedules.setStatus(id, status))!;
      repaired.push("status");
    }
    if (record.status === "active" && !(await this.queue.getJobScheduler(id))) {
      await this.#arm(record);
      repaired.push("scheduler");
    }
    return { view: (await this.getSchedule(id))!, repaired };
  }

  /**
   * Runs `change` holding schedule `id`'s lock (a lease in Redis), so that the upserts, pauses,
   * resumes and reconcile passes of one schedule never interleave, whichever service instance makes
   * them. A holder that dies loses the lock after SCHEDULE_LOCK_TTL_MS.
   */
  async #exclusively<T>(id: string, change: () => Promise<T>): Promise<T> {
    const lock = this.lease({ name: `schedule:${id}`, ttlMs: SCHEDULE_LOCK_TTL_MS, role: "schedule change" });
    const deadline = Date.now() + SCHEDULE_LOCK_WAIT_MS;
    while (!(await lock.tryAcquire())) {
      if (Date.now() > deadline) throw new Error(`schedule ${id} is being changed elsewhere for more than ${SCHEDULE_LOCK_WAIT_MS / 1000} s; try again`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    try {
      return await change();
    } finally {
      await lock.release();
    }
  }

  /** The reports of schedule `id` (result handles the buyer decrypts), in sequence order. */
  async listReports(scheduleId: string): Promise<ReportResult[]> {
    return this.schedules.reports(scheduleId);
  }

  /**
   * A new `QueueEvents` listener on this queue ("progress", "completed", "failed", ...), with its
   * own blocking connection. Closed with the queue.
   */
  events(): QueueEvents {
    // QueueEvents blocks on its connection: give it its own, one that never gives up on a command.
    const connection = this.#connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true });
    const events = new QueueEvents(this.name, { connection, prefix: this.prefix });
    this.#events.push({ events, connection });
    return events;
  }

  /** Closes the queue, its event listeners and (when it created it) the connection. */
  async close(): Promise<void> {
    await Promise.all(
      this.#events.map(async ({ events, connection }) => {
        await events.close();
        await connection.quit().catch(() => undefined);
      }),
    );
    await this.queue.close();
    if (this.#ownsConnection) await this.#connection.quit();
  }

  /**
   * Keeps a finished report of schedule `scheduleId` (idempotent per chain run) and ends the
   * schedule once it has made `maxRuns` reports. Called by the report processor.
   */
  async recordReport(report: ReportResult): Promise<void> {
    await this.schedules.addReport(report);
    const record = await this.schedules.get(report.scheduleId);
    if (record && (await this.schedules.reportCount(record.id)) >= record.authorization.maxRuns) {
      await this.endSchedule({ id: record.id, reason: "all runs done" });
    }
  }

  /** Keeps one tick attempt of a schedule (called by the report processor). */
  async recordAttempt(attempt: ReportAttempt): Promise<void> {
    await this.schedules.addAttempt(attempt);
  }

  /** Ends schedule `id` for good (expiry, maxRuns, or a rejection no later tick can avoid). */
  async endSchedule(options: { id: string; reason: string }): Promise<void> {
    await this.queue.removeJobScheduler(options.id.toLowerCase());
    await this.schedules.setStatus(options.id, "ended", options.reason);
  }

  /**
   * Creates (or re-creates) the BullMQ job scheduler of an active record. `maxRuns` is not given
   * to BullMQ as its `limit`: a tick with too few new readings is skipped and must not count, so
   * {@link recordReport} ends the schedule after the last real report instead.
   */
  async #arm(record: ScheduleRecord): Promise<void> {
    const ended = await this.#endReason(record);
    if (ended) {
      await this.endSchedule({ id: record.id, reason: ended });
      return;
    }
    const repeat =
      "every" in record.repeat ? { every: record.repeat.every } : { pattern: record.repeat.pattern, tz: record.repeat.tz };
    const next = await this.queue.upsertJobScheduler(
      // BullMQ 6 types the scheduler id as the job-name type; at runtime it is any string.
      record.id as JobName,
      { ...repeat, endDate: Number(record.authorization.expiry) * 1000 },
      { name: "report", data: { kind: "report", scheduleId: record.id }, opts: REPORT_JOB_OPTIONS },
    );
    // BullMQ returns nothing (and keeps any previous scheduler) when no tick falls before the end
    // date, e.g. a daily pattern on an authorization that expires within the day.
    if (!next) await this.endSchedule({ id: record.id, reason: "no report time before the authorization expires" });
  }

  /** Why an active record cannot tick any more, or undefined. */
  async #endReason(record: ScheduleRecord): Promise<string | undefined> {
    if ((await this.schedules.reportCount(record.id)) >= record.authorization.maxRuns) return "all runs done";
    if (Number(record.authorization.expiry) * 1000 <= Date.now()) return "authorization expired";
    return undefined;
  }

  async #view(record: ScheduleRecord): Promise<ScheduleView> {
    let current = record;
    if (record.status === "active") {
      const ended = await this.#endReason(record);
      if (ended) {
        await this.endSchedule({ id: record.id, reason: ended });
        current = (await this.schedules.get(record.id)) ?? record;
      }
    }
    const [scheduler, reportCount] = await Promise.all([
      current.status === "active" ? this.queue.getJobScheduler(current.id) : undefined,
      this.schedules.reportCount(current.id),
    ]);
    return { ...current, reportCount, ...(scheduler?.next ? { nextRunAt: scheduler.next } : {}) };
  }
}

/** Opens the runs queue for producing (see {@link RunQueue}). */
export function createRunQueue(options: RunQueueOptions = {}): RunQueue {
  return new RunQueue(options);
}
