/**
 * Assembles a worker process from its configuration: chain provider, relayer wallet and its
 * transaction sender, market gateway, processors, the BullMQ worker, and the producer-side queue
 * the report processor uses for schedules. `main.ts` calls it; tests and the benchmark too.
 */
import { JsonRpcProvider, Wallet } from "ethers";
import type { Logger } from "pino";
import { MarketGateway } from "./chain/market-gateway";
import { decodeMarketRevert } from "./chain/market-errors";
import type { WorkerConfig } from "./config";
import { createLogger } from "./logger";
import { createProcessors } from "./processors";
import { createRunQueue } from "./queues";
import { createRunWorker, type RunWorker } from "./run-worker";
import { TransactionSender } from "./tx-sender";

/** A running worker process and its shutdown. */
export interface WorkerRuntime {
  worker: RunWorker;
  /** The relayer's address (it must hold the market's OPERATOR role). */
  relayer: string;
  /**
   * Stops taking jobs; with `release` (default) running jobs stop after their transaction in flight
   * and go back to the queue, without it they are finished first. Then closes every connection.
   */
  close(options?: { release?: boolean }): Promise<void>;
}

/** Starts a worker from `config`. */
export async function startWorker(options: { config: WorkerConfig; logger?: Logger }): Promise<WorkerRuntime> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const provider = new JsonRpcProvider(config.rpcUrl, undefined, {
    staticNetwork: true,
    pollingInterval: config.rpcPollingIntervalMs,
    // ethers caches identical calls for 250 ms by default; a nonce or cursor read twice in that
    // time would come back stale.
    cacheTimeout: -1,
  });
  const { chainId } = await provider.getNetwork();
  const wallet = new Wallet(config.relayerPrivateKey, provider);
  const sender = TransactionSender.for({ signer: wallet, logger, decode: decodeMarketRevert });
  const gateway = new MarketGateway({ address: config.marketAddress, provider, fromBlock: config.marketFromBlock });
  const runs = createRunQueue({ redisUrl: config.redisUrl, name: config.queueName, prefix: config.queuePrefix });
  const processors = createProcessors({
    gateway,
    sender,
    runs,
    leaseMs: config.lockDurationMs,
    market: { chainId: Number(chainId), address: config.marketAddress },
  });
  const worker = createRunWorker({
    processors,
    redisUrl: config.redisUrl,
    name: config.queueName,
    prefix: config.queuePrefix,
    concurrency: config.concurrency,
    lockDurationMs: config.lockDurationMs,
    stalledIntervalMs: config.stalledIntervalMs,
    maxStalledCount: config.maxStalledCount,
    logger,
  });
  await worker.waitUntilReady();
  logger.info(
    { queue: config.queueName, concurrency: config.concurrency, market: config.marketAddress, chainId: Number(chainId), relayer: wallet.address },
    "worker ready",
  );
  return {
    worker,
    relayer: wallet.address,
    async close(closeOptions = {}) {
      await worker.close(closeOptions);
      await runs.close();
      provider.destroy();
    },
  };
}
