import { describe, expect, it } from "vitest";
import { devWallet } from "../demo/accounts";
import type { Deployment } from "../demo/deployment-file";
import { hashPassword } from "../gateway/device-registry";
import { demoDeviceId } from "./demo-gateway";
import { parseSimulateArgs, type DemoGatewayState } from "./simulate-options";

const MARKET = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

const deployment = {
  version: 1,
  network: "local",
  chainId: 31337,
  rpcUrl: "http://127.0.0.1:9545",
  genesisHash: `0x${"ab".repeat(32)}`,
  marketAddress: MARKET,
  deploymentBlock: 2,
  deployedAt: "2026-01-01T00:00:00.000Z",
  accounts: { admin: { index: 0, address: devWallet(0).address, label: "" }, relayer: { index: 1, address: devWallet(1).address, label: "" }, sellers: [], buyers: [] },
  datasets: [{ id: "3", name: "greenhouse", kind: "temperature", seller: devWallet(2).address, device: { index: 12, address: devWallet(12).address, label: "" }, approvedKinds: 1023, utcOffsetHours: 1 }],
  seed: { historyHours: 1, readings: 12, durationMs: 1, seededAt: "2026-01-01T00:00:00.000Z" },
} satisfies Deployment;

const parse = (argv: string[], env: Record<string, string> = {}, record: Deployment | null = deployment, gatewayState: DemoGatewayState = {}) =>
  parseSimulateArgs({ argv, env, loadDeployment: () => record ?? undefined, loadGatewayState: () => gatewayState });

/** What a running demo leaves in STATE_DIR/gateway. */
const INSTANCE = "0badcafe";
const spare = (mode: "plain" | "sealed") => demoDeviceId(INSTANCE, "greenhouse", mode === "plain" ? "sim-plain" : "sim-sealed");
const demoState: DemoGatewayState = {
  registry: {
    version: 1,
    topicPrefix: `iotdm/${INSTANCE}`,
    gateway: { username: `gateway-${INSTANCE}`, passwordHash: hashPassword("g") },
    devices: (["plain", "sealed"] as const).map((mode) => ({ id: spare(mode), datasetId: "3", mode, passwordHash: hashPassword(mode) })),
  },
  secrets: { instance: INSTANCE, devices: { [spare("plain")]: "plain-password", [spare("sealed")]: "sealed-password" } },
  broker: { url: "mqtt://127.0.0.1:41883" },
};
const withGateway = { ...deployment, accounts: { ...deployment.accounts, gateway: { index: 19, address: devWallet(19).address, label: "" } } } satisfies Deployment;

describe("simulate command line", () => {
  it("needs only a dataset name on a running demo: market, RPC and the device's key come from the deployment", () => {
    const parsed = parse(["--dataset", "greenhouse", "--rate", "0.5"]);
    expect(parsed).toMatchObject({
      kind: "run",
      options: { datasetId: 3n, market: MARKET, rpcUrl: "http://127.0.0.1:9545", deviceKey: devWallet(12).privateKey, rate: 0.5, batchSize: 32, maxBatchDelayMs: 30_000, network: { name: "local" } },
    });
  });

  it("prefers flags over the environment over the deployment", () => {
    const other = "0x0000000000000000000000000000000000000001";
    const parsed = parse(["--dataset", "7", "--market", other, "--rpc", "http://127.0.0.1:1"], { MARKET_ADDRESS: MARKET, CHAIN_RPC_URL: "http://x:2", DEVICE_PRIVATE_KEY: devWallet(9).privateKey });
    expect(parsed).toMatchObject({ kind: "run", options: { datasetId: 7n, market: other, rpcUrl: "http://127.0.0.1:1", deviceKey: devWallet(9).privateKey } });
  });

  it("never derives a dev key on a real network", () => {
    const parsed = parse(["--dataset", "greenhouse"], { FHEVM_NETWORK: "sepolia" });
    expect(parsed).toMatchObject({ kind: "error", message: expect.stringContaining("no device key") });
  });

  it.each([
    [[], "--dataset is required"],
    [["--dataset", "nope"], 'no dataset named "nope" (known: greenhouse)'],
    [["--dataset", "greenhouse", "--rate", "0"], "--rate must be"],
    [["--dataset", "greenhouse", "--batch-size", "33"], "--batch-size must be an integer from 1 to 32"],
    [["--dataset", "greenhouse", "--kind", "co2"], "--kind must be one of"],
    [["--dataset", "greenhouse", "--bogus"], "Unknown option '--bogus'"],
  ])("rejects %j with a sentence", (argv, message) => {
    expect(parse(argv)).toMatchObject({ kind: "error", message: expect.stringContaining(message) });
  });

  it("says how to get a market address when there is no deployment", () => {
    expect(parse(["--dataset", "1"], {}, null)).toMatchObject({ kind: "error", message: expect.stringContaining("pass --market, set MARKET_ADDRESS") });
  });

  it("rejects an unknown FHEVM_NETWORK", () => {
    expect(parse(["--dataset", "1"], { FHEVM_NETWORK: "mainnet" })).toMatchObject({ kind: "error", message: expect.stringContaining("FHEVM_NETWORK must be one of local, sepolia") });
  });

  it("--mqtt on a running demo needs only the dataset: the demo's broker, its spare mode b login and topics", () => {
    expect(parse(["--dataset", "greenhouse", "--mqtt", "--rate", "2"], {}, deployment, demoState)).toMatchObject({
      kind: "mqtt",
      options: { mqttUrl: "mqtt://127.0.0.1:41883", topicPrefix: `iotdm/${INSTANCE}`, datasetId: 3n, deviceId: spare("plain"), password: "plain-password", mode: "plain", rate: 2, kind: "temperature" },
    });
  });

  it("--mqtt --mode a logs in as the spare mode a device and encrypts for the deployment's gateway", () => {
    expect(parse(["--dataset", "greenhouse", "--mqtt", "--mode", "a", "--batch-size", "8"], { MQTT_URL: "mqtt://broker:1883" }, withGateway, demoState)).toMatchObject({
      kind: "mqtt",
      options: { mqttUrl: "mqtt://broker:1883", deviceId: spare("sealed"), password: "sealed-password", mode: "sealed", batchSize: 8, market: MARKET, gateway: devWallet(19).address },
    });
  });

  it.each([
    [["--dataset", "greenhouse", "--mode", "a"], {}, "--mode goes with --mqtt"],
    [["--dataset", "greenhouse", "--mqtt", "--mode", "c"], demoState, "--mode must be a (encrypted on the device) or b"],
    [["--dataset", "greenhouse", "--mqtt"], {}, "no broker: pass --mqtt-url or set MQTT_URL"],
    [["--dataset", "greenhouse", "--mqtt", "--mqtt-url", "mqtt://x:1"], {}, "no device login: pass --device-id and --password"],
    [["--dataset", "greenhouse", "--mqtt", "--mode", "a"], demoState, "pass --gateway <address>"],
    [["--dataset", "7", "--mqtt", "--device-id", spare("plain")], demoState, `is registered with the gateway for dataset 3 in mode b, not dataset 7`],
  ])("--mqtt: rejects %j with a sentence", (argv, state, message) => {
    expect(parse(argv, {}, deployment, state)).toMatchObject({ kind: "error", message: expect.stringContaining(message) });
  });

  it("prints help", () => {
    expect(parse(["--help"])).toEqual({ kind: "help" });
  });
});
