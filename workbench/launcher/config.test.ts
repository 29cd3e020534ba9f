import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseLauncherConfig } from "./config";

const parse = (argv: string[], env: Record<string, string> = {}) => parseLauncherConfig({ argv, env, cwd: "/repo" });

describe("npm start configuration", () => {
  it("defaults to the local chain on 127.0.0.1:8545, the service on 127.0.0.1:8787 and .state", () => {
    const parsed = parse([]);
    expect(parsed).toMatchObject({
      kind: "start",
      config: {
        fresh: false,
        http: { host: "127.0.0.1", port: 8787 },
        stateDir: path.resolve("/repo", ".state"),
        redisUrl: undefined,
        mqttUrl: undefined,
        network: { name: "local" },
        chain: { port: 8545, rpcUrl: undefined, browserOrigins: ["http://localhost:8787", "http://127.0.0.1:8787"] },
        demo: { historyHours: 72, simulatorRate: 0.2 },
        uiBuild: "auto",
        queue: { name: "recipe-runs", prefix: "iotdm" },
      },
    });
  });

  it("takes an MQTT broker's URL (mqtt, mqtts, ws, wss) and refuses another scheme by name", () => {
    expect(parse([], { MQTT_URL: "mqtts://broker.example:8883" })).toMatchObject({ kind: "start", config: { mqttUrl: "mqtts://broker.example:8883" } });
    expect(parse([], { MQTT_URL: "http://broker.example" })).toMatchObject({ kind: "error", message: expect.stringContaining("MQTT_URL") });
  });

  it("reads --fresh and the environment; empty variables count as unset", () => {
    const parsed = parse(["--fresh"], { PORT: "9000", HOST: "0.0.0.0", STATE_DIR: "/tmp/x", REDIS_URL: "", CHAIN_PORT: "9545", SIMULATOR_RATE: "0", UI_BUILD: "never" });
    expect(parsed).toMatchObject({ kind: "start", config: { fresh: true, http: { host: "0.0.0.0", port: 9000 }, stateDir: "/tmp/x", redisUrl: undefined, chain: { port: 9545 }, demo: { simulatorRate: 0 }, uiBuild: "never" } });
  });

  it("opens the local chain to the workbench's origins only: PUBLIC_ORIGINS, else those of HOST and PORT", () => {
    expect(parse([], { PORT: "9000" })).toMatchObject({ config: { chain: { browserOrigins: ["http://localhost:9000", "http://127.0.0.1:9000"] } } });
    expect(parse([], { HOST: "192.168.1.5" })).toMatchObject({ config: { chain: { browserOrigins: ["http://192.168.1.5:8787"] } } });
    expect(parse([], { PUBLIC_ORIGINS: "http://localhost:5173, https://workbench.example" })).toMatchObject({
      config: { chain: { browserOrigins: ["http://localhost:5173", "https://workbench.example"] } },
    });
    expect(parse([], { PUBLIC_ORIGINS: "http://localhost:5173/notebooks" })).toMatchObject({
      kind: "error",
      message: expect.stringContaining('PUBLIC_ORIGINS: "http://localhost:5173/notebooks" is not an http(s) origin'),
    });
  });

  it("lists every invalid variable", () => {
    const parsed = parse([], { PORT: "http", REDIS_URL: "localhost:6379", UI_BUILD: "sometimes" });
    expect(parsed.kind).toBe("error");
    const message = (parsed as { message: string }).message;
    expect(message).toContain("PORT");
    expect(message).toContain("REDIS_URL");
    expect(message).toContain("UI_BUILD");
  });

  it("needs a chain, a market and the relayer's key for Zama's testnet, and says why", () => {
    expect(parse([], { FHEVM_NETWORK: "sepolia" })).toMatchObject({
      kind: "error",
      message: expect.stringContaining("FHEVM_NETWORK=sepolia needs CHAIN_RPC_URL, MARKET_ADDRESS, RELAYER_PRIVATE_KEY"),
    });
    const parsed = parse([], {
      FHEVM_NETWORK: "sepolia",
      CHAIN_RPC_URL: "https://rpc.sepolia.example",
      MARKET_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      MARKET_FROM_BLOCK: "7000000",
      RELAYER_PRIVATE_KEY: `0x${"11".repeat(32)}`,
      RELAYER_URL: "https://relayer.example",
    });
    expect(parsed).toMatchObject({
      kind: "start",
      config: { network: { name: "sepolia", relayerUrl: "https://relayer.example" }, chain: { rpcUrl: "https://rpc.sepolia.example" }, market: { fromBlock: 7_000_000 } },
    });
  });

  it("runs WORKERS worker processes, each with a relayer key of its own", () => {
    const key = (byte: string) => `0x${byte.repeat(32)}`;
    expect(parse([])).toMatchObject({ config: { workers: 1, relayerPrivateKey: undefined, relayerPrivateKeys: undefined } });
    // Locally the demo's relayers serve them; elsewhere a list with a key per worker.
    expect(parse([], { WORKERS: "3" })).toMatchObject({ kind: "start", config: { workers: 3 } });
    expect(parse([], { WORKERS: "3", RELAYER_PRIVATE_KEYS: `${key("11")},${key("22")}, ${key("33")}` })).toMatchObject({
      config: { workers: 3, relayerPrivateKeys: [key("11"), key("22"), key("33")] },
    });
    expect(parse([], { WORKERS: "3", RELAYER_PRIVATE_KEY: key("11") })).toMatchObject({
      kind: "error",
      message: expect.stringContaining("WORKERS=3 needs a relayer key per worker: RELAYER_PRIVATE_KEY is one key; list 3 in RELAYER_PRIVATE_KEYS"),
    });
    expect(parse([], { WORKERS: "3", RELAYER_PRIVATE_KEYS: `${key("11")},${key("22")}` })).toMatchObject({
      kind: "error",
      message: "WORKERS=3 needs a relayer key per worker, and RELAYER_PRIVATE_KEYS lists 2",
    });
    expect(parse([], { WORKERS: "2", RELAYER_PRIVATE_KEYS: `${key("11")},${key("11")}` })).toMatchObject({ kind: "error", message: expect.stringContaining("lists a key twice") });
    expect(parse([], { WORKERS: "9" })).toMatchObject({ kind: "error", message: expect.stringContaining("the demo has 8 relayer keys") });
    expect(parse([], { WORKERS: "0" })).toMatchObject({ kind: "error", message: expect.stringContaining("WORKERS") });
    expect(
      parse([], {
        FHEVM_NETWORK: "sepolia",
        CHAIN_RPC_URL: "https://rpc.sepolia.example",
        MARKET_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        WORKERS: "2",
        RELAYER_PRIVATE_KEYS: `${key("11")},${key("22")}`,
      }),
    ).toMatchObject({ kind: "start", config: { workers: 2, network: { name: "sepolia" } } });
  });

  it("rejects unknown flags and prints help", () => {
    expect(parse(["--frsh"])).toMatchObject({ kind: "error", message: expect.stringContaining("--frsh") });
    expect(parse(["-h"])).toEqual({ kind: "help" });
  });
});
