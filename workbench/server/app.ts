import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
  type RawServerDefault,
} from "fastify";
import { validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import authRoutes from "./auth/routes";
import type { MarketChain } from "./chain/market-chain";
import chainRoutes from "./chain/routes";
import type { Config } from "./config";
import datasetRoutes from "./datasets/routes";
import { createError } from "./errors";
import healthRoutes from "./health/routes";
import notebookRoutes from "./notebooks/routes";
import authPlugin from "./plugins/auth";
import chainPlugin from "./plugins/chain";
import configPlugin from "./plugins/config";
import docsPlugin from "./plugins/docs";
import errorsPlugin, { MAX_PARAM_LENGTH } from "./plugins/errors";
import indexerPlugin from "./plugins/indexer";
import queuePlugin from "./plugins/queue";
import readinessPlugin from "./plugins/readiness";
import { RequestLogController } from "./plugins/request-log";
import runProgressPlugin from "./plugins/run-progress";
import securityPlugin from "./plugins/security";
import storePlugin from "./plugins/store";
import uiPlugin from "./plugins/ui";
import recipesPlugin from "./plugins/recipes";
import type { RecipeTooling } from "./recipes/recipe-tooling";
import recipeRoutes from "./recipes/routes";
import runRoutes from "./runs/routes";
import scheduleRoutes from "./schedules/routes";
import { responseSerializerCompiler } from "./shared/response-serializer";
import type { Store } from "./store/store";
import templateRoutes from "./templates/routes";
import type { RunQueue } from "@iotdm/worker/queues";

/** What `buildApp` needs; everything but `config` has a default. */
export interface BuildAppOptions {
  config: Config;
  /** A store the caller opened (and closes); by default the app opens the configured one and closes it with itself. */
  store?: Store;
  /** Fastify's logger option; by default pino at the configured level. Tests pass `false`. */
  logger?: FastifyServerOptions["logger"];
  /** The clock; tests inject one to reach expiry times. */
  now?: () => Date;
  /** The recipe language's checker; by default the recipes/ package. */
  recipes?: RecipeTooling;
  /** A chain reader the caller opened (and closes); by default one on CHAIN_RPC_URL. */
  chain?: MarketChain;
  /** The worker's runs queue, opened (and closed) by the caller; by default one on REDIS_URL. */
  runQueue?: RunQueue;
}

/** The app with the zod type provider, as routes and main.ts see it. */
export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/**
 * Builds the workbench HTTP app without listening: plugins (config, readiness, errors, security,
 * docs, store, auth, recipes, chain, queue, the chain indexer and the run progress recorder), the
 * API routes under /api and the built UI at /. Call `listen` (see main.ts) or, in tests, `inject`.
 * The indexer (when INDEXER_ENABLED) and the progress recorder start when the app is ready.
 */
export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { config } = options;
  const app: App = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: config.server.bodyLimit,
    trustProxy: config.server.trustProxy,
    genReqId: () => randomUUID(),
    // One line per request, quieter for successful reads.
    logController: new RequestLogController(),
    // Our own shutdown guard below answers with the API's error shape instead.
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router's own errors (a broken %-encoding, a too-long path parameter) come before any hook:
    // answer them like every other error. `app` exists by the time a request arrives.
    frameworkErrors: (error, request, reply) => app.answerFrameworkError(error, request, reply as FastifyReply),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler);
  // JSON only: a cross-site form cannot post text/plain or form bodies to a cookie-authenticated route.
  app.removeContentTypeParser("text/plain");

  // Graceful shutdown: once closing, refuse new requests on open connections with our error shape,
  // and close each connection after its in-flight response, so that keep-alive clients do not hold
  // the shutdown until their idle timeout.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onRequest", async () => {
    if (closing) throw createError("ERR_SERVICE_SHUTTING_DOWN");
  });
  app.addHook("onSend", async (_request, reply) => {
    if (closing) reply.header("connection", "close");
  });

  await app.register(configPlugin, { config, now: options.now });
  await app.register(readinessPlugin);
  await app.register(securityPlugin);
  await app.register(errorsPlugin);
  await app.register(docsPlugin);
  await app.register(storePlugin, { store: options.store });
  await app.register(chainPlugin, { chain: options.chain });
  await app.register(authPlugin);
  await app.register(recipesPlugin, { tooling: options.recipes });
  await app.register(queuePlugin, { runQueue: options.runQueue });
  await app.register(indexerPlugin);
  await app.register(runProgressPlugin);

  await app.register(healthRoutes, { prefix: "/api" });
  await app.register(authRoutes, { prefix: "/api/auth" });
  await app.register(notebookRoutes, { prefix: "/api/notebooks" });
  await app.register(templateRoutes, { prefix: "/api/templates" });
  await app.register(chainRoutes, { prefix: "/api" });
  await app.register(datasetRoutes, { prefix: "/api/datasets" });
  await app.register(recipeRoutes, { prefix: "/api/recipes" });
  await app.register(runRoutes, { prefix: "/api" });
  await app.register(scheduleRoutes, { prefix: "/api/schedules" });

  await app.register(uiPlugin);
  return app;
}
