import { z } from "zod";
import { standingAuthorizationJson } from "@iotdm/contracts-client/wire";
import { Run, RunSource } from "../runs/schemas";
import { SCHEDULE_STATUSES } from "../store/records";
import { DatasetId, Id, IdOutput, pageOf, pageQuery, ParamValues, SignatureHex, TimestampOutput } from "../shared/schemas";

/**
 * The buyer's EIP-712 StandingAuthorization (domain IoTDataMarket v1), uint fields as decimal
 * strings: the contracts client's wire schema, which the worker parses schedules with.
 */
export const StandingAuthorizationJson = standingAuthorizationJson.strict().meta({ id: "StandingAuthorization" });

/**
 * How often a report runs: every `every` milliseconds, or at the times of a cron `pattern` (5 or 6
 * fields) in the IANA time zone `tz`.
 */
export const Repeat = z
  .union([
    z.strictObject({ every: z.number().int().min(1_000).max(366 * 24 * 3600 * 1000).meta({ description: "Milliseconds between reports" }) }),
    z.strictObject({
      pattern: z
        .string()
        .regex(/^\s*[0-9*,/?LW#A-Za-z-]+(\s+[0-9*,/?LW#A-Za-z-]+){4,5}\s*$/, "must be a cron pattern of 5 or 6 fields, e.g. 0 8 * * *")
        .max(120),
      tz: z
        .string()
        .max(64)
        .refine(isTimeZone, "must be an IANA time zone such as Europe/Paris or UTC")
        .default("UTC"),
    }),
  ])
  .meta({ id: "ScheduleRepeat" });

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const CreateScheduleBody = z.strictObject({
  notebookId: Id,
  cellId: Id,
  datasetId: DatasetId,
  source: RunSource,
  params: ParamValues.optional(),
  authorization: StandingAuthorizationJson,
  signature: SignatureHex,
  repeat: Repeat,
});

/** A recurring report as the API shows it. */
export const Schedule = z
  .object({
    id: IdOutput,
    owner: z.string(),
    notebookId: IdOutput.nullable(),
    cellId: IdOutput.nullable(),
    datasetId: z.string(),
    source: z.string(),
    params: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
    repeat: z.union([z.object({ every: z.number() }), z.object({ pattern: z.string(), tz: z.string() })]).nullable(),
    programHash: z.string(),
    authorizationDigest: z.string(),
    cadenceSeconds: z.number().int(),
    expiry: z.number().int().meta({ description: "Unix seconds" }),
    maxRuns: z.number().int(),
    status: z.enum(SCHEDULE_STATUSES),
    endedReason: z.string().nullable(),
    pausedReason: z.string().nullable().meta({
      description: "Why the worker paused the schedule (the buyer's market balance is short of a report's quote: deposit, then resume); null when the buyer paused it or it is not paused",
    }),
    failing: z.boolean().meta({
      description: "A live schedule that keeps failing: its latest two tick attempts (skips aside) failed, or its job scheduler could not be restored",
    }),
    failuresInARow: z.number().int().meta({ description: "Tick attempts that failed since the last one that did not (skips aside)" }),
    lastFailure: z.object({ reason: z.string(), at: TimestampOutput }).nullable().meta({ description: "The latest failed tick attempt" }),
    schedulerProblem: z.string().nullable().meta({ description: "Why the worker's job scheduler could not be restored from the store; null while it ticks" }),
    runsDone: z.number().int(),
    nextFromIndex: z.number().int().meta({ description: "Where the next report's window starts (windows are consecutive)" }),
    lastRunAt: TimestampOutput.nullable(),
    nextRunAt: TimestampOutput.nullable().meta({ description: "When the worker next ticks (active schedules)" }),
    createdAt: TimestampOutput,
    updatedAt: TimestampOutput,
  })
  .meta({ id: "Schedule" });

/** One report of a schedule: a run over the next consecutive window. */
export const Report = z
  .object({ id: IdOutput, scheduleId: IdOutput, fromIndex: z.number().int(), toIndex: z.number().int(), createdAt: TimestampOutput, run: Run.nullable() })
  .meta({ id: "ScheduleReport" });

/** One tick of a schedule, whatever came of it. */
export const Attempt = z
  .object({
    outcome: z.enum(["report", "skipped", "failed"]),
    reason: z.string().nullable().meta({ description: "Why it was skipped or failed, in words" }),
    code: z.string().nullable().meta({ description: "The worker's rejection code (`CONTRACT_REJECTED`…) when it failed for a known reason" }),
    willRetry: z.boolean().meta({ description: "A transient failure the worker retries" }),
    chainRunId: z.string().nullable(),
    at: TimestampOutput,
  })
  .meta({ id: "ScheduleAttempt" });

export const ScheduleWithReports = Schedule.extend({
  reports: z.array(Report),
  reportCount: z.number().int(),
  attempts: z.array(Attempt).meta({ description: "The latest tick attempts, newest first: every report, skip and failure with its reason" }),
  attemptCount: z.number().int(),
}).meta({ id: "ScheduleWithReports" });
export const SchedulePage = pageOf(Schedule);
export const ReportPage = pageOf(Report);
export const ScheduleParams = z.strictObject({ scheduleId: Id });
export const ScheduleListQuery = z.strictObject({ notebookId: Id.optional(), ...pageQuery });
export const ReportListQuery = z.strictObject(pageQuery);

export { Run };
