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
import type { z } from "zod";
import type { StandingAuthorizationJson } from "@iotdm/contracts-client/wire";
import type { Attempt, CreateScheduleBody, Report, Schedule, ScheduleWithReports } from "../../../server/schedules/schemas";
import { request, type Page } from "./http";

/** The EIP-712 StandingAuthorization as JSON: the contracts client's wire type, which the service validates with. */
export type StandingAuthorizationJSON = StandingAuthorizationJson;

/** A schedule as the API shows it: the output of the service's schema, the one definition of the shape. */
export type ScheduleDto = z.output<typeof Schedule>;

/** How often a report runs: a fixed interval (ms), or a cron pattern in a time zone; as a schedule shows it (and a create may send it). */
export type Repeat = NonNullable<ScheduleDto["repeat"]>;

/** Lifecycle of a schedule. */
export type ScheduleStatus = ScheduleDto["status"];

/** One report of a schedule: a run over the next consecutive window (its run null when the run record is gone, after a chain reset). */
export type ReportDto = z.output<typeof Report>;

/** One tick of a schedule: a report, a skip or a failure, with its reason. */
export type AttemptDto = z.output<typeof Attempt>;

/** A schedule with its latest reports and tick attempts (newest first). */
export type ScheduleDetailDto = z.output<typeof ScheduleWithReports>;

/** What a schedule is created from: the input of the service's schema. */
export type CreateSchedule = z.input<typeof CreateScheduleBody>;

export const createSchedule = (body: CreateSchedule) => request<ScheduleDto>("/schedules", { method: "POST", body });

export const listSchedules = (filter: { notebookId?: string } = {}) =>
  request<Page<ScheduleDto>>("/schedules", { query: { ...filter, limit: 100 } });

export const setSchedulePaused = (id: string, paused: boolean) =>
  request<ScheduleDto>(`/schedules/${encodeURIComponent(id)}/${paused ? "pause" : "resume"}`, { method: "POST", body: {} });

export const deleteSchedule = (id: string) => request<void>(`/schedules/${encodeURIComponent(id)}`, { method: "DELETE" });

export const getSchedule = (id: string) => request<ScheduleDetailDto>(`/schedules/${encodeURIComponent(id)}`);

export const listReports = (id: string) => request<Page<ReportDto>>(`/schedules/${encodeURIComponent(id)}/reports`, { query: { limit: 100 } });
