/**
 * Test support: the worker as its own process (source-process.ts), so a test can kill it the way an
 * operating system would, configured by a WorkerConfig and ready when it logs "worker ready".
 */
import path from "node:path";
import type { WorkerConfig } from "../../src/config";
import { spawnSourceProcess, type SourceProcess } from "./source-process";

/** A worker process and how it ended. */
export interface WorkerProcess extends SourceProcess {
  /** Resolves once it logged "worker ready". */
  ready: Promise<void>;
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
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  let isReady = false;
  const worker = spawnSourceProcess({
    entry: path.join("worker", "src", "main.ts"),
    env: workerEnv(options.config),
    ...(options.outputLimit !== undefined && { outputLimit: options.outputLimit }),
    onOutput: (text, before) => {
      // Only the new text (and the line it continues) is searched: the output may grow large.
      if (!isReady && (before + text).includes('"msg":"worker ready"')) {
        isReady = true;
        onReady();
      }
    },
  });
  return {
    ...worker,
    ready: Promise.race([ready, worker.exited.then(() => Promise.reject(new Error(`worker exited before it was ready:\n${worker.output()}`)))]),
  };
}
