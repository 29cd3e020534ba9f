/**
 * The launcher's configuration: command-line flags and the environment, read once. The same
 * variables configure `npm start` and the Docker Compose services; the launcher passes the
 * service's and the worker's own variables through to them (see `childEnvironments`).
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { parseAllowedOrigins } from "@iotdm/contracts-client/rpc-origin-guard";
import { defaultPublicOrigins } from "../server/config";
import { fhevmNetworkFromEnv, type FhevmNetwork } from "../simulator/fhevm-network";

/** `npm start` usage. */
export const USAGE = `Usage: npm start [-- --fresh]

Starts the whole product on this machine: Redis (or uses yours), a local Hardhat chain with Zama's
fhevm mock on 127.0.0.1, the market with demo sellers, datasets and devices, the worker and the
workbench service; then prints the URL to open and the demo accounts. Ctrl-C stops everything.

  --fresh      wipe the state directory first (notebooks, templates, run history)
  -h, --help   this text

Configuration (environment): PORT, HOST, PUBLIC_ORIGINS, STATE_DIR, REDIS_URL, MQTT_URL,
CHAIN_PORT, CHAIN_RPC_URL, FHEVM_NETWORK, RELAYER_URL, MARKET_ADDRESS, MARKET_FROM_BLOCK, RELAYER_PRIVATE_KEY,
DEMO_HISTORY_HOURS, SIMULATOR_RATE, UI_BUILD, LOG_LEVEL, QUEUE_NAME, QUEUE_PREFIX — see README.md.`;

const hexKey = z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, "must be 32 bytes of hex");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte hex address");
const port = z.coerce.number().int().min(1).max(65_535);

const Environment = z.object({
  PORT: port.default(8787),
  HOST: z.string().min(1).default("127.0.0.1"),
  /** The origins the UI is served from (the service's; default from HOST and PORT): the only web pages the local chain answers. */
  PUBLIC_ORIGINS: z.string().optional(),
  STATE_DIR: z.string().min(1).default(".state"),
  /** Unset: 127.0.0.1:6379 if it answers, else a private redis-server for this run. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** The MQTT broker of the devices and the gateway; unset: 127.0.0.1:1883 if one answers, else an embedded one. */
  MQTT_URL: z.url({ protocol: /^(mqtts?|wss?)$/ }).optional(),
  /** Port of the local chain the launcher starts (127.0.0.1 only). */
  CHAIN_PORT: port.default(8545),
  /** Use this chain instead of starting one (a Hardhat node you run, or Zama's testnet). */
  CHAIN_RPC_URL: z.url({ protocol: /^https?$/ }).optional(),
  MARKET_ADDRESS: address.optional(),
  MARKET_FROM_BLOCK: z.coerce.number().int().min(0).optional(),
  /** The worker's account; on the local chain the demo relayer (dev account 1) by default. */
  RELAYER_PRIVATE_KEY: hexKey.optional(),
  /** Hours of readings the demo seed back-fills per dataset. */
  DEMO_HISTORY_HOURS: z.coerce.number().min(0).max(24 * 30).default(72),
  /** Readings per second each demo device sends while running; 0 turns the devices off. */
  SIMULATOR_RATE: z.coerce.number().min(0).max(100).default(0.2),
  /** Build the UI when it is missing or older than its sources (auto), always, or never. */
  UI_BUILD: z.enum(["auto", "always", "never"]).default("auto"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  QUEUE_NAME: z.string().regex(/^[\w-]+$/).default("recipe-runs"),
  QUEUE_PREFIX: z.string().regex(/^[\w-]+$/).default("iotdm"),
});

/** Every variable npm start reads (FHEVM_NETWORK and RELAYER_URL through fhevm-network.ts). */
export const LAUNCHER_VARIABLES: readonly string[] = [...Object.keys(Environment.shape), "FHEVM_NETWORK", "RELAYER_URL"];

/** Everything the launcher needs to know. */
export interface LauncherConfig {
  fresh: boolean;
  http: { host: string; port: number };
  /** Absolute. */
  stateDir: string;
  redisUrl: string | undefined;
  mqttUrl: string | undefined;
  network: FhevmNetwork;
  /**
   * local: start a node on chainPort unless rpcUrl is given; sepolia: rpcUrl is required. The node
   * it starts answers the web pages of `browserOrigins` only (the workbench's own origins).
   */
  chain: { port: number; rpcUrl: string | undefined; browserOrigins: string[] };
  market: { address: string; fromBlock: number } | undefined;
  relayerPrivateKey: string | undefined;
  demo: { historyHours: number; simulatorRate: number };
  uiBuild: "auto" | "always" | "never";
  logLevel: string;
  queue: { name: string; prefix: string };
}

/** The outcome of reading the command line and environment. */
export type ParsedLauncherCommand = { kind: "start"; config: LauncherConfig } | { kind: "help" } | { kind: "error"; message: string };

/** Reads flags and environment; never throws. */
export function parseLauncherConfig(options: { argv: string[]; env: Record<string, string | undefined>; cwd: string }): ParsedLauncherCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: options.argv,
      strict: true,
      allowPositionals: false,
      options: { fresh: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
    }));
  } catch (err) {
    return { kind: "error", message: err instanceof Error ? err.message : String(err) };
  }
  if (values.help) return { kind: "help" };

  // Empty variables count as unset (a `.env` line like `REDIS_URL=` means "default").
  const env = Object.fromEntries(Object.entries(options.env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    return { kind: "error", message: `invalid configuration:\n  ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n  ")}` };
  }
  const e = parsed.data;
  let network: FhevmNetwork;
  try {
    network = fhevmNetworkFromEnv(env);
  } catch (err) {
    return { kind: "error", message: (err as Error).message };
  }
  let browserOrigins: string[];
  try {
    browserOrigins = e.PUBLIC_ORIGINS ? parseAllowedOrigins(e.PUBLIC_ORIGINS, "PUBLIC_ORIGINS") : defaultPublicOrigins({ host: e.HOST, port: e.PORT });
  } catch (err) {
    return { kind: "error", message: (err as Error).message };
  }
  if (network.name === "sepolia") {
    const missing = (["CHAIN_RPC_URL", "MARKET_ADDRESS", "RELAYER_PRIVATE_KEY"] as const).filter((name) => e[name] === undefined);
    if (missing.length > 0) {
      return {
        kind: "error",
        message: `FHEVM_NETWORK=sepolia needs ${missing.join(", ")}: the launcher neither starts a chain nor deploys or seeds on a real network (see README, "Real network")`,
      };
    }
  }
  return {
    kind: "start",
    config: {
      fresh: values.fresh ?? false,
      http: { host: e.HOST, port: e.PORT },
      stateDir: path.resolve(options.cwd, e.STATE_DIR),
      redisUrl: e.REDIS_URL,
      mqttUrl: e.MQTT_URL,
      network,
      chain: { port: e.CHAIN_PORT, rpcUrl: e.CHAIN_RPC_URL, browserOrigins },
      market: e.MARKET_ADDRESS ? { address: e.MARKET_ADDRESS, fromBlock: e.MARKET_FROM_BLOCK ?? 0 } : undefined,
      relayerPrivateKey: e.RELAYER_PRIVATE_KEY,
      demo: { historyHours: e.DEMO_HISTORY_HOURS, simulatorRate: e.SIMULATOR_RATE },
      uiBuild: e.UI_BUILD,
      logLevel: e.LOG_LEVEL,
      queue: { name: e.QUEUE_NAME, prefix: e.QUEUE_PREFIX },
    },
  };
}
