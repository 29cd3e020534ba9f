import { buildApp, type App } from "./app";
import { ConfigError, loadConfig, type Config } from "./config";

/** Options of `listen`. */
export interface ListenOptions {
  config: Config;
  /** Signals that start a graceful shutdown (default SIGTERM and SIGINT). */
  signals?: readonly NodeJS.Signals[];
}

/**
 * Builds the app — store, chain, runs queue, chain indexer and run progress recorder included — listens
 * on HOST:PORT, and closes it gracefully on SIGTERM/SIGINT: new requests are refused with
 * ERR_SERVICE_SHUTTING_DOWN, open run event streams end (browsers reconnect elsewhere), the indexer
 * finishes the block range it is writing, in-flight requests finish, then the queue, the chain
 * provider and the store close. If closing takes longer than SHUTDOWN_TIMEOUT_MS the process exits
 * anyway. Returns the listening app and a function that removes the signal handlers (tests).
 */
export async function listen(options: ListenOptions): Promise<{ app: App; address: string; dispose(): void }> {
  const { config } = options;
  const app = await buildApp({ config });
  const address = await app.listen({ host: config.server.host, port: config.server.port });
  let market: string | undefined;
  try {
    market = app.chain.deployment()?.address;
  } catch (error) {
    app.log.error({ err: error }, "the market deployment file cannot be used");
  }
  app.log.info(
    {
      chain: { rpcUrl: config.chain.rpcUrl, chainId: config.chain.chainId, market: market ?? "not configured yet" },
      queue: `${config.queue.prefix}:${config.queue.name}`,
      indexer: config.indexer.enabled,
    },
    market ? "workbench ready" : "workbench ready; waiting for a market (MARKET_ADDRESS or the launcher's deployment file)",
  );

  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    app.log.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs: config.server.shutdownTimeoutMs }, "shutdown timed out; exiting");
      process.exit(1);
    }, config.server.shutdownTimeoutMs);
    timer.unref();
    app.close().then(
      () => clearTimeout(timer),
      (error: unknown) => {
        app.log.error({ err: error }, "error while shutting down");
        process.exit(1);
      },
    );
  };
  const signals = options.signals ?? (["SIGTERM", "SIGINT"] as const);
  for (const signal of signals) process.on(signal, onSignal);
  return {
    app,
    address,
    dispose: () => {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}

if (process.argv[1] === import.meta.filename) {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(2);
  }
  listen({ config }).catch((error: unknown) => {
    console.error("workbench: failed to start", error);
    process.exit(1);
  });
}
