import path from "node:path";
import { z } from "zod";

/** A comma-separated list in one environment variable (blank entries dropped). */
const csv = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((text) =>
      text
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0),
    )
    .pipe(z.array(item));

/** An origin such as `http://localhost:8787` (scheme, host and port; no path). */
const origin = z.string().refine((text) => {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === text;
  } catch {
    return false;
  }
}, "must be an origin like http://localhost:8787 (no path, no trailing slash)");

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);

/**
 * The origins the UI is served from when PUBLIC_ORIGINS is unset: on a loopback or wildcard
 * listener the two loopback names a browser on this machine uses, else the listen address. The
 * launcher gives the same list to the local chain (the only web pages that may use its JSON-RPC).
 */
export function defaultPublicOrigins(listen: { host: string; port: number }): string[] {
  const { host, port } = listen;
  if (["127.0.0.1", "localhost", "0.0.0.0", "::", "::1"].includes(host)) return [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
  return [`http://${host.includes(":") ? `[${host}]` : host}:${port}`];
}

/**
 * The environment variables the workbench reads, with their defaults. Unknown variables are ignored
 * (the process environment holds many), but every variable listed here is checked.
 */
const Environment = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  /** Trust X-Forwarded-* headers (set when a reverse proxy terminates TLS in front of the service). */
  TRUST_PROXY: z.stringbool().default(false),
  BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
  STATE_DIR: z.string().min(1).default(".state"),
  /** PostgreSQL when set (postgres://...); otherwise the SQLite file `SQLITE_PATH`. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  /** The SQLite file; defaults to `<STATE_DIR>/workbench.sqlite`. `:memory:` keeps it in memory. */
  SQLITE_PATH: z.string().min(1).optional(),
  MIGRATE_ON_START: z.stringbool().default(true),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default("redis://127.0.0.1:6379"),
  CHAIN_RPC_URL: z.url({ protocol: /^(https?|wss?)$/ }).default("http://127.0.0.1:8545"),
  CHAIN_ID: positiveInt.default(31_337),
  /** The RPC URL the browser is told to use (GET /api/chain); CHAIN_RPC_URL when unset. Set it when that URL holds an API key. */
  PUBLIC_CHAIN_RPC_URL: z.url({ protocol: /^(https?|wss?)$/ }).optional(),
  /** The IoTDataMarket contract. Without it, the market is read from DEPLOYMENT_FILE (the launcher writes one). */
  MARKET_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address").optional(),
  /** The block the market was deployed in: where the indexer starts on a new chain. */
  MARKET_FROM_BLOCK: nonNegativeInt.optional(),
  /** A JSON deployment record `{ chainId, marketAddress, deploymentBlock }`; default `<STATE_DIR>/deployment.json`. */
  DEPLOYMENT_FILE: z.string().min(1).optional(),
  /** The BullMQ queue the worker consumes (the same variables as the worker's). */
  QUEUE_NAME: z.string().regex(/^[\w-]+$/, "must be letters, digits, _ or -").default("recipe-runs"),
  QUEUE_PREFIX: z.string().regex(/^[\w-]+$/, "must be letters, digits, _ or -").default("iotdm"),
  /** Follow the market's events into the store (one service instance is enough; every instance may). */
  INDEXER_ENABLED: z.stringbool().default(true),
  INDEXER_POLL_INTERVAL_MS: positiveInt.default(1_000),
  /** Blocks per eth_getLogs request (public RPC providers cap the range). */
  INDEXER_BLOCK_RANGE: positiveInt.default(2_000),
  /** Blocks to stay behind the head (reorg safety on a real network; 0 on the local chain). */
  INDEXER_CONFIRMATIONS: nonNegativeInt.default(0),
  /** How long a catalogue page may be served from memory on an instance whose indexer did not write it (0: never). */
  CATALOGUE_CACHE_MS: nonNegativeInt.default(1_000),
  /** How often an open run event stream (SSE) sends a keep-alive comment. */
  SSE_KEEPALIVE_MS: positiveInt.default(15_000),
  /** The origins the workbench UI is served from; a sign-in message must name one of them. */
  PUBLIC_ORIGINS: csv(origin).optional(),
  /** Origins allowed to call the API from a browser page served elsewhere (CORS). Empty: same origin only. */
  CORS_ORIGINS: csv(origin).default([]),
  /** Extra `connect-src` entries of the UI's Content-Security-Policy (e.g. a relayer URL). */
  CSP_CONNECT_SRC: csv(z.string().regex(/^[^\s;,']+$/, "must be a CSP source without spaces or quotes")).default([]),
  RATE_LIMIT_ENABLED: z.stringbool().default(true),
  RATE_LIMIT_MAX: positiveInt.default(60_000),
  RATE_LIMIT_WINDOW_MS: positiveInt.default(60_000),
  AUTH_RATE_LIMIT_MAX: positiveInt.default(20),
  AUTH_RATE_LIMIT_WINDOW_MS: positiveInt.default(60_000),
  SESSION_TTL_SECONDS: positiveInt.default(7 * 24 * 3600),
  NONCE_TTL_SECONDS: positiveInt.default(600),
  /** `auto`: Secure cookies when the request came over https (directly or, with TRUST_PROXY, via a proxy). */
  COOKIE_SECURE: z.enum(["auto", "always", "never"]).default("auto"),
  UI_DIR: z.string().min(1).default("workbench/ui/dist"),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
});

/** The store the workbench uses: an embedded SQLite file, or a shared PostgreSQL database. */
export type StoreConfig = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/** The workbench's configuration, parsed once from the environment. */
export interface Config {
  env: "development" | "production" | "test";
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  server: { host: string; port: number; trustProxy: boolean; bodyLimit: number; shutdownTimeoutMs: number };
  stateDir: string;
  store: StoreConfig;
  migrateOnStart: boolean;
  redisUrl: string;
  chain: {
    rpcUrl: string;
    /** What the browser is told to use. */
    publicRpcUrl: string;
    chainId: number;
    /** The market contract when MARKET_ADDRESS is set; otherwise read from `deploymentFile`. */
    marketAddress: string | undefined;
    /** Where the indexer starts (MARKET_FROM_BLOCK, else the deployment file's block, else 0). */
    fromBlock: number | undefined;
    deploymentFile: string;
  };
  queue: { name: string; prefix: string };
  indexer: { enabled: boolean; pollIntervalMs: number; blockRange: number; confirmations: number };
  sse: { keepAliveMs: number };
  /** See CATALOGUE_CACHE_MS. */
  catalogueCacheMs: number;
  publicOrigins: string[];
  corsOrigins: string[];
  cspConnectSrc: string[];
  rateLimit: {
    enabled: boolean;
    max: number;
    windowMs: number;
    /** The strict limit of the sign-in routes (nonce, verify). */
    authMax: number;
    authWindowMs: number;
  };
  auth: { sessionTtlSeconds: number; nonceTtlSeconds: number; cookieSecure: "auto" | "always" | "never" };
  uiDir: string;
}

/** The configuration is not valid; the message lists every offending variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Reads the configuration from `env` (by default the process environment). Throws a `ConfigError`
 * naming each invalid variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid workbench configuration:\n${problems.join("\n")}`);
  }
  const e = parsed.data;
  const publicOrigins = e.PUBLIC_ORIGINS ?? defaultPublicOrigins({ host: e.HOST, port: e.PORT });
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    server: {
      host: e.HOST,
      port: e.PORT,
      trustProxy: e.TRUST_PROXY,
      bodyLimit: e.BODY_LIMIT_BYTES,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    },
    stateDir: e.STATE_DIR,
    store: e.DATABASE_URL
      ? { kind: "postgres", url: e.DATABASE_URL }
      : { kind: "sqlite", path: e.SQLITE_PATH ?? path.join(e.STATE_DIR, "workbench.sqlite") },
    migrateOnStart: e.MIGRATE_ON_START,
    redisUrl: e.REDIS_URL,
    chain: {
      rpcUrl: e.CHAIN_RPC_URL,
      publicRpcUrl: e.PUBLIC_CHAIN_RPC_URL ?? e.CHAIN_RPC_URL,
      chainId: e.CHAIN_ID,
      marketAddress: e.MARKET_ADDRESS,
      fromBlock: e.MARKET_FROM_BLOCK,
      deploymentFile: e.DEPLOYMENT_FILE ?? path.join(e.STATE_DIR, "deployment.json"),
    },
    queue: { name: e.QUEUE_NAME, prefix: e.QUEUE_PREFIX },
    indexer: {
      enabled: e.INDEXER_ENABLED,
      pollIntervalMs: e.INDEXER_POLL_INTERVAL_MS,
      blockRange: e.INDEXER_BLOCK_RANGE,
      confirmations: e.INDEXER_CONFIRMATIONS,
    },
    sse: { keepAliveMs: e.SSE_KEEPALIVE_MS },
    catalogueCacheMs: e.CATALOGUE_CACHE_MS,
    publicOrigins,
    corsOrigins: e.CORS_ORIGINS,
    cspConnectSrc: e.CSP_CONNECT_SRC,
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED,
      max: e.RATE_LIMIT_MAX,
      windowMs: e.RATE_LIMIT_WINDOW_MS,
      authMax: e.AUTH_RATE_LIMIT_MAX,
      authWindowMs: e.AUTH_RATE_LIMIT_WINDOW_MS,
    },
    auth: {
      sessionTtlSeconds: e.SESSION_TTL_SECONDS,
      nonceTtlSeconds: e.NONCE_TTL_SECONDS,
      cookieSecure: e.COOKIE_SECURE,
    },
    uiDir: e.UI_DIR,
  };
}
