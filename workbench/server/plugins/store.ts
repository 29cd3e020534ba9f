import fp from "fastify-plugin";
import { createStore, type Store } from "../store/store";

declare module "fastify" {
  interface FastifyInstance {
    /** The workbench store (SQLite or PostgreSQL). */
    store: Store;
  }
}

/** Options of the store plugin. */
export interface StorePluginOptions {
  /** A store opened by the caller (tests, or main.ts sharing it); the caller closes it. */
  store?: Store;
}

/**
 * Opens the store described by the configuration (migrating it when MIGRATE_ON_START is set) and
 * closes it with the app, or uses the store it is given.
 */
export default fp<StorePluginOptions>(
  async (app, options) => {
    const store = options.store ?? createStore(app.config.store);
    if (!options.store) {
      app.addHook("onClose", async () => {
        await store.close();
      });
      if (app.config.migrateOnStart) await store.migrate();
    }
    app.decorate("store", store);
    app.readiness.add("store", () => store.ping());
  },
  { name: "store", fastify: "5.x", dependencies: ["config", "readiness"] },
);
