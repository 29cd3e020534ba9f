import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { createError } from "../errors";
import { errorResponses } from "../shared/schemas";

const READINESS_TIMEOUT_MS = 2000;

const Checks = z.record(z.string(), z.enum(["ok", "failing"]));

/** Liveness and readiness for load balancers and orchestrators. Mounted at /api. */
const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/health",
    {
      // Probes must not be throttled or logged per request.
      config: { rateLimit: false },
      logLevel: "warn",
      schema: {
        tags: ["service"],
        summary: "Liveness: the process is up",
        response: { 200: z.object({ status: z.literal("ok") }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/ready",
    {
      config: { rateLimit: false },
      logLevel: "warn",
      schema: {
        tags: ["service"],
        summary: "Readiness: the store, the chain node and the run queue answer",
        description:
          "Runs every check at once, each bounded by 2 s: `store` (the database answers a query), `chain` (the market's address " +
          "is known, from MARKET_ADDRESS or the launcher's deployment file, and the chain node answers `eth_blockNumber`) and " +
          "`queue` (Redis answers a query on the run queue). 200 lists each check as `ok`; when one fails, 503 with " +
          "ERR_SERVICE_NOT_READY and each check's outcome (`ok` or `failing`) in `details.checks`. `npm start` waits for 200 " +
          "before it prints the workbench's address.",
        response: { 200: z.object({ status: z.literal("ready"), checks: Checks }), ...errorResponses(503) },
      },
    },
    async () => {
      const checks = await app.readiness.run(READINESS_TIMEOUT_MS);
      const failing = Object.keys(checks).filter((name) => checks[name] !== "ok");
      if (failing.length > 0) {
        throw createError("ERR_SERVICE_NOT_READY", { params: { failing: failing.join(", ") }, details: { checks } });
      }
      return { status: "ready" as const, checks };
    },
  );
};

export default healthRoutes;
