import fp from "fastify-plugin";
import { ChainIndexer } from "../indexer/chain-indexer";
import type { QueueCleanup } from "../indexer/chain-reset";

declare module "fastify" {
  interface FastifyInstance {
    /** Follows the market's events into the store (started when the app is ready if INDEXER_ENABLED). */
    indexer: ChainIndexer;
  }
}

/**
 * The chain indexer (see indexer/chain-indexer.ts): polls from when the app is ready until it
 * closes, when INDEXER_ENABLED (the default). Disabled, it still indexes on demand (`whenCaughtUp`).
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
