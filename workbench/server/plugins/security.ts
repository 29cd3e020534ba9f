import cors from "@fastify/cors";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import { Redis } from "ioredis";
import Fastify from "fastify";
import fp from "fastify-plugin";
import type { Config } from "../config";
import { createError } from "../errors";

/**
 * The Content-Security-Policy of the UI (a Vite-built Svelte app with the Monaco editor) and of the
 * API docs, all served from this origin:
 * - scripts only from here, plus 'wasm-unsafe-eval' for the fhevm relayer SDK's WebAssembly;
 * - inline styles, because Monaco (and Svelte transitions) inject <style> elements;
 * - workers from here or blob: (Monaco's language workers, the recipe checker's worker);
 * - fetches to this origin, the chain's JSON-RPC URL (the browser encrypts and user-decrypts through
 *   it) and any extra CSP_CONNECT_SRC entries (a relayer on a real network).
 * No upgrade-insecure-requests: locally the app is served over plain http.
 */
export function contentSecurityPolicy(config: Config): Record<string, string[]> {
  const chainOrigin = new URL(config.chain.publicRpcUrl).origin;
  const chainWs = chainOrigin.replace(/^http/, "ws");
  return {
    "default-src": ["'self'"],
    "base-uri": ["'self'"],
    "script-src": ["'self'", "'wasm-unsafe-eval'"],
    "script-src-attr": ["'none'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "worker-src": ["'self'", "blob:"],
    "connect-src": ["'self'", chainOrigin, chainWs, ...config.cspConnectSrc],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
  };
}

/**
 * The security headers helmet sends with this configuration. @fastify/helmet builds helmet's whole
 * middleware again on every request (it re-parses the CSP each time); with a static policy the
 * headers never change, so they are taken once from a throwaway app running the plugin and set on
 * every response from then on.
 */
async function securityHeaders(config: Config): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  await probe.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(config) } });
  probe.get("/", async () => "");
  const response = await probe.inject({ method: "GET", url: "/" });
  await probe.close();
  const ignored = new Set(["content-type", "content-length", "date", "connection", "keep-alive"]);
  return Object.fromEntries(
    Object.entries(response.headers).flatMap(([name, value]) => (ignored.has(name) || value === undefined ? [] : [[name, String(value)]])),
  );
}

declare module "fastify" {
  interface FastifyInstance {
    /** The headers every response carries (helmet's), for answers sent outside the request hooks. */
    securityHeaders: Readonly<Record<string, string>>;
  }
}

/**
 * API answers are never stored by a browser or a shared cache: most are one user's (notebooks,
 * runs, sessions), and the rest change as the chain moves. A route may set its own.
 */
export const API_CACHE_CONTROL = "no-store";

/**
 * Security headers (helmet), `Cache-Control: no-store` on API answers, CORS for the configured
 * origins only, and rate limiting: a generous per-client limit on every route, stricter ones where
 * routes ask for it (sign-in, the anonymous recipe checker). The counts live in the queue's Redis
 * (`<prefix>:<queue>:rate-limit:*`), so that several service instances behind one load balancer
 * limit a client together rather than each letting it through once more; while Redis does not
 * answer, requests are let through rather than refused (the queue is down then anyway, which
 * /api/ready says).
 */
export default fp(
  async (app) => {
    const { config } = app;

    const headers = await securityHeaders(config);
    app.decorate("securityHeaders", headers);
    app.addHook("onRequest", async (request, reply) => {
      reply.headers(headers);
      if (request.url.startsWith("/api/")) reply.header("cache-control", API_CACHE_CONTROL);
    });

    // Without CORS_ORIGINS the API is same-origin only: browsers refuse cross-origin reads of a
    // response without Access-Control-Allow-Origin, so there is nothing to add to any response
    // (and no per-request work to do).
    if (config.corsOrigins.length > 0) {
      await app.register(cors, {
        origin: config.corsOrigins,
        credentials: true,
        methods: ["GET", "HEAD", "POST", "PATCH", "DELETE"],
        allowedHeaders: ["Content-Type", "Authorization"],
        maxAge: 600,
      });
    }

    if (config.rateLimit.enabled) {
      // Its own connection: a command fails at once while Redis is away (no offline queue), and the
      // limiter then lets the request through (skipOnError) instead of holding it.
      const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 });
      let warned = false;
      redis.on("error", (error) => {
        if (!warned) app.log.warn({ err: error }, "rate limits: Redis does not answer; requests are not limited until it does");
        warned = true;
      });
      redis.on("ready", () => (warned = false));
      app.addHook("onClose", async () => {
        await redis.quit().catch(() => redis.disconnect());
      });
      await app.register(rateLimit, {
        global: true,
        redis,
        nameSpace: `${config.queue.prefix}:${config.queue.name}:rate-limit:`,
        skipOnError: true,
        max: config.rateLimit.max,
        timeWindow: config.rateLimit.windowMs,
        errorResponseBuilder: (_request, context) =>
          createError("ERR_RATE_LIMITED", { params: { retryAfter: context.after }, status: context.statusCode }),
      });
    }
  },
  { name: "security", fastify: "5.x", dependencies: ["config"] },
);
