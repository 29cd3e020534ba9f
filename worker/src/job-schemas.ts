/**
 * The shapes that cross the queue: what the workbench enqueues, what the worker reports while it
 * works, and what it returns. Every value that leaves Redis is parsed with these schemas, so a job
 * written by an older or foreign producer fails with a readable reason instead of half-running.
 *
 * Integers that may exceed 2^53 (uint256 ids, uint64 indices, nonces) travel as decimal strings,
 * because job data is JSON. The signed structs and the scalars are the contracts client's wire
 * schemas (`@iotdm/contracts-client/wire`), the ones the service validates request bodies with.
 */
import { z } from "zod";
import { ContractOpJsonSchema } from "@iotdm/recipes/plan-json";
import {
  address,
  bytes32,
  hexBytes,
  runRequestJson,
  standingAuthorizationJson,
  uint256,
  uint64,
  type RunRequestJson,
  type StandingAuthorizationJson,
} from "@iotdm/contracts-client/wire";

export { address, bytes32, hexBytes, uint64, uint256 };

/** The buyer's EIP-712 `RunRequest` in JSON: the contracts client's wire schema. */
export const runRequestSchema = runRequestJson;
export type RunRequest = RunRequestJson;

/** The buyer's EIP-712 `StandingAuthorization` in JSON: the contracts client's wire schema. */
export const standingAuthorizationSchema = standingAuthorizationJson;
export type StandingAuthorization = StandingAuthorizationJson;

/** The market contract a request is signed for (the EIP-712 domain's chain and verifying contract). */
export const marketRefSchema = z.object({
  chainId: z.number().int().positive(),
  address,
});
export type MarketRef = z.infer<typeof marketRefSchema>;

/** Recipe source as the buyer wrote it, with the values chosen for its parameters. */
export const recipeInputSchema = z.object({
  source: z.string().min(1).max(20_000),
  params: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
});
export type RecipeInput = z.infer<typeof recipeInputSchema>;

/** Where the result should be reported in the workbench (opaque to the worker). */
export const originSchema = z.object({
  userId: z.string().max(200).optional(),
  notebookId: z.string().max(200).optional(),
  cellId: z.string().max(200).optional(),
});
export type Origin = z.infer<typeof originSchema>;

/**
 * What the processor remembers between attempts (written with `job.updateData`). The run's real
 * position is its on-chain cursor; this only keeps what the chain cannot answer cheaply.
 */
export const runStateSchema = z.object({
  /** Chain run id once the run has been started (decimal string). */
  runId: uint256.optional(),
  /** Transactions this job sent, in order (start first when this job started the run). */
  txHashes: z.array(bytes32).default([]),
  /** Report ticks: set once the tick waited for the cadence; a tick waits at most once. */
  waitedForCadence: z.boolean().optional(),
});
export type RunState = z.infer<typeof runStateSchema>;

/** Why a job was rejected, as a closed set the workbench can map to its own errors. */
export const rejectionCodeSchema = z.enum([
  /** The job's data does not match the schema (written by a foreign or outdated producer). */
  "MALFORMED_JOB",
  /** The recipe does not parse or check. */
  "RECIPE_INVALID",
  /** The recipe's program or window is not the one the buyer signed. */
  "REQUEST_MISMATCH",
  /** The signature is malformed or not the buyer's. */
  "BAD_SIGNATURE",
  /** The signed request's deadline passed before the worker got to it. */
  "REQUEST_EXPIRED",
  /** The market contract rejected a call (decoded custom error). */
  "CONTRACT_REJECTED",
  /** The schedule does not exist, was removed, or has ended. */
  "SCHEDULE_GONE",
  /** The buyer cancelled the run: the worker stopped between steps (the contract run stays unfinished). */
  "CANCELLED",
]);
export type RejectionCode = z.infer<typeof rejectionCodeSchema>;

/** A readable, structured failure, stored with the failed job (`data.failure`). */
export const failureSchema = z.object({
  code: rejectionCodeSchema,
  /** A sentence a person understands. */
  reason: z.string(),
  /** The contract's custom error name, when the market rejected a call. */
  contractError: z.string().optional(),
});
export type Failure = z.infer<typeof failureSchema>;

/** Data of a `run` job: one signed run request. The job id is the request's EIP-712 digest. */
export const runJobDataSchema = z.object({
  kind: z.literal("run"),
  market: marketRefSchema,
  request: runRequestSchema,
  signature: hexBytes,
  recipe: recipeInputSchema,
  origin: originSchema.default({}),
  state: runStateSchema.optional(),
  failure: failureSchema.optional(),
});
export type RunJobData = z.infer<typeof runJobDataSchema>;
export type RunJobInput = z.input<typeof runJobDataSchema>;

/**
 * Data of a `report` job, produced by a job scheduler on every tick: only a reference to the
 * schedule record (authorization, signature, recipe live there, so pausing and resuming do not
 * depend on the scheduler's template).
 */
export const reportJobDataSchema = z.object({
  kind: z.literal("report"),
  scheduleId: bytes32,
  state: runStateSchema.optional(),
  failure: failureSchema.optional(),
});
export type ReportJobData = z.infer<typeof reportJobDataSchema>;

/** Any job on the runs queue. */
export const jobDataSchema = z.discriminatedUnion("kind", [runJobDataSchema, reportJobDataSchema]);
export type JobData = z.infer<typeof jobDataSchema>;

/** Job names on the runs queue (the name mirrors `data.kind`). */
export type JobName = JobData["kind"];

