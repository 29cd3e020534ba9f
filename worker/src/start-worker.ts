/**
 * Assembles a worker process from its configuration: chain provider, its relayer identity (a key
 * no other live worker of the queue signs with, holding the market's OPERATOR_ROLE), the relayer
 * wallet and its transaction sender, market gateway, processors, the BullMQ worker, and the
 * producer-side queue the report processor uses for schedules. `main.ts` calls it; tests and the
 * benchmark too.
 */
import { JsonRpcProvider, Wallet } from "ethers";
import type { Logger } from "pino";
import { connectMarket } from "@iotdm/contracts-client";
import { MarketGateway } from "./chain/market-gateway";
import { decodeMarketRevert } from "./chain/market-errors";
import type { WorkerConfig } from "./config";
import { createLogger } from "./logger";
import { createProcessors } from "./processors";
import { describeHolder, type LeaseState } from "./lease";
import { createRunQueue } from "./queues";
import { createRedisConnection } from "./redis";
import { claimRelayer } from "./relayer-identity";
import { createRunWorker, type RunWorker } from "./run-worker";
import { TransactionSender } from "./tx-sender";

/** A running worker process and its shutdown. */
export interface WorkerRuntime {
  worker: RunWorker;
  /** The relayer's address (it holds the market's OPERATOR role, and no other live worker of the queue signs with it). */
  relayer: string;
  /**
   * Resolves if another worker took this worker's relayer key (its lease expired while this
   * process stalled for longer than WORKER_RELAYER_LEASE_MS): the worker must stop, as `main.ts`
   * does. Never resolves otherwise.
   */
  relayerLost: Promise<string>;
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

  const leaseRedis = createRedisConnection({ url: config.redisUrl, role: "worker" });
  const candidates = config.relayerPrivateKeys ?? (config.relayerPrivateKey ? [config.relayerPrivateKey] : []);
  let identity;
  try {
    if (candidates.length === 0) throw new Error("the worker needs a relayer key (RELAYER_PRIVATE_KEY or RELAYER_PRIVATE_KEYS)");
    identity = await claimRelayer({
      redis: leaseRedis,
      prefix: config.queuePrefix,
      queueName: config.queueName,
      privateKeys: candidates,
      ttlMs: config.relayerLeaseMs,
      onWaiting: ({ address, state }) =>
        logger.info(
          { relayer: address },
          `relayer ${address} is held by ${describeHolder(state.holder)}; waiting to see whether that worker is alive (a dead one's hold runs out within ${Math.round(state.ttlMs / 1000)} s)`,
        ),
    });
    await requireOperatorRole({ marketAddress: config.marketAddress, provider, relayer: identity.address });
  } catch (error) {
    await identity?.lease.release().catch(() => undefined);
    leaseRedis.disconnect();
    provider.destroy();
    throw error;
  }
  let onRelayerLost: (reason: string) => void = () => undefined;
  const relayerLost = new Promise<string>((resolve) => (onRelayerLost = resolve));
  identity.lease.keep({
    onLost: (other: LeaseState | undefined) =>
      onRelayerLost(
        `another worker (${describeHolder(other?.holder)}) took relayer ${identity.address} after this worker failed to renew its hold on it for ${Math.round(identity.lease.ttlMs / 1000)} s; this worker stops so that the two do not race for its nonces`,
      ),
    onRetaken: () => logger.warn({ relayer: identity.address }, "the hold on the relayer key had run out (a stall, or Redis lost its data); taken again"),
    onError: (err) => logger.warn({ err, relayer: identity.address }, "could not renew the hold on the relayer key; retrying"),
  });
  const wallet = new Wallet(identity.privateKey, provider);
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
    {
      queue: config.queueName,
      concurrency: config.concurrency,
      market: config.marketAddress,
      chainId: Number(chainId),
      relayer: wallet.address,
      ...(candidates.length > 1 && { relayerKey: `${identity.position} of ${candidates.length}` }),
    },
    "worker ready",
  );
  return {
    worker,
    relayer: wallet.address,
    relayerLost,
    async close(closeOptions = {}) {
      await worker.close(closeOptions);
      await runs.close();
      // Last: until its jobs are released, the key is still this worker's.
      await identity.lease.release().catch((err: unknown) => logger.warn({ err }, "could not release the relayer key's hold (it runs out by itself)"));
      await leaseRedis.quit().catch(() => undefined);
      provider.destroy();
    },
  };
}

/** Refuses a relayer without the market's OPERATOR_ROLE: every run would fail at its start otherwise. */
async function requireOperatorRole(options: { marketAddress: string; provider: JsonRpcProvider; relayer: string }): Promise<void> {
  const market = connectMarket(options.marketAddress, options.provider);
  const role = (await market.getFunction("OPERATOR_ROLE")()) as string;
  if (!((await market.getFunction("hasRole")(role, options.relayer)) as boolean)) {
    throw new Error(
      `The relayer ${options.relayer} does not hold OPERATOR_ROLE on the market ${options.marketAddress}: it could start no run. ` +
        `The market's admin grants it with grantRole(${role}, ${options.relayer}) (README, "Running on several machines").`,
    );
  }
}
