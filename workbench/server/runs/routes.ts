import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { SIGNED_IN } from "../plugins/docs";
import { COMMON_ERRORS, EmptyBody, errorResponses } from "../shared/schemas";
import type { RunRecord } from "../store/records";
import { EventStreams } from "./event-stream";
import { FINAL_ORDINAL } from "./run-events";
import { QueuePlace } from "./queue-place";
import { NotebookRunsParams, NotebookRunsQuery, PlanBody, Run, RunPage, RunParams, RunPlan, SubmitRunBody } from "./schemas";
import { RunService, toRun } from "./service";

const errors = (...extra: number[]) => errorResponses(...COMMON_ERRORS, 401, ...extra);

/**
 * Recipe runs, private to their buyer: plan, submit a signed request, read, follow the progress
 * (server-sent events), list a notebook's runs. Mounted at /api.
 */
const runRoutes: FastifyPluginAsyncZod = async (app) => {
  const runs = new RunService({ store: app.store, chain: app.chain, recipes: app.recipes, runQueue: app.runQueue, now: () => app.now() });
  const streams = new EventStreams();
  app.addHook("preClose", async () => streams.endAll());
  app.addHook("onRequest", app.requireUser);
  const tags = ["runs"];
  const userOf = (request: { user: { address: string } | null }) => request.user!.address;
  const marketAddress = () => {
    try {
      return app.chain.deployment()?.address ?? null;
    } catch {
      return null;
    }
  };
  const dto = (run: RunRecord) => toRun(run, marketAddress());

  app.post(
    "/runs/plan",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Plan a recipe run, before signing it",
        description:
          "Checks the recipe against the dataset and plans it over the readings indexed so far: the window (aligned to k, with notes), " +
          "the program hash, the number of step transactions, the recipe types it needs and whether they are approved, and the EIP-712 " +
          "RunRequest to sign (typed data included; nonce and deadline are suggestions the browser may replace).",
        body: PlanBody,
        response: { 200: RunPlan, ...errors(404, 422, 503) },
      },
    },
    async (request) => runs.plan(userOf(request), request.body),
  );

  app.post(
    "/runs",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Run a recipe with a signed RunRequest",
        description:
          "Checks the request as the contract will (your signature, deadline, dataset, access, window, program hash, approvals, nonce) " +
          "and enqueues the run; 201 with the run, or 200 with the same run when this signed request was submitted before. " +
          "A rejected request writes and enqueues nothing.",
        body: SubmitRunBody,
        response: { 200: Run, 201: Run, ...errors(403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { run, created } = await runs.submit(userOf(request), request.body);
      return reply.status(created ? 201 : 200).send(dto(run));
    },
  );

  app.get(
    "/runs/:runId",
    { schema: { tags, security: SIGNED_IN, summary: "One of your runs", params: RunParams, response: { 200: Run, ...errors(404) } } },
    async (request) => dto(await runs.get(userOf(request), request.params.runId)),
  );

  app.get(
    "/runs/:runId/queue",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Where your queued run stands",
        description:
          "For a queued run: its place in the queue (1 = next), the runs ahead of it and those running now, and an estimate of " +
          "when it starts and of how long runs take here (from the last 20 finished runs; null before any). Null fields once " +
          "the run is no longer waiting.",
        params: RunParams,
        response: { 200: QueuePlace, ...errors(404, 503) },
      },
    },
    async (request) => runs.queuePlace(userOf(request), request.params.runId),
  );

  app.post(
    "/runs/:runId/cancel",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Cancel one of your runs",
        description:
          "A queued run is removed from the queue and ends at once (status `error`, error code `CANCELLED`; nothing was sent). " +
          "A running run's worker is asked to stop: it finishes the transaction in flight and stops before the next step; the run " +
          "then ends with error code `CANCELLED` (followers of its events see `failed`), and the contract run stays unfinished. " +
          "Answers the run as it is now; 409 ERR_RUN_FINISHED when it has already ended.",
        params: RunParams,
        body: EmptyBody,
        response: { 200: Run, ...errors(404, 409, 503) },
      },
    },
    async (request) => {
      const { run, ended } = await runs.cancel(userOf(request), request.params.runId);
      if (ended) app.runEvents.publish(run.id, { type: "failed", ordinal: FINAL_ORDINAL, data: dto(run) });
      return dto(run);
    },
  );

  app.get(
    "/runs/:runId/events",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Follow a run's progress (server-sent events)",
        description:
          "`text/event-stream`: `queued` { runId, createdAt }, `running` { runId, chainRunId, stepsTotal, startedAt }, " +
          "`step` { runId, step, of, txHash } per transaction, then `done` (the Run, with its result handles) or `failed` " +
          "(the Run, with `error.message` in words), after which the stream ends. Each event's id orders it: reconnecting " +
          "with Last-Event-ID replays only what was missed. Comments keep the connection alive. Works with the session cookie.",
        params: RunParams,
        response: { 200: z.string().meta({ description: "An event stream" }), ...errors(404) },
      },
    },
    async (request, reply) => {
      const run = await runs.get(userOf(request), request.params.runId);
      const header = request.headers["last-event-id"];
      const lastEventId = typeof header === "string" && /^\d{1,16}$/.test(header) ? Number(header) : -1;
      streams.open({
        reply,
        run,
        bus: app.runEvents,
        load: () => app.store.runs.get(run.id),
        toFinalData: dto,
        lastEventId,
        keepAliveMs: app.config.sse.keepAliveMs,
      });
      return reply;
    },
  );

  app.get(
    "/notebooks/:notebookId/runs",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "A notebook's runs",
        description: "Newest first, with their status, progress and result handles; `cellId` narrows to one cell's history.",
        params: NotebookRunsParams,
        querystring: NotebookRunsQuery,
        response: { 200: RunPage, ...errors(404) },
      },
    },
    async (request) => {
      const { cellId, limit, offset } = request.query;
      const page = await runs.listForNotebook(userOf(request), request.params.notebookId, { cellId, limit, offset });
      return { items: page.items.map(dto), total: page.total, limit, offset };
    },
  );
};

export default runRoutes;
