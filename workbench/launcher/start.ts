/**
 * `npm start`: brings the whole product up on this machine, in order, and down again in reverse.
 *
 *  1. STATE_DIR (wiped first with --fresh; locked against a second launcher), the HTTP port checked.
 *  2. Redis (REDIS_URL, 127.0.0.1:6379, or a private redis-server), the UI built if needed.
 *  3. The local chain (Hardhat + fhevm mock, 127.0.0.1 only), unless CHAIN_RPC_URL names one.
 *  4. A chain it has not seen (by genesis block hash) is deployed to and seeded with the demo, and
 *     the queue state of the previous chain is forgotten; the deployment record is written.
 *  5. The worker and the workbench service as child processes, the demo devices in-process.
 *  6. Readiness (the service's /api/ready, a worker on the queue), then the banner.
 *
 * Ctrl-C (or SIGTERM) stops the devices, then the worker and the service, then the chain and the
 * private Redis, and exits 0. A child that dies on its own stops everything with exit code 1.
 */
import { devWallet, DEMO_ROLES } from "../demo/accounts";
import { deploymentPath, type Deployment } from "../demo/deployment-file";
import { readChainIdentity } from "../simulator/rpc";
import { readyBanner } from "./banner";
import { countQueueWorkers, purgeQueue } from "./chain-reset";
import { ManagedProcess } from "./child-process";
import type { LauncherConfig } from "./config";
import type { ConsoleLog } from "./console-log";
import { startDemoDevices } from "./demo-devices";
import { ensureLocalDeployment } from "./local-deployment";
import { LauncherError } from "./launcher-error";
import { portIsFree, startNode } from "./local-node";
import { ensureRedis, redact } from "./redis";
import { claimStateDir, wipeStateDir } from "./state-dir";
import { ensureUiBuilt } from "./ui-build";

/** How long the service and the worker may take to answer. */
const READY_TIMEOUT_MS = 120_000;
/** How long a child may take to shut down before it is killed. */
const STOP_TIMEOUT_MS = 15_000;

/** Thrown inside the start sequence once a shutdown has begun. */
class Cancelled extends Error {}

/** A running launch: `done` resolves with the exit code; `stop` begins a shutdown. */
export interface Launch {
  done: Promise<number>;
  stop(reason: string, code?: number): Promise<void>;
}

