import fp from "fastify-plugin";
import type { RedisLease } from "@iotdm/worker/queues";
import { ChainIndexer, type IndexerLeadership } from "../indexer/chain-indexer";
import type { QueueCleanup } from "../indexer/chain-reset";

declare module "fastify" {
  interface FastifyInstance {
    /** Follows the market's events into the store (started when the app is ready if INDEXER_ENABLED). */
    indexer: ChainIndexer;
  }
}

/** The shortest time the indexer's lease outlives an instance that died holding it. */
const INDEXER_LEASE_MIN_MS = 15_000;

/** The indexer's lead as a lease in the queue's Redis. */
function leadershipOf(lease: RedisLease): IndexerLeadership {
  return { acquire: () => lease.tryAcquire(), release: () => lease.release() };
}

/**
 * The chain indexer (see indexer/chain-indexer.ts): polls from when the app is ready until it
 * closes, when INDEXER_ENABLED (the default). Disabled, it still indexes on demand (`whenCaughtUp`).
 * Of several instances on one queue, the one holding the `indexer` lease polls the chain; the
 * others follow what it writes (and take the lease over within its TTL if it dies).
 */
export default fp(
  async (app) => {
    const { config, runQueue } = app;
    const cleanup: QueueCleanup = {
      removeSchedule: async (digest) => {
        await runQueue.removeSchedule({ id: digest });
      },
      removeRunJob: async (digest) => {
        // An active job is locked by its worker and cannot be removed: it fails on the new chain by itself.
        await runQueue.queue.remove(digest.toLowerCase()).catch(() => undefined);
      },
    };
    const indexer = new ChainIndexer({
      store: app.store,
      chain: app.chain,
      cleanup,
      logger: app.log.child({ component: "indexer" }),
      now: () => app.now(),
      pollIntervalMs: config.indexer.pollIntervalMs,
      blockRange: config.indexer.blockRange,
      confirmations: config.indexer.confirmations,
      // One of several instances on this deployment's queue reads the chain; the others follow.
      leadership: leadershipOf(
        runQueue.lease({ name: "indexer", ttlMs: Math.max(INDEXER_LEASE_MIN_MS, 10 * config.indexer.pollIntervalMs), role: "workbench indexer" }),
      ),
    });
    app.decorate("indexer", indexer);
    if (config.indexer.enabled) {
      app.addHook("onReady", async () => indexer.start());
    }
    // preClose: before the store and the queue close under it.
    app.addHook("preClose", async () => indexer.stop());
  },
  { name: "indexer", fastify: "5.x", dependencies: ["config", "store", "chain", "queue"] },
);
