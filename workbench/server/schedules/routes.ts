import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { SIGNED_IN } from "../plugins/docs";
import { COMMON_ERRORS, EmptyBody, errorResponses } from "../shared/schemas";
import type { ScheduleRecord } from "../store/records";
import { CreateScheduleBody, ReportListQuery, ReportPage, Schedule, ScheduleListQuery, SchedulePage, ScheduleParams, ScheduleWithReports } from "./schemas";
import { ScheduleService, toAttempt, toSchedule } from "./service";

const errors = (...extra: number[]) => errorResponses(...COMMON_ERRORS, 401, ...extra);

/** How many reports `GET /api/schedules/:id` includes (the newest); the reports route pages through all. */
const REPORTS_INLINE = 20;
/** How many tick attempts `GET /api/schedules/:id` includes (the newest). */
const ATTEMPTS_INLINE = 50;

/** Recurring encrypted reports, private to their owner. Mounted at /api/schedules. */
const scheduleRoutes: FastifyPluginAsyncZod = async (app) => {
  const schedules = new ScheduleService({
    store: app.store,
    chain: app.chain,
    recipes: app.recipes,
    runQueue: app.runQueue,
    recorder: app.progressRecorder,
    now: () => app.now(),
  });
  app.addHook("onRequest", app.requireUser);
  const tags = ["schedules"];
  const userOf = (request: { user: { address: string } | null }) => request.user!.address;
  const dto = async (schedule: ScheduleRecord) => toSchedule(schedule, await schedules.view(schedule));

  app.post(
    "",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Schedule a recurring report",
        description:
          "From your signed EIP-712 StandingAuthorization (cadence, expiry, max runs), a recipe cell and how often to run it " +
          "(`{ every: ms }` or `{ pattern: cron, tz }`). Checked as the contract will check each run; 201, or 200 with the " +
          "schedule this authorization already created. A rejected request writes and schedules nothing.",
        body: CreateScheduleBody,
        response: { 200: Schedule, 201: Schedule, ...errors(403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { schedule, created } = await schedules.create(userOf(request), request.body);
      return reply.status(created ? 201 : 200).send(await dto(schedule));
    },
  );

  app.get(
    "",
    {
      schema: { tags, security: SIGNED_IN, summary: "Your schedules", querystring: ScheduleListQuery, response: { 200: SchedulePage, ...errors() } },
    },
    async (request) => {
      const { notebookId, limit, offset } = request.query;
      const page = await schedules.list(userOf(request), { notebookId, limit, offset });
      return { items: await Promise.all(page.items.map(dto)), total: page.total, limit, offset };
    },
  );

  app.get(
    "/:scheduleId",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "One of your schedules, with its latest reports and tick attempts",
        params: ScheduleParams,
        response: { 200: ScheduleWithReports, ...errors(404) },
      },
    },
    async (request) => {
      const schedule = await schedules.get(userOf(request), request.params.scheduleId);
      const reports = await schedules.reports(userOf(request), schedule.id, { limit: REPORTS_INLINE, offset: 0 });
      const attempts = await schedules.attempts(userOf(request), schedule.id, { limit: ATTEMPTS_INLINE, offset: 0 });
      return {
        ...(await dto(schedule)),
        reports: reports.items,
        reportCount: reports.total,
        attempts: attempts.items.map(toAttempt),
        attemptCount: attempts.total,
      };
    },
  );

  app.get(
    "/:scheduleId/reports",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "A schedule's reports",
        description: "Newest first; each report is a run (result handles only you can decrypt) over the next consecutive window.",
        params: ScheduleParams,
        querystring: ReportListQuery,
        response: { 200: ReportPage, ...errors(404) },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      return { ...(await schedules.reports(userOf(request), request.params.scheduleId, { limit, offset })), limit, offset };
    },
  );

  for (const action of ["pause", "resume"] as const) {
    app.post(
      `/:scheduleId/${action}`,
      {
        schema: {
          tags,
          security: SIGNED_IN,
          summary: action === "pause" ? "Pause a schedule" : "Resume a paused schedule",
          params: ScheduleParams,
          body: EmptyBody,
          response: { 200: Schedule, ...errors(404, 409, 503) },
        },
      },
      async (request) => dto(await schedules[action](userOf(request), request.params.scheduleId)),
    );
  }

  app.delete(
    "/:scheduleId",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Delete a schedule",
        description: "No more reports; the runs it made stay in the notebook's history.",
        params: ScheduleParams,
        response: { 204: z.undefined(), ...errors(404, 503) },
      },
    },
    async (request, reply) => {
      await schedules.delete(userOf(request), request.params.scheduleId);
      return reply.status(204).send();
    },
  );
};

export default scheduleRoutes;
