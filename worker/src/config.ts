/**
 * Worker configuration from the environment, parsed once at start-up: a wrong value stops the
 * process with a message naming the variable, rather than failing jobs later.
 */
import { z } from "zod";
import { DEFAULT_REDIS_URL } from "./redis";
import { DEFAULT_QUEUE_NAME, DEFAULT_QUEUE_PREFIX } from "./queues";

const integer = (fallback: number, min: number) => z.coerce.number().int().min(min).default(fallback);

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
  RELAYER_PRIVATE_KEY: z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, "RELAYER_PRIVATE_KEY must be 32 bytes of hex"),
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
  relayerPrivateKey: string;
  logLevel: string;
}

/** Reads the configuration from `env`; throws one error listing every invalid variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join(".");
      return `${name}: ${env[name] === undefined ? "is required" : issue.message}`;
    });
    throw new Error(`Invalid worker configuration:\n  ${problems.join("\n  ")}`);
  }
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
    relayerPrivateKey: e.RELAYER_PRIVATE_KEY,
    logLevel: e.LOG_LEVEL,
  };
}
