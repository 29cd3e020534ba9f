/**
 * The launcher's pieces for Docker Compose, where each part runs in its own container and the
 * chain is a service of its own (see docker-compose.yml):
 *
 * - `prepare`: waits for the chain at CHAIN_RPC_URL, deploys and seeds it if it is a chain the
 *   state volume has not seen (by genesis hash), forgets the previous chain's queue state, and
 *   writes `<STATE_DIR>/deployment.json`. Nothing to do on Zama's testnet.
 * - `exec [--relayer] -- <command…>`: runs a command (the worker, the service) with the variables
 *   `npm start` would pass it: MARKET_ADDRESS, MARKET_FROM_BLOCK and CHAIN_ID from the deployment
 *   record (or the real network's), and with `--relayer` on the local chain the demo relayers' keys
 *   (RELAYER_PRIVATE_KEYS: each worker replica takes one no live worker holds) when neither
 *   RELAYER_PRIVATE_KEY nor RELAYER_PRIVATE_KEYS is set. Empty variables are removed (Compose sets `${X:-}` to ""),
 *   so that each program applies its own default. Forwards SIGTERM/SIGINT and exits with the
 *   command's code.
 * - `devices`: the demo's MQTT side for the deployment record (demo-gateway.ts): the broker
 *   (MQTT_URL, or an embedded one in this container), the gateway and the demo devices, until
 *   SIGTERM/SIGINT; the gateway is restarted when it exits on its own, and when restarts keep
 *   failing this ends with code 1.
 */
import { spawn } from "node:child_process";
import { demoRelayerKeys } from "../demo/accounts";
import { readDeployment, type Deployment } from "../demo/deployment-file";
import { SEPOLIA_CHAIN_ID } from "../simulator/fhevm-network";
import { readChainIdentity } from "../simulator/rpc";
import type { LauncherConfig } from "./config";
import type { ConsoleLog } from "./console-log";
import { CleanupStack } from "./cleanup-stack";
import { startDemoFleet } from "./demo-gateway";
import { LauncherError } from "./launcher-error";
import { ensureLocalDeployment } from "./local-deployment";
import { DEFAULT_REDIS_URL } from "./redis";

const WAIT_MS = 120_000;

/** The seed step; resolves with the exit code. */
export async function prepare(options: { config: LauncherConfig; log: ConsoleLog }): Promise<number> {
  const { config, log } = options;
  if (config.network.name !== "local") {
    log.info("prepare", "FHEVM_NETWORK is not local: the market at MARKET_ADDRESS is used as it is, nothing to deploy or seed");
    return 0;
  }
  const rpcUrl = config.chain.rpcUrl ?? `http://127.0.0.1:${config.chain.port}`;
  const identity = await waitFor(`the chain at ${rpcUrl}`, () => readChainIdentity({ url: rpcUrl }));
  await ensureLocalDeployment({
    stateDir: config.stateDir,
    historyHours: config.demo.historyHours,
    rpcUrl,
    identity,
    queue: config.redisUrl ? { redisUrl: config.redisUrl, queueName: config.queue.name, queuePrefix: config.queue.prefix } : undefined,
    log,
  });
  return 0;
}

/** Runs `command` with the deployment's variables; resolves with its exit code. */
export async function execWithDeployment(options: { config: LauncherConfig; command: string[]; relayer: boolean; log: ConsoleLog }): Promise<number> {
  const { config, command, log } = options;
  if (command.length === 0) throw new LauncherError("exec needs a command: main.ts exec [--relayer] -- <command> [args…]");
  let deployment: Deployment | undefined;
  if (config.network.name === "local") {
    deployment = await waitFor(`${config.stateDir}/deployment.json`, async () => readDeployment(config.stateDir));
    await warnIfStale({ deployment, rpcUrl: config.chain.rpcUrl ?? deployment.rpcUrl, log });
  }
  const env = execEnvironment({ env: process.env, deployment, relayer: options.relayer });
  const child = spawn(command[0]!, command.slice(1), { stdio: "inherit", env });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGTERM", forward);
  process.on("SIGINT", forward);
  return new Promise((resolve) => {
    child.once("error", (err) => {
      log.error("exec", `cannot run ${command[0]}: ${err.message}`);
      resolve(127);
    });
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * The environment `exec` runs its command with: `env` without empty variables; the deployment's
 * market and chain id (local chain) or Sepolia's chain id; the relayer keys only with `relayer`.
 * On the local chain a worker given no key gets every demo relayer's key (RELAYER_PRIVATE_KEYS) and
 * takes the first one no live worker holds, so that each replica of `--scale worker=N` signs with
 * a key of its own.
 */
export function execEnvironment(options: { env: NodeJS.ProcessEnv; deployment: Deployment | undefined; relayer: boolean }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(options.env).filter(([, value]) => value !== ""));
  const { deployment } = options;
  if (deployment) {
    env.MARKET_ADDRESS = deployment.marketAddress;
    env.MARKET_FROM_BLOCK = String(deployment.deploymentBlock);
    env.CHAIN_ID = String(deployment.chainId);
    if (options.relayer && env.RELAYER_PRIVATE_KEY === undefined && env.RELAYER_PRIVATE_KEYS === undefined) {
      env.RELAYER_PRIVATE_KEYS = demoRelayerKeys().join(",");
    }
  } else {
    env.CHAIN_ID ??= String(SEPOLIA_CHAIN_ID);
  }
  if (!options.relayer) {
    delete env.RELAYER_PRIVATE_KEY;
    delete env.RELAYER_PRIVATE_KEYS;
  }
  return env;
}

/** Runs the broker, the gateway and the demo devices until `signal` aborts; resolves with the exit code. */
export async function runDevices(options: { config: LauncherConfig; log: ConsoleLog; signal: AbortSignal; root: string }): Promise<number> {
  const { config, log } = options;
  const deployment = await waitFor(`${config.stateDir}/deployment.json`, async () => readDeployment(config.stateDir));
  const cleanup = new CleanupStack({ log });
  let exitCode = 0;
  const gatewayGone = new AbortController();
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ""));
  delete env.RELAYER_PRIVATE_KEY;
  delete env.RELAYER_PRIVATE_KEYS;
  try {
    await startDemoFleet({
      config,
      deployment,
      redisUrl: config.redisUrl ?? DEFAULT_REDIS_URL,
      rpcUrl: config.chain.rpcUrl ?? deployment.rpcUrl,
      env,
      root: options.root,
      log,
      cleanup,
      onGiveUp: (reason) => {
        log.error("devices", reason);
        exitCode = 1;
        gatewayGone.abort();
      },
    });
    await new Promise<void>((resolve) => {
      for (const signal of [options.signal, gatewayGone.signal]) {
        if (signal.aborted) return resolve();
        signal.addEventListener("abort", () => resolve(), { once: true });
      }
    });
  } finally {
    await cleanup.unwind();
  }
  return exitCode;
}

async function warnIfStale(options: { deployment: Deployment; rpcUrl: string; log: ConsoleLog }): Promise<void> {
  try {
    const { genesisHash } = await readChainIdentity({ url: options.rpcUrl });
    if (genesisHash !== options.deployment.genesisHash) {
      options.log.warn("exec", `the chain at ${options.rpcUrl} is not the one deployment.json was made on (it was restarted?); run the seed again: docker compose up -d`);
    }
  } catch {
    // the command reports an unreachable chain itself
  }
}

/** Retries `get` until it returns a value (not undefined, no exception) or WAIT_MS pass. */
async function waitFor<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let last: unknown;
  for (;;) {
    try {
      const value = await get();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new LauncherError(`gave up waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
