/**
 * Test support: the worker as its own process, so a test can kill it the way an operating system
 * would. It runs the way `npm start` runs it: worker/src/main.ts from source under node with tsx's
 * loader. The pid held is node's own, not a wrapper's.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { WorkerConfig } from "../../src/config";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

/** A worker process and how it ended. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Its last log lines (JSON), for failure messages. */
  output(): string;
  /** Resolves once it logged "worker ready". */
  ready: Promise<void>;
  /** Sends `signal` unless it already exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The environment `main.ts` reads, from a worker configuration. */
export function workerEnv(config: WorkerConfig): NodeJS.ProcessEnv {
  return {
    REDIS_URL: config.redisUrl,
    QUEUE_NAME: config.queueName,
    QUEUE_PREFIX: config.queuePrefix,
    WORKER_CONCURRENCY: String(config.concurrency),
    WORKER_LOCK_DURATION_MS: String(config.lockDurationMs),
    WORKER_STALLED_INTERVAL_MS: String(config.stalledIntervalMs),
    WORKER_MAX_STALLED_COUNT: String(config.maxStalledCount),
    CHAIN_RPC_URL: config.rpcUrl,
    RPC_POLLING_INTERVAL_MS: String(config.rpcPollingIntervalMs),
    MARKET_ADDRESS: config.marketAddress,
    MARKET_FROM_BLOCK: String(config.marketFromBlock),
    ...(config.relayerPrivateKey !== undefined && { RELAYER_PRIVATE_KEY: config.relayerPrivateKey }),
    ...(config.relayerPrivateKeys !== undefined && { RELAYER_PRIVATE_KEYS: config.relayerPrivateKeys.join(",") }),
    ...(config.relayerLeaseMs !== undefined && { WORKER_RELAYER_LEASE_MS: String(config.relayerLeaseMs) }),
    LOG_LEVEL: config.logLevel,
  };
}

/** Starts worker/src/main.ts with `config`; `output()` keeps its last `outputLimit` characters (default 20,000). */
export function spawnWorker(options: { config: WorkerConfig; outputLimit?: number }): WorkerProcess {
  const outputLimit = options.outputLimit ?? 20_000;
  const { config } = options;
  const child = spawn(process.execPath, ["--import", "tsx", path.join("worker", "src", "main.ts")], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...workerEnv(config) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  let isReady = false;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    // Only the new text (and the line it continues) is searched: the output may grow large.
    if (!isReady && (output.slice(-200) + text).includes('"msg":"worker ready"')) {
      isReady = true;
      onReady();
    }
    output = (output + text).slice(-outputLimit);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exited,
    ready: Promise.race([ready, exited.then(() => Promise.reject(new Error(`worker exited before it was ready:\n${output}`)))]),
    output: () => output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
