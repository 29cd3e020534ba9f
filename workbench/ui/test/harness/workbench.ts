/**
 * The real workbench service for the journeys: workbench/server's buildApp in production mode,
 * listening on a free loopback port, serving the built UI (workbench/ui/dist) and the API over a
 * fresh SQLite file, on the journey's chain and run queue. Started in this process, as the
 * service's own end-to-end tests start it.
 */
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "@iotdm/contracts-client/local-chain";
import { buildApp, type App } from "../../../server/app";
import { loadConfig } from "../../../server/config";

/** The built UI the service serves. */
export const UI_DIST = path.resolve(import.meta.dirname, "../../dist");

/** A running service. */
export interface Workbench {
  url: string;
  app: App;
  stop(): Promise<void>;
}

/**
 * Starts the service; the chain's RPC URL goes into its CSP (connect-src) and configuration. `port`
 * is the journey chain's `workbenchPort`: the node answers web pages of that origin only.
 */
export async function startWorkbench(options: { chainRpcUrl: string; marketAddress?: string; queue?: { name: string; prefix: string }; port?: number }): Promise<Workbench> {
  if (!existsSync(path.join(UI_DIST, "index.html"))) throw new Error(`no built UI in ${UI_DIST}: run npm run build:ui first`);
  const port = options.port ?? (await freePort());
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "workbench-ui-journeys-"));
  const config = loadConfig({
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
    PORT: String(port),
    STATE_DIR: stateDir,
    SQLITE_PATH: path.join(stateDir, "workbench.sqlite"),
    UI_DIR: UI_DIST,
    CHAIN_RPC_URL: options.chainRpcUrl,
    CHAIN_ID: "31337",
    ...(options.marketAddress ? { MARKET_ADDRESS: options.marketAddress, MARKET_FROM_BLOCK: "0" } : {}),
    ...(options.queue ? { QUEUE_NAME: options.queue.name, QUEUE_PREFIX: options.queue.prefix } : {}),
    INDEXER_POLL_INTERVAL_MS: "100",
    SSE_KEEPALIVE_MS: "1000",
    AUTH_RATE_LIMIT_MAX: "1000",
    RATE_LIMIT_MAX: "100000",
  });
  const app = await buildApp({ config, logger: { level: "warn" } });
  await app.listen({ host: "127.0.0.1", port });
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    async stop() {
      await app.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
