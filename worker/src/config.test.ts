import { describe, expect, it } from "vitest";
import { loadConfig } from "./config";

const required = {
  MARKET_ADDRESS: "0x00000000000000000000000000000000000000aa",
  RELAYER_PRIVATE_KEY: `0x${"11".repeat(32)}`,
};

describe("worker configuration", () => {
  it("fills defaults for everything but the market and the relayer key", () => {
    expect(loadConfig(required)).toMatchObject({
      redisUrl: "redis://127.0.0.1:6379",
      queueName: "recipe-runs",
      queuePrefix: "iotdm",
      concurrency: 4,
      rpcUrl: "http://127.0.0.1:8545",
      marketFromBlock: 0,
      logLevel: "info",
    });
  });

  it("reads numbers from strings", () => {
    expect(loadConfig({ ...required, WORKER_CONCURRENCY: "16", WORKER_LOCK_DURATION_MS: "2000" })).toMatchObject({
      concurrency: 16,
      lockDurationMs: 2000,
    });
  });

  it("lists every missing or invalid variable in one error", () => {
    expect(() => loadConfig({ WORKER_CONCURRENCY: "0" })).toThrow(
      /Invalid worker configuration:\n {2}WORKER_CONCURRENCY: .*\n {2}MARKET_ADDRESS: is required\n {2}RELAYER_PRIVATE_KEY: is required/,
    );
  });

  it("takes a list of relayer keys instead of one, and refuses both or neither", () => {
    const { RELAYER_PRIVATE_KEY: _one, ...rest } = required;
    const list = { ...rest, RELAYER_PRIVATE_KEYS: ` 0x${"22".repeat(32)}, ${"33".repeat(32)} ,` };
    expect(loadConfig(list)).toMatchObject({ relayerPrivateKeys: [`0x${"22".repeat(32)}`, "33".repeat(32)], relayerLeaseMs: 15_000 });
    expect(loadConfig(list).relayerPrivateKey).toBeUndefined();
    // Compose passes an unset variable as an empty one.
    expect(loadConfig({ ...list, RELAYER_PRIVATE_KEY: "" }).relayerPrivateKeys).toHaveLength(2);
    expect(() => loadConfig({ ...required, RELAYER_PRIVATE_KEYS: list.RELAYER_PRIVATE_KEYS })).toThrow(
      "RELAYER_PRIVATE_KEY: give RELAYER_PRIVATE_KEY or RELAYER_PRIVATE_KEYS, not both",
    );
    expect(() => loadConfig({ ...rest, RELAYER_PRIVATE_KEYS: "0x12" })).toThrow("each key of RELAYER_PRIVATE_KEYS must be 32 bytes of hex");
  });
});
