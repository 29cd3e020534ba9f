/**
 * Worker configuration from the environment, parsed once at start-up: a wrong value stops the
 * process with a message naming the variable, rather than failing jobs later.
 */
import { z } from "zod";
import { DEFAULT_REDIS_URL } from "./redis";
import { DEFAULT_QUEUE_NAME, DEFAULT_QUEUE_PREFIX } from "./queues";
import { DEFAULT_RELAYER_LEASE_MS } from "./relayer-identity";

const integer = (fallback: number, min: number) => z.coerce.number().int().min(min).default(fallback);
const privateKey = (message: string) => z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, message);

const envSchema = z.object({
  REDIS_URL: z.string().url().default(DEFAULT_REDIS_URL),
  QUEUE_NAME: z.string().regex(/^[\w-]+$/).default(DEFAULT_QUEUE_NAME),
  QUEUE_PREFIX: z.string().regex(/^[\w-]+$/).default(DEFAULT_QUEUE_PREFIX),
  /** Jobs one worker process runs at a time. Steps of one signer are sent one after another anyway. */
  WORKER_CONCURRENCY: integer(4, 1),
  /** A job whose lock is not renewed for this long is taken over by another worker. */
  WORKER_LOCK_DURATION_MS: integer(30_000, 1_000),
  /** How often workers look for jobs whose worker died. */
  WORKER_STALLED_INTERVAL_MS: integer(30_000, 500),
  /** How many times a job may be taken over after its worker died before it fails. */
  WORKER_MAX_STALLED_COUNT: integer(3, 0),
  /** JSON-RPC endpoint of the chain (the local Hardhat node by default). */
  CHAIN_RPC_URL: z.string().url().default("http://127.0.0.1:8545"),
  /** How often ethers polls the node for new blocks and receipts. */
  RPC_POLLING_INTERVAL_MS: integer(1_000, 10),
  /** Block the market was deployed in: where log scans (reading timestamps, run transactions) start. */
  MARKET_FROM_BLOCK: integer(0, 0),
  /** Address of the deployed market contract. */
  MARKET_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "MARKET_ADDRESS must be a 20-byte hex address"),
  /** Private key of the relayer account (holds the market's OPERATOR role). */
  RELAYER_PRIVATE_KEY: privateKey("RELAYER_PRIVATE_KEY must be 32 bytes of hex").optional(),
  /**
   * Instead of one key, a comma-separated list (every replica of a Compose service gets the same
   * list): the worker takes the first one no live worker of the queue holds.
   */
  RELAYER_PRIVATE_KEYS: z
    .string()
    .transform((value) => value.split(",").map((key) => key.trim()).filter((key) => key.length > 0))
    .pipe(z.array(privateKey("each key of RELAYER_PRIVATE_KEYS must be 32 bytes of hex")).min(1, "RELAYER_PRIVATE_KEYS lists no key"))
    .optional(),
  /** How long a worker that died keeps its relayer key reserved (its lease's time to live). */
  WORKER_RELAYER_LEASE_MS: integer(DEFAULT_RELAYER_LEASE_MS, 1_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

/** The parsed configuration. */
export interface WorkerConfig {
  redisUrl: string;
  queueName: string;
  queuePrefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  rpcUrl: string;
  rpcPollingIntervalMs: number;
  marketAddress: string;
  marketFromBlock: number;
  /** The relayer's key; or give {@link relayerPrivateKeys}. */
  relayerPrivateKey?: string;
  /** Keys to choose from: the worker takes the first one no live worker of the queue holds. */
  relayerPrivateKeys?: string[];
  /** How long a dead worker's relayer key stays reserved (default 15 s). */
  relayerLeaseMs?: number;
  logLevel: string;
}

/** Reads the configuration from `env`; throws one error listing every invalid variable. */
export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env): WorkerConfig {
  // An empty key variable counts as unset (Compose's `${X:-}` gives one).
  const env = { ...rawEnv };
  for (const name of ["RELAYER_PRIVATE_KEY", "RELAYER_PRIVATE_KEYS"]) if (env[name] === "") delete env[name];
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return `${name}: ${env[name] === undefined ? "is required" : issue.message}`;
      });
  // Exactly one of the two key variables.
  const given = (name: string) => env[name] !== undefined;
  if (!given("RELAYER_PRIVATE_KEY") && !given("RELAYER_PRIVATE_KEYS")) {
    problems.push("RELAYER_PRIVATE_KEY: is required (or RELAYER_PRIVATE_KEYS, a list to take a free key from)");
  } else if (given("RELAYER_PRIVATE_KEY") && given("RELAYER_PRIVATE_KEYS")) {
    problems.push("RELAYER_PRIVATE_KEY: give RELAYER_PRIVATE_KEY or RELAYER_PRIVATE_KEYS, not both");
  }
  if (!parsed.success || problems.length > 0) throw new Error(`Invalid worker configuration:\n  ${problems.join("\n  ")}`);
  const e = parsed.data;
  return {
    redisUrl: e.REDIS_URL,
    queueName: e.QUEUE_NAME,
    queuePrefix: e.QUEUE_PREFIX,
    concurrency: e.WORKER_CONCURRENCY,
    lockDurationMs: e.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: e.WORKER_MAX_STALLED_COUNT,
    rpcUrl: e.CHAIN_RPC_URL,
    rpcPollingIntervalMs: e.RPC_POLLING_INTERVAL_MS,
    marketAddress: e.MARKET_ADDRESS,
    marketFromBlock: e.MARKET_FROM_BLOCK,
    ...(e.RELAYER_PRIVATE_KEY !== undefined && { relayerPrivateKey: e.RELAYER_PRIVATE_KEY }),
    ...(e.RELAYER_PRIVATE_KEYS !== undefined && { relayerPrivateKeys: e.RELAYER_PRIVATE_KEYS }),
    relayerLeaseMs: e.WORKER_RELAYER_LEASE_MS,
    logLevel: e.LOG_LEVEL,
  };
}