/** How often a report runs: a fixed interval, or a cron pattern in a time zone. */
export const repeatSchema = z.union([
  z.object({ every: z.number().int().min(1_000) }).strict(),
  z.object({ pattern: z.string().min(9).max(120), tz: z.string().min(1).max(64).default("UTC") }).strict(),
]);
export type Repeat = z.infer<typeof repeatSchema>;

/**
 * A recurring report as the workbench submits it. A fixed interval shorter than the authorization's
 * cadence would only produce ticks the contract refuses, so it is rejected here.
 */
export const scheduleInputSchema = z
  .object({
    market: marketRefSchema,
    authorization: standingAuthorizationSchema,
    signature: hexBytes,
    recipe: recipeInputSchema,
    repeat: repeatSchema,
    origin: originSchema.default({}),
  })
  .refine((s) => !("every" in s.repeat) || s.repeat.every >= Number(s.authorization.cadence) * 1000, {
    message: "repeat.every must be at least the authorization's cadence (in milliseconds)",
    path: ["repeat", "every"],
  });
export type ScheduleInput = z.input<typeof scheduleInputSchema>;

/** Lifecycle of a schedule: ended means expiry, maxRuns or a rejection finished it for good. */
export const scheduleStatusSchema = z.enum(["active", "paused", "ended"]);
export type ScheduleStatus = z.infer<typeof scheduleStatusSchema>;

/** A schedule as stored (the id is the authorization's EIP-712 digest). */
export const scheduleRecordSchema = scheduleInputSchema.safeExtend({
  id: bytes32,
  status: scheduleStatusSchema,
  /** Why it ended, when it did. */
  endedReason: z.string().optional(),
  /** Why the worker paused it, when it did (the buyer's balance is short of a report's quote). */
  pausedReason: z.string().optional(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type ScheduleRecord = z.infer<typeof scheduleRecordSchema>;

/** A reading-index window [fromIndex, toIndex) with the timestamps of its first and last reading. */
export const windowSchema = z.object({
  fromIndex: uint64,
  toIndex: uint64,
  /** Unix seconds of the first reading in the window, when known. */
  fromTime: z.number().int().optional(),
  /** Unix seconds of the last reading in the window, when known. */
  toTime: z.number().int().optional(),
});
export type RunWindow = z.infer<typeof windowSchema>;

/**
 * What a finished run job returns. `handles` are the result ciphertext handles in op order
 * (flattened as the interface describes), allowed to the buyer only; decrypting and interpreting
 * them (with `ops` and the dataset's scale/offset) happens in the buyer's browser.
 */
export const runResultSchema = z.object({
  runId: uint256,
  datasetId: uint256,
  buyer: address,
  programHash: bytes32,
  /** The program, as recipes' one op schema writes it in JSON (uint64 fields as decimal strings). */
  ops: z.array(ContractOpJsonSchema),
  window: windowSchema,
  handles: z.array(bytes32),
  /** Every transaction of the run this job knows of, in order. */
  txHashes: z.array(bytes32),
  steps: z.number().int().min(0),
  finishedAt: z.number().int(),
});
export type RunResult = z.infer<typeof runResultSchema>;

/** A scheduled report: a run result tagged with its schedule and sequence number. */
export const reportResultSchema = runResultSchema.extend({
  scheduleId: bytes32,
  /** 1 for the first report of the schedule, then 2, 3, ... */
  sequence: z.number().int().min(1),
});
export type ReportResult = z.infer<typeof reportResultSchema>;

/**
 * Result of any job on the runs queue. A tick with too few new readings completes as skipped.
 * Most specific first: a union keeps the first match, and a plain run result would strip a report's
 * schedule id and sequence.
 */
export const jobResultSchema = z.union([
  reportResultSchema,
  z.object({ skipped: z.literal(true), scheduleId: bytes32, reason: z.string() }),
  runResultSchema,
]);
export type JobResult = RunResult | ReportResult | SkippedReport;
export interface SkippedReport {
  skipped: true;
  scheduleId: string;
  reason: string;
}

/**
 * One tick of a schedule, whatever came of it: a report, a skip (too few new readings, the cadence,
 * another tick running) or a failure (a rejection, or an error the tick will be retried after).
 * Kept per schedule so that a buyer sees every attempt with its reason, not only the reports.
 */
export const reportAttemptSchema = z.object({
  /** Unique per attempt: the tick's job id and attempt number, so recording one twice keeps one. */
  key: z.string().min(1).max(300),
  scheduleId: bytes32,
  /** Unix ms. */
  at: z.number().int(),
  outcome: z.enum(["report", "skipped", "failed"]),
  /** Why it was skipped or failed, in words. */
  reason: z.string().max(2_000).optional(),
  /** The rejection's code (`CONTRACT_REJECTED`...) when it failed for a known reason. */
  code: z.string().max(100).optional(),
  /** Whether BullMQ retries the tick after this failed attempt. */
  willRetry: z.boolean().optional(),
  /** The chain run a report was made by. */
  runId: uint256.optional(),
});
export type ReportAttempt = z.infer<typeof reportAttemptSchema>;

/** Phases a job reports in its progress events. */
export type RunPhase = "planning" | "starting" | "stepping" | "done";

/**
 * Progress events (`job.updateProgress`): `step` of `of` transactions done, the last transaction's
 * hash. Listeners get them through `QueueEvents` "progress".
 */
export interface RunProgress {
  phase: RunPhase;
  step: number;
  of: number;
  txHash?: string;
  runId?: string;
}
