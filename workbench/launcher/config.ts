/**
 * The launcher's configuration: command-line flags and the environment, read once. The same
 * variables configure `npm start` and the Docker Compose services; the launcher passes the
 * service's and the worker's own variables through to them (see `childEnvironments`).
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { parseAllowedOrigins } from "@iotdm/contracts-client/rpc-origin-guard";
import { DEMO_RELAYER_COUNT } from "../demo/accounts";
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
CHAIN_PORT, CHAIN_RPC_URL, FHEVM_NETWORK, RELAYER_URL, MARKET_ADDRESS, MARKET_FROM_BLOCK, RELAYER_PRIVATE_KEY, RELAYER_PRIVATE_KEYS, WORKERS,
DEMO_HISTORY_HOURS, SIMULATOR_RATE, UI_BUILD, LOG_LEVEL, QUEUE_NAME, QUEUE_PREFIX — see README.md.`;

const hexKey = z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, "must be 32 bytes of hex");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte hex address");
const port = z.coerce.number().int().min(1).max(65_535);
/** The most worker processes one `npm start` runs. */
const MAX_WORKERS = 16;

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
  /** One key per worker process (comma-separated), for WORKERS > 1; on the local chain the demo relayers by default. */
  RELAYER_PRIVATE_KEYS: z
    .string()
    .transform((value) => value.split(",").map((key) => key.trim()).filter((key) => key.length > 0))
    .pipe(z.array(hexKey).min(1, "lists no key"))
    .optional(),
  /** Worker processes to run, each with a relayer key of its own. */
  WORKERS: z.coerce.number().int().min(1).max(MAX_WORKERS).default(1),
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
  /** One per worker at least, when given (RELAYER_PRIVATE_KEYS). */
  relayerPrivateKeys: string[] | undefined;
  /** Worker processes to run, each signing with a key of its own. */
  workers: number;
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
  const keysProblem = relayerKeysProblem({ workers: e.WORKERS, one: e.RELAYER_PRIVATE_KEY, many: e.RELAYER_PRIVATE_KEYS, local: network.name === "local" });
  if (keysProblem) return { kind: "error", message: keysProblem };
  if (network.name === "sepolia") {
    const missing: string[] = (["CHAIN_RPC_URL", "MARKET_ADDRESS"] as const).filter((name) => e[name] === undefined);
    if (e.RELAYER_PRIVATE_KEY === undefined && e.RELAYER_PRIVATE_KEYS === undefined) missing.push("RELAYER_PRIVATE_KEY (or RELAYER_PRIVATE_KEYS)");
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
      relayerPrivateKeys: e.RELAYER_PRIVATE_KEYS,
      workers: e.WORKERS,
      demo: { historyHours: e.DEMO_HISTORY_HOURS, simulatorRate: e.SIMULATOR_RATE },
      uiBuild: e.UI_BUILD,
      logLevel: e.LOG_LEVEL,
      queue: { name: e.QUEUE_NAME, prefix: e.QUEUE_PREFIX },
    },
  };
}

/**
 * Whether the relayer keys fit WORKERS: each worker signs with a key of its own (two processes on
 * one key would race for its nonces), so one key serves one worker and a list needs a key per
 * worker. On the local chain, without keys, the demo relayers serve up to DEMO_RELAYER_COUNT.
 */
function relayerKeysProblem(options: { workers: number; one: string | undefined; many: string[] | undefined; local: boolean }): string | undefined {
  const { workers, one, many } = options;
  if (one !== undefined && many !== undefined) return "give RELAYER_PRIVATE_KEY (one worker) or RELAYER_PRIVATE_KEYS (one key per worker), not both";
  if (one !== undefined && workers > 1) {
    return `WORKERS=${workers} needs a relayer key per worker: RELAYER_PRIVATE_KEY is one key; list ${workers} in RELAYER_PRIVATE_KEYS (each worker signs with its own)`;
  }
  if (many !== undefined && many.length < workers) {
    return `WORKERS=${workers} needs a relayer key per worker, and RELAYER_PRIVATE_KEYS lists ${many.length}`;
  }
  if (many !== undefined && new Set(many.map((key) => key.toLowerCase().replace(/^0x/, ""))).size < many.length) {
    return "RELAYER_PRIVATE_KEYS lists a key twice: each worker signs with a key of its own";
  }
  if (one === undefined && many === undefined && options.local && workers > DEMO_RELAYER_COUNT) {
    return `WORKERS=${workers}: the demo has ${DEMO_RELAYER_COUNT} relayer keys; give RELAYER_PRIVATE_KEYS for more`;
  }
  return undefined;
}
