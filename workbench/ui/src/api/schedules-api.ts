/**
 * Recurring reports (workbench/server/schedules/routes.ts, schemas.ts):
 *
 *     POST   /api/schedules { notebookId, cellId, datasetId, source, params, authorization, signature,
 *                             repeat: { every: ms } | { pattern: cron, tz } }  → Schedule (201)
 *     GET    /api/schedules?notebookId                                        → Page<Schedule>
 *     POST   /api/schedules/:id/pause | /resume                               → Schedule
 *     DELETE /api/schedules/:id                                               → 204
 *     GET    /api/schedules/:id                                               → Schedule + latest reports and tick attempts
 *     GET    /api/schedules/:id/reports                                       → Page<Report>  (newest first)
 *
 * `authorization` is the buyer's signed EIP-712 StandingAuthorization (uint fields as decimal
 * strings), signed once in the browser; the worker runs each report with it.
 */
import { request, type Page } from "./http";
import type { StandingAuthorizationJson } from "@iotdm/contracts-client/wire";
import type { RunDto } from "./runs-api";

/** The EIP-712 StandingAuthorization as JSON: the contracts client's wire type, which the service validates with. */
export type StandingAuthorizationJSON = StandingAuthorizationJson;

/** How often a report runs: a fixed interval, or a cron pattern in a time zone. */
export type Repeat = { every: number } | { pattern: string; tz: string };

/** Lifecycle of a schedule. */
export type ScheduleStatus = "active" | "paused" | "revoked" | "expired" | "completed";

/** A schedule as the API shows it. */
export interface ScheduleDto {
  id: string;
  notebookId: string | null;
  cellId: string | null;
  datasetId: string;
  source: string;
  /** Null for schedules made before the service kept it. */
  repeat: Repeat | null;
  cadenceSeconds: number;
  /** Unix seconds. */
  expiry: number;
  maxRuns: number;
  status: ScheduleStatus;
  /** Why it ended, when it did. */
  endedReason?: string | null;
  /** A live schedule whose latest two tick attempts failed, or whose job scheduler could not be restored. */
  failing?: boolean;
  failuresInARow?: number;
  lastFailure?: { reason: string; at: string } | null;
  /** Why the worker's job scheduler could not be restored from the store. */
  schedulerProblem?: string | null;
  runsDone: number;
  lastRunAt: string | null;
  nextRunAt?: string | null;
  createdAt: string;
}

/** One report of a schedule: a run over the next consecutive window. */
export interface ReportDto {
  id: string;
  scheduleId: string;
  fromIndex: number;
  toIndex: number;
  createdAt: string;
  /** Null when the report's run record is gone (a chain reset). */
  run: RunDto | null;
}

/** One tick of a schedule: a report, a skip or a failure, with its reason. */
export interface AttemptDto {
  outcome: "report" | "skipped" | "failed";
  reason: string | null;
  code: string | null;
  willRetry: boolean;
  chainRunId: string | null;
  at: string;
}

/** A schedule with its latest reports and tick attempts (newest first). */
export interface ScheduleDetailDto extends ScheduleDto {
  reports: ReportDto[];
  reportCount: number;
  attempts: AttemptDto[];
  attemptCount: number;
}

/** What a schedule is created from. */
export interface CreateSchedule {
  notebookId: string;
  cellId: string;
  datasetId: string;
  source: string;
  params?: Record<string, string>;
  authorization: StandingAuthorizationJSON;
  signature: string;
  repeat: Repeat;
}

export const createSchedule = (body: CreateSchedule) => request<ScheduleDto>("/schedules", { method: "POST", body });

export const listSchedules = (filter: { notebookId?: string } = {}) =>
  request<Page<ScheduleDto>>("/schedules", { query: { ...filter, limit: 100 } });

export const setSchedulePaused = (id: string, paused: boolean) =>
  request<ScheduleDto>(`/schedules/${encodeURIComponent(id)}/${paused ? "pause" : "resume"}`, { method: "POST", body: {} });

export const deleteSchedule = (id: string) => request<void>(`/schedules/${encodeURIComponent(id)}`, { method: "DELETE" });

export const getSchedule = (id: string) => request<ScheduleDetailDto>(`/schedules/${encodeURIComponent(id)}`);

export const listReports = (id: string) => request<Page<ReportDto>>(`/schedules/${encodeURIComponent(id)}/reports`, { query: { limit: 100 } });
