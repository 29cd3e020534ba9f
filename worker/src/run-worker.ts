/**
 * The consumer side of the runs queue: a BullMQ worker that validates each job, dispatches it to the
 * run or report processor, records rejections in the job, and shuts down without losing work.
 *
 * Shutdown ({@link RunWorker.close}): every running job is asked to stop through its AbortSignal;
 * a processor finishes the transaction it has in flight, then the job is released back to the wait
 * list, where another worker continues it from the on-chain cursor. A worker that dies without
 * closing leaves its jobs' locks to expire; BullMQ's stalled-job check moves them back to wait.
 */
import { DelayedError, Job, WaitingError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { z } from "zod";
import { failureOf, RunRejectedError } from "./errors";
import {
  jobDataSchema,
  type JobData,
  type JobName,
  type JobResult,
  type ReportJobData,
  type ReportResult,
  type RunJobData,
  type RunResult,
  type SkippedReport,
} from "./job-schemas";
import { createLogger } from "./logger";
import { DEFAULT_QUEUE_NAME, DEFAULT_QUEUE_PREFIX } from "./queues";
import { createRedisConnection } from "./redis";

/** Thrown by a processor that stopped because its signal aborted; the job goes back to wait. */
export class JobReleasedError extends Error {
  constructor(reason: unknown) {
    super(`released: ${String(reason)}`);
    this.name = "JobReleasedError";
  }
}

/** Throws {@link JobReleasedError} if the job was asked to stop (shutdown, lock lost). */
export function throwIfReleased(signal: AbortSignal): void {
  if (signal.aborted) throw new JobReleasedError(signal.reason);
}

/** What a processor receives. */
export interface ProcessorContext<D> {
  job: Job<D, JobResult, JobName>;
  /** The job's parsed data. */
  data: D;
  /** The job's lock token (for `moveToDelayed` and friends). */
  token?: string;
  /** Aborts on shutdown or lost lock: finish the transaction in flight, then throw. */
  signal: AbortSignal;
  logger: Logger;
}

/** The two processors of the runs queue. */
export interface Processors {
  run(context: ProcessorContext<RunJobData>): Promise<RunResult>;
  report(context: ProcessorContext<ReportJobData>): Promise<ReportResult | SkippedReport>;
}

/** Options of {@link createRunWorker}. */
export interface RunWorkerOptions {
  processors: Processors;
  /** A connection to use (the worker duplicates it for blocking); one is created from `redisUrl` otherwise. */
  connection?: Redis;
  redisUrl?: string;
  name?: string;
  prefix?: string;
  /** Jobs run at the same time by this worker (default 4). */
  concurrency?: number;
  /** Lock of a running job; a dead worker's jobs are taken over after about this long (default 30 s). */
  lockDurationMs?: number;
  /** How often to look for stalled jobs (default 30 s). */
  stalledIntervalMs?: number;
  /** Takeovers allowed before a job that keeps killing workers fails (default 3). */
  maxStalledCount?: number;
  logger?: Logger;
}

/** A running worker and its shutdown. */
export class RunWorker {
  readonly worker: Worker<JobData, JobResult, JobName>;
  readonly logger: Logger;
  readonly #connection: Redis;
  readonly #ownsConnection: boolean;
  #closing?: Promise<void>;

  constructor(options: RunWorkerOptions) {
    const logger = options.logger ?? createLogger();
    this.logger = logger;
    this.#ownsConnection = options.connection === undefined;
    this.#connection = options.connection ?? createRedisConnection({ url: options.redisUrl, role: "worker" });
    const processors = options.processors;

    // Declared with three parameters: BullMQ passes the AbortSignal only to processors whose
    // `length` is at least 3.
    const processor = async (job: Job<JobData, JobResult, JobName>, token: string | undefined, signal: AbortSignal | undefined) => {
      const log = logger.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
      const abort = signal ?? new AbortController().signal;
      const started = Date.now();
      log.info({ stalledCount: job.stalledCounter }, "job started");
      try {
        const data = parseJobData(job);
        const result =
          data.kind === "run"
            ? await processors.run({ job: job as Job<RunJobData, JobResult, JobName>, data, token, signal: abort, logger: log })
            : await processors.report({ job: job as Job<ReportJobData, JobResult, JobName>, data, token, signal: abort, logger: log });
        log.info({ ms: Date.now() - started }, "job completed");
        return result;
      } catch (error) {
        // A processor that moved its job to delayed (a report tick that came too early) is done.
        if (error instanceof DelayedError || error instanceof WaitingError) throw error;
        if (error instanceof JobReleasedError || (abort.aborted && !(error instanceof RunRejectedError))) {
          log.info({ reason: String(abort.reason), ms: Date.now() - started }, "job released");
          // Back to wait without using an attempt; the next worker continues from the chain's cursor.
          // If the lock is already lost this fails, and the stalled-job check moves it instead.
          await job.moveToWait(token).catch((err: unknown) => log.warn({ err }, "could not release the job"));
          throw new WaitingError();
        }
        const failure = failureOf(error);
        if (failure) {
          log.warn({ failure }, "job rejected");
          await job.updateData({ ...job.data, failure });
        } else {
          log.error({ err: error, ms: Date.now() - started }, "job attempt failed");
        }
        throw error;
      }
    };

    this.worker = new Worker<JobData, JobResult, JobName>(options.name ?? DEFAULT_QUEUE_NAME, processor, {
      connection: this.#connection,
      prefix: options.prefix ?? DEFAULT_QUEUE_PREFIX,
      concurrency: options.concurrency ?? 4,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 3,
    });
    // A job whose lock could not be renewed may already be running elsewhere: stop it here.
    this.worker.on("lockRenewalFailed", (jobIds) => {
      for (const jobId of jobIds) this.worker.cancelJob(jobId, "lock lost");
    });
    this.worker.on("stalled", (jobId) => logger.warn({ jobId }, "job stalled: its worker stopped renewing the lock"));
    this.worker.on("error", (err) => logger.error({ err }, "worker error"));
  }

  /** Resolves once the worker is connected and fetching. */
  waitUntilReady(): Promise<void> {
    return this.worker.waitUntilReady().then(() => undefined);
  }

  /**
   * Stops taking jobs; with `release` (default) asks running jobs to stop after their transaction
   * in flight and puts them back on the queue; without it, waits for them to finish.
   */
  close(options: { release?: boolean } = {}): Promise<void> {
    this.#closing ??= (async () => {
      const release = options.release ?? true;
      this.logger.info({ release }, "worker closing");
      const closed = this.worker.close();
      if (release) this.worker.cancelAllJobs("shutdown");
      await closed;
      if (this.#ownsConnection) await this.#connection.quit().catch(() => undefined);
      this.logger.info("worker closed");
    })();
    return this.#closing;
  }
}

function parseJobData(job: Job<JobData, JobResult, JobName>): JobData {
  const parsed = jobDataSchema.safeParse(job.data);
  if (parsed.success) return parsed.data;
  throw new RunRejectedError({
    code: "MALFORMED_JOB",
    reason: `The job's data is malformed: ${z.prettifyError(parsed.error).replace(/\n/g, "; ")}`,
  });
}

/** Starts a worker on the runs queue (see {@link RunWorker}). */
export function createRunWorker(options: RunWorkerOptions): RunWorker {
  return new RunWorker(options);
}
