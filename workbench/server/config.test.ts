import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

describe("loadConfig", () => {
  it("defaults to a SQLite file under the state folder on 127.0.0.1:8787", () => {
    const config = loadConfig({});
    expect(config.server).toMatchObject({ host: "127.0.0.1", port: 8787, trustProxy: false });
    expect(config.store).toEqual({ kind: "sqlite", path: ".state/workbench.sqlite" });
    expect(config.publicOrigins).toEqual(["http://localhost:8787", "http://127.0.0.1:8787"]);
    expect(config.chain.chainId).toBe(31337);
    expect(config.corsOrigins).toEqual([]);
  });

  it("uses PostgreSQL when DATABASE_URL is set", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u@db:5432/wb" }).store).toEqual({ kind: "postgres", url: "postgres://u@db:5432/wb" });
  });

  it("parses lists, numbers and booleans from strings", () => {
    const config = loadConfig({
      PORT: "9000",
      TRUST_PROXY: "true",
      CORS_ORIGINS: "https://a.example, https://b.example:8443",
      RATE_LIMIT_ENABLED: "false",
      STATE_DIR: "/var/lib/wb",
    });
    expect(config.server.port).toBe(9000);
    expect(config.server.trustProxy).toBe(true);
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example:8443"]);
    expect(config.rateLimit.enabled).toBe(false);
    expect(config.store).toEqual({ kind: "sqlite", path: "/var/lib/wb/workbench.sqlite" });
  });

  it("reads the market, the queue and the indexer, with the deployment file under the state folder", () => {
    const defaults = loadConfig({ STATE_DIR: "/var/lib/wb" });
    expect(defaults.chain).toMatchObject({ marketAddress: undefined, fromBlock: undefined, deploymentFile: "/var/lib/wb/deployment.json", publicRpcUrl: "http://127.0.0.1:8545" });
    expect(defaults.queue).toEqual({ name: "recipe-runs", prefix: "iotdm" });
    expect(defaults.indexer).toEqual({ enabled: true, pollIntervalMs: 1000, blockRange: 2000, confirmations: 0 });
    const config = loadConfig({
      MARKET_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      MARKET_FROM_BLOCK: "7",
      PUBLIC_CHAIN_RPC_URL: "https://rpc.example",
      QUEUE_NAME: "runs-2",
      INDEXER_ENABLED: "false",
      INDEXER_CONFIRMATIONS: "12",
    });
    expect(config.chain).toMatchObject({ marketAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3", fromBlock: 7, publicRpcUrl: "https://rpc.example" });
    expect(config.queue.name).toBe("runs-2");
    expect(config.indexer).toMatchObject({ enabled: false, confirmations: 12 });
    expect(() => loadConfig({ MARKET_ADDRESS: "0x12", QUEUE_NAME: "a b" })).toThrow(/MARKET_ADDRESS[\s\S]*QUEUE_NAME/);
  });

  it("names every invalid variable", () => {
    const attempt = () => loadConfig({ PORT: "http", DATABASE_URL: "mysql://x", CORS_ORIGINS: "https://a.example/path" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT[\s\S]*DATABASE_URL[\s\S]*CORS_ORIGINS/);
  });
});