/** Starts everything (see the module comment). */
export function launch(options: { config: LauncherConfig; root: string; log: ConsoleLog }): Launch {
  const { config, root, log } = options;
  const cleanup: { what: string; run: () => Promise<unknown> }[] = [];
  let stopping: Promise<void> | undefined;
  let exitCode = 0;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  const stop = (reason: string, code = 0): Promise<void> => {
    if (stopping) return stopping;
    exitCode = code;
    stopping = (async () => {
      log.info("launcher", `stopping (${reason})…`);
      for (const step of cleanup.reverse()) {
        log.info("launcher", `${step.what}…`);
        try {
          await step.run();
        } catch (err) {
          log.warn("launcher", `${step.what} failed: ${(err as Error).message}`);
        }
      }
      log.info("launcher", "stopped");
      resolveStopped();
    })();
    return stopping;
  };

  /** Registers a resource's stop, or stops it at once when a shutdown began while it was starting. */
  const own = async (what: string, run: () => Promise<unknown>) => {
    if (stopping) {
      await run().catch(() => undefined);
      throw new Cancelled();
    }
    cleanup.push({ what, run });
  };
  const checkpoint = () => {
    if (stopping) throw new Cancelled();
  };

  const start = async (): Promise<void> => {
    // 1. State and ports.
    if (config.fresh) {
      wipeStateDir({ stateDir: config.stateDir, repositoryRoot: root });
      log.info("launcher", `--fresh: wiped ${config.stateDir}`);
    }
    const claim = claimStateDir(config.stateDir);
    await own("releasing the state directory", async () => claim.release());
    const { host, port } = config.http;
    if (!(await portIsFree(host, port))) {
      throw new LauncherError(`port ${port} on ${host} is in use (another npm start?); stop it or choose another with PORT=…`);
    }

    // 2. Redis and the UI.
    const redis = await ensureRedis({ redisUrl: config.redisUrl, stateDir: config.stateDir, log, cwd: root });
    if (redis.source === "private") await own("stopping the private Redis", () => redis.stop());
    const queue = { redisUrl: redis.url, queueName: config.queue.name, queuePrefix: config.queue.prefix };
    const workers = await countQueueWorkers(queue);
    if (workers > 0) {
      throw new LauncherError(
        `${workers} worker(s) already consume queue ${config.queue.prefix}:${config.queue.name} on ${redact(redis.url)} (another npm start?); ` +
          "stop them, or give this run its own queue with QUEUE_PREFIX=…",
      );
    }
    if (config.fresh && config.network.name === "local") {
      const removed = await purgeQueue(queue);
      if (removed > 0) log.info("launcher", `--fresh: removed the queue's ${removed} Redis keys (${config.queue.prefix}:${config.queue.name}:*)`);
    }
    const uiBuilt = await ensureUiBuilt({ mode: config.uiBuild, root, log });
    checkpoint();

    // 3. The chain.
    let rpcUrl: string;
    if (config.network.name === "local" && !config.chain.rpcUrl) {
      const chain = await startNode({ port: config.chain.port, root, log });
      await own("stopping the chain", () => chain.stop());
      rpcUrl = chain.rpcUrl;
    } else {
      rpcUrl = config.chain.rpcUrl!;
      log.info("chain", `using ${rpcUrl} (CHAIN_RPC_URL)`);
    }
    const identity = await readChainIdentity({ url: rpcUrl, timeoutMs: 15_000 }).catch((err: unknown) => {
      throw new LauncherError(`the chain at ${rpcUrl} does not answer: ${(err as Error).message}`);
    });
    checkpoint();

    // 4. The deployment.
    let deployment: Deployment | undefined;
    let market: { address: string; fromBlock: number };
    let relayerKey: string;
    if (config.network.name === "local") {
      if (config.market) log.warn("launcher", "MARKET_ADDRESS is ignored on the local chain: npm start deploys (and records) its own market");
      deployment = await ensureLocalDeployment({ stateDir: config.stateDir, historyHours: config.demo.historyHours, rpcUrl, identity, queue, log });
      market = { address: deployment.marketAddress, fromBlock: deployment.deploymentBlock };
      relayerKey = config.relayerPrivateKey ?? devWallet(DEMO_ROLES.relayer.index).privateKey;
    } else {
      market = config.market!;
      relayerKey = config.relayerPrivateKey!;
      log.info("launcher", `Zama testnet: market ${market.address} (from block ${market.fromBlock}); no demo seed on a real network`);
    }
    checkpoint();

    // 5. The worker, the service, the devices.
    const common: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: config.logLevel,
      REDIS_URL: redis.url,
      QUEUE_NAME: config.queue.name,
      QUEUE_PREFIX: config.queue.prefix,
      FHEVM_NETWORK: config.network.name,
      MARKET_ADDRESS: market.address,
      MARKET_FROM_BLOCK: String(market.fromBlock),
      CHAIN_ID: String(identity.chainId),
    };
    // Keys go to the process that signs with them, and nowhere else.
    delete common.RELAYER_PRIVATE_KEY;
    delete common.DEVICE_PRIVATE_KEY;
    const worker = spawnNode({ name: "worker", entry: "worker/src/main.ts", root, log, env: { ...common, CHAIN_RPC_URL: rpcUrl, RELAYER_PRIVATE_KEY: relayerKey } });
    const service = spawnNode({
      name: "workbench",
      entry: "workbench/server/main.ts",
      root,
      log,
      env: {
        ...common,
        HOST: host,
        PORT: String(port),
        STATE_DIR: config.stateDir,
        CHAIN_RPC_URL: rpcUrl,
        DEPLOYMENT_FILE: deploymentPath(config.stateDir),
        ...(config.network.name === "sepolia" ? await relayerEnvironment(config.network.relayerUrl) : {}),
      },
    });
    await own("stopping the worker and the workbench service", () =>
      Promise.all([worker.stop(STOP_TIMEOUT_MS), service.stop(STOP_TIMEOUT_MS)]),
    );
    for (const child of [worker, service]) {
      void child.exited.then((exit) => {
        if (!stopping) void stop(`the ${child.name} exited on its own (code ${exit.code}${exit.signal ? `, ${exit.signal}` : ""})`, 1);
      });
    }
    if (deployment && config.demo.simulatorRate > 0) {
      const devices = startDemoDevices({ deployment, rpcUrl, rate: config.demo.simulatorRate, network: config.network, log });
      await own("stopping the demo devices", () => devices.stop());
    }

    // 6. Readiness.
    const probeHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
    const url = `http://${host === "0.0.0.0" || host === "::" ? "localhost" : probeHost}:${port}`;
    await Promise.all([
      waitUntil("the workbench service to answer /api/ready", service, async () => (await fetch(`http://${probeHost}:${port}/api/ready`)).ok),
      waitUntil("the worker to take jobs", worker, async () => (await countQueueWorkers(queue)) > 0),
    ]);
    checkpoint();
    log.raw(
      readyBanner({
        url,
        chainRpcUrl: rpcUrl,
        network: config.network.name,
        redis: `${redact(redis.url)} (${redis.source === "private" ? "private, for this run" : redis.source === "REDIS_URL" ? "REDIS_URL" : "already running"})`,
        deployment,
        marketAddress: market.address,
        uiBuilt,
        simulatorRate: config.network.name === "local" ? config.demo.simulatorRate : 0,
      }),
    );
  };

  const waitUntil = async (what: string, child: ManagedProcess, ready: () => Promise<boolean>) => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      checkpoint();
      if (child.hasExited) throw new LauncherError(`the ${child.name} exited while starting; see its lines above`);
      if (await ready().catch(() => false)) return;
      if (Date.now() > deadline) throw new LauncherError(`timed out after ${READY_TIMEOUT_MS / 1000} s waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  const done = start().then(
    async () => {
      await stopped;
      return exitCode;
    },
    async (err: unknown) => {
      if (err instanceof Cancelled || stopping) {
        await stop("interrupted while starting");
        await stopped;
        return exitCode;
      }
      log.error("launcher", err instanceof LauncherError ? err.message : `could not start: ${(err as Error).stack ?? String(err)}`);
      await stop("start-up failed", 1);
      await stopped;
      return 1;
    },
  );
  return { done, stop: (reason, code = 0) => stop(reason, code) };
}

/**
 * On Zama's testnet the browser talks to the relayer (encryption, user decryption): the service's
 * Content-Security-Policy must allow its origin, and the service passes RELAYER_URL on to the UI.
 */
async function relayerEnvironment(relayerUrl: string | undefined): Promise<NodeJS.ProcessEnv> {
  const url = relayerUrl ?? (await import("@zama-fhe/relayer-sdk/node")).SepoliaConfig.relayerUrl;
  const extra = process.env.CSP_CONNECT_SRC ? `${process.env.CSP_CONNECT_SRC},` : "";
  return { RELAYER_URL: url, CSP_CONNECT_SRC: `${extra}${new URL(url).origin}` };
}

/**
 * A TypeScript entry (relative to `root`) run from source by Node with tsx's loader: one process,
 * whose pid is the program's (the `tsx` command would start node as a child of its own).
 */
function spawnNode(options: { name: string; entry: string; root: string; env: NodeJS.ProcessEnv; log: ConsoleLog }): ManagedProcess {
  return new ManagedProcess({
    name: options.name,
    command: process.execPath,
    args: ["--import", "tsx", options.entry],
    env: options.env,
    cwd: options.root,
    log: options.log,
  });
}
