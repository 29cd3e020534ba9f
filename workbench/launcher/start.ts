/**
 * `npm start`: brings the whole product up on this machine, in order, and down again in reverse.
 *
 *  1. STATE_DIR (wiped first with --fresh; locked against a second launcher), the HTTP port checked.
 *  2. Redis (REDIS_URL, 127.0.0.1:6379, or a private redis-server), the UI built if needed.
 *  3. The local chain (Hardhat + fhevm mock, 127.0.0.1 only, its JSON-RPC refusing every web page
 *     but the workbench's), unless CHAIN_RPC_URL names one.
 *  4. A chain it has not seen (by genesis block hash) is deployed to and seeded with the demo, and
 *     the queue state of the previous chain is forgotten; the deployment record is written.
 *  5. The worker (WORKERS of them, each with a relayer key of its own) and the workbench service
 *     as supervised child processes; with the demo, the MQTT broker (MQTT_URL, 127.0.0.1:1883, or
 *     an embedded one), the gateway as a supervised child process, and the demo devices
 *     in-process, publishing over MQTT through it (demo-gateway.ts).
 *  6. Readiness (the service's /api/ready, a worker on the queue), then the banner and
 *     `<STATE_DIR>/launch.json` (launch-record.ts: ready, with each phase's duration).
 *
 * Ctrl-C (or SIGTERM) stops the devices, then the gateway and an embedded broker, then the worker
 * and the service, then the chain and the private Redis, and exits 0. A worker, service or gateway
 * that dies on its own is started again after a
 * growing wait (supervised-process.ts, restart-policy.ts); when restarts keep failing, everything
 * stops with exit code 1.
 */
import { Wallet } from "ethers";
import { demoRelayerKeys } from "../demo/accounts";
import { deploymentPath, type Deployment } from "../demo/deployment-file";
import { ensureOperators } from "../demo/operators";
import { readChainIdentity, type ChainIdentity } from "../simulator/rpc";
import { readyBanner } from "./banner";
import { countQueueWorkers, purgeQueue } from "./chain-reset";
import { spawnNodeEntry as spawnNode, type ManagedProcess } from "./child-process";
import { SupervisedProcess } from "./supervised-process";
import { Cancelled, CleanupStack } from "./cleanup-stack";
import type { LauncherConfig } from "./config";
import type { ConsoleLog } from "./console-log";
import { startDemoFleet, type DemoFleetSummary } from "./demo-gateway";
import { ensureLocalDeployment } from "./local-deployment";
import { LauncherError } from "./launcher-error";
import { PhaseClock, removeLaunchRecord, writeLaunchRecord } from "./launch-record";
import { portIsFree, startNode } from "./local-node";
import { redactUrl } from "./redact-url";
import { ensureRedis } from "./redis";
import { claimStateDir, wipeStateDir } from "./state-dir";
import { ensureUiBuilt } from "./ui-build";

/** How long the service and the worker may take to answer. */
const READY_TIMEOUT_MS = 120_000;
/** How long a child may take to shut down before it is killed. */
const STOP_TIMEOUT_MS = 15_000;

/** A running launch: `done` resolves with the exit code; `stop` begins a shutdown. */
export interface Launch {
  done: Promise<number>;
  stop(reason: string, code?: number): Promise<void>;
}

/** What every start phase works with. */
interface PhaseContext {
  config: LauncherConfig;
  root: string;
  log: ConsoleLog;
  cleanup: CleanupStack;
  /** Notes how long each start phase takes (the launch record carries them). */
  clock: PhaseClock;
  /** Begins a shutdown (a supervisor that gives up on its child calls it). */
  stop(reason: string, code?: number): Promise<void>;
}

/** The queue the worker consumes and the launcher inspects. */
type QueueAddress = Parameters<typeof countQueueWorkers>[0];

/** Starts everything (see the module comment): the phases in order, then the banner. */
export function launch(options: { config: LauncherConfig; root: string; log: ConsoleLog }): Launch {
  const { log } = options;
  const cleanup = new CleanupStack({ log });
  let exitCode = 0;
  let stopping: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const stop = (reason: string, code = 0): Promise<void> => {
    stopping ??= (async () => {
      exitCode = code;
      log.info("launcher", `stopping (${reason})…`);
      await cleanup.unwind();
      log.info("launcher", "stopped");
      resolveStopped();
    })();
    return stopping;
  };
  const clock = new PhaseClock();
  const context: PhaseContext = { ...options, cleanup, clock, stop };

  const start = async (): Promise<void> => {
    await clock.time("state directory and port", () => claimStateAndPort(context));
    const { redis, queue, uiBuilt } = await prepareRedisAndUi(context);
    const { rpcUrl, identity } = await clock.time("chain", () => connectChain(context));
    const target = await clock.time("market (on a new local chain: deployed and seeded)", () => ensureMarket(context, { rpcUrl, identity, queue }));
    const { fleet, ...children } = await clock.time("worker, service, MQTT and devices started", () => startChildren(context, { redis, rpcUrl, identity, target }));
    await clock.time("readiness (/api/ready, workers on the queue)", () => waitForReadiness(context, { children, queue }));
    log.raw(
      readyBanner({
        url: browserUrl(options.config.http),
        chainRpcUrl: rpcUrl,
        network: options.config.network.name,
        redis: `${redactUrl(redis.url)} (${redis.source === "private" ? "private, for this run" : redis.source === "REDIS_URL" ? "REDIS_URL" : "already running"})`,
        deployment: target.deployment,
        marketAddress: target.market.address,
        uiBuilt,
        simulatorRate: options.config.network.name === "local" ? options.config.demo.simulatorRate : 0,
        mqtt: fleet,
        relayers: target.relayerKeys.map((key) => new Wallet(key).address),
      }),
    );
    const { stateDir } = options.config;
    await cleanup.push("removing the launch record", async () => removeLaunchRecord(stateDir));
    writeLaunchRecord(stateDir, {
      version: 1,
      pid: process.pid,
      url: browserUrl(options.config.http),
      startedAt: new Date(performance.timeOrigin).toISOString(),
      readyAt: new Date().toISOString(),
      phases: clock.phases,
      ...(target.deployment && { seed: target.deployment.seed }),
    });
  };

  const done = start().then(
    async () => {
      // Running until a signal or a child's exit has stopped everything.
      await stopped;
      return exitCode;
    },
    async (err: unknown) => {
      if (!(err instanceof Cancelled) && !cleanup.unwinding) {
        log.error("launcher", err instanceof LauncherError ? err.message : `could not start: ${(err as Error).stack ?? String(err)}`);
        await stop("start-up failed", 1);
        return 1;
      }
      await stop("interrupted while starting");
      return exitCode;
    },
  );
  return { done, stop };
}
/** Phase 1: the state directory (wiped with --fresh, then locked) and a free HTTP port. */
async function claimStateAndPort({ config, root, log, cleanup }: PhaseContext): Promise<void> {
  if (config.fresh) {
    wipeStateDir({ stateDir: config.stateDir, repositoryRoot: root });
    log.info("launcher", `--fresh: wiped ${config.stateDir}`);
  }
  const claim = claimStateDir(config.stateDir);
  await cleanup.push("releasing the state directory", async () => claim.release());
  const { host, port } = config.http;
  if (!(await portIsFree(host, port))) {
    throw new LauncherError(`port ${port} on ${host} is in use (another npm start?); stop it or choose another with PORT=…`);
  }
}

/**
 * Phase 2: Redis (with a queue no other worker consumes; emptied with --fresh on the local
 * chain) and the UI, built when it is older than its sources.
 */
async function prepareRedisAndUi({ config, root, log, cleanup, clock }: PhaseContext) {
  const redis = await clock.time("Redis", () => ensureRedis({ redisUrl: config.redisUrl, stateDir: config.stateDir, log, cwd: root }));
  if (redis.source === "private") await cleanup.push("stopping the private Redis", () => redis.stop());
  const queue: QueueAddress = { redisUrl: redis.url, queueName: config.queue.name, queuePrefix: config.queue.prefix };
  const workers = await countQueueWorkers(queue);
  if (workers > 0) {
    throw new LauncherError(
      `${workers} worker(s) already consume queue ${config.queue.prefix}:${config.queue.name} on ${redactUrl(redis.url)} (another npm start?); ` +
        "stop them, or give this run its own queue with QUEUE_PREFIX=…",
    );
  }
  if (config.fresh && config.network.name === "local") {
    const removed = await purgeQueue(queue);
    if (removed > 0) log.info("launcher", `--fresh: removed the queue's ${removed} Redis keys (${config.queue.prefix}:${config.queue.name}:*)`);
  }
  const uiBuilt = await clock.time("UI build (when missing or older than its sources)", () => ensureUiBuilt({ mode: config.uiBuild, root, log }));
  cleanup.checkpoint();
  return { redis, queue, uiBuilt };
}

/**
 * Phase 3: the local chain started (127.0.0.1 only; web pages of the workbench's origins only), or
 * the one CHAIN_RPC_URL names; its identity.
 */
async function connectChain({ config, root, log, cleanup }: PhaseContext) {
  let rpcUrl: string;
  if (config.network.name === "local" && !config.chain.rpcUrl) {
    const chain = await startNode({ port: config.chain.port, root, log, allowedOrigins: config.chain.browserOrigins });
    await cleanup.push("stopping the chain", () => chain.stop());
    rpcUrl = chain.rpcUrl;
  } else {
    rpcUrl = config.chain.rpcUrl!;
    log.info("chain", `using ${rpcUrl} (CHAIN_RPC_URL)`);
  }
  const identity = await readChainIdentity({ url: rpcUrl, timeoutMs: 15_000 }).catch((err: unknown) => {
    throw new LauncherError(`the chain at ${rpcUrl} does not answer: ${(err as Error).message}`);
  });
  cleanup.checkpoint();
  return { rpcUrl, identity };
}

/** Which market the children use, with which relayer keys (and the demo deployment on the local chain). */
interface MarketTarget {
  deployment: Deployment | undefined;
  market: { address: string; fromBlock: number };
  /** One per worker process: each signs with a key of its own. */
  relayerKeys: string[];
}

/**
 * Phase 4: on the local chain, the market deployed and seeded with the demo unless this chain
 * (by genesis hash) already has it, the previous chain's queue state forgotten; on a real
 * network, the configured market.
 */
async function ensureMarket(
  { config, log, cleanup }: PhaseContext,
  chain: { rpcUrl: string; identity: ChainIdentity; queue: QueueAddress },
): Promise<MarketTarget> {
  let target: MarketTarget;
  if (config.network.name === "local") {
    if (config.market) log.warn("launcher", "MARKET_ADDRESS is ignored on the local chain: npm start deploys (and records) its own market");
    const deployment = await ensureLocalDeployment({ stateDir: config.stateDir, historyHours: config.demo.historyHours, log, ...chain });
    const relayerKeys = workerKeys(config) ?? demoRelayerKeys(config.workers);
    // Keys of your own on the local chain: the demo's admin makes them operators too.
    const { granted } = await ensureOperators({ rpcUrl: chain.rpcUrl, marketAddress: deployment.marketAddress, relayers: relayerKeys.map((key) => new Wallet(key).address) });
    if (granted.length > 0) log.info("launcher", `granted OPERATOR_ROLE to the relayer(s) ${granted.join(", ")}`);
    target = { deployment, market: { address: deployment.marketAddress, fromBlock: deployment.deploymentBlock }, relayerKeys };
  } else {
    target = { deployment: undefined, market: config.market!, relayerKeys: workerKeys(config)! };
    log.info("launcher", `Zama testnet: market ${target.market.address} (from block ${target.market.fromBlock}); no demo seed on a real network`);
  }
  cleanup.checkpoint();
  return target;
}

/** The relayer keys of the configuration, one per worker (undefined when it gives none). */
function workerKeys(config: LauncherConfig): string[] | undefined {
  if (config.relayerPrivateKeys) return config.relayerPrivateKeys.slice(0, config.workers);
  return config.relayerPrivateKey ? [config.relayerPrivateKey] : undefined;
}

/** The workers and the service, started by phase 5. */
interface Children {
  workers: SupervisedProcess[];
  service: SupervisedProcess;
}

/**
 * Phase 5: the worker and the workbench service as supervised child processes (restarted when
 * they exit on their own; everything stops with code 1 when restarts keep failing); with the demo
 * deployment, the MQTT broker, the gateway (supervised the same way) and the demo devices in this
 * process.
 */
async function startChildren(
  { config, root, log, cleanup, stop }: PhaseContext,
  options: { redis: { url: string }; rpcUrl: string; identity: ChainIdentity; target: MarketTarget },
): Promise<Children & { fleet: DemoFleetSummary | undefined }> {
  const { redis, rpcUrl, identity, target } = options;
  const common: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: config.logLevel,
    REDIS_URL: redis.url,
    QUEUE_NAME: config.queue.name,
    QUEUE_PREFIX: config.queue.prefix,
    FHEVM_NETWORK: config.network.name,
    MARKET_ADDRESS: target.market.address,
    MARKET_FROM_BLOCK: String(target.market.fromBlock),
    CHAIN_ID: String(identity.chainId),
  };
  // Keys go to the process that signs with them, and nowhere else.
  delete common.RELAYER_PRIVATE_KEY;
  delete common.RELAYER_PRIVATE_KEYS;
  delete common.DEVICE_PRIVATE_KEY;
  const serviceEnv: NodeJS.ProcessEnv = {
    ...common,
    HOST: config.http.host,
    PORT: String(config.http.port),
    STATE_DIR: config.stateDir,
    CHAIN_RPC_URL: rpcUrl,
    DEPLOYMENT_FILE: deploymentPath(config.stateDir),
    ...(config.network.name === "sepolia" ? await relayerEnvironment(config.network.relayerUrl) : {}),
  };
  const supervise = (name: string, start: () => ManagedProcess) =>
    new SupervisedProcess({ name, start, log, onGiveUp: (reason) => void stop(reason, 1), restartWhile: () => !cleanup.unwinding });
  // One process per relayer key: `worker`, or `worker 1` … `worker N` with WORKERS=N.
  const workerNames = target.relayerKeys.map((_, i) => (target.relayerKeys.length === 1 ? "worker" : `worker ${i + 1}`));
  log.reserve([...workerNames, "workbench"]);
  const workers = target.relayerKeys.map((relayerKey, i) =>
    supervise(workerNames[i]!, () =>
      spawnNode({ name: workerNames[i]!, entry: "worker/src/main.ts", root, log, env: { ...common, CHAIN_RPC_URL: rpcUrl, RELAYER_PRIVATE_KEY: relayerKey } }),
    ),
  );
  const service = supervise("workbench service", () => spawnNode({ name: "workbench", entry: "workbench/server/main.ts", root, log, env: serviceEnv }));
  await cleanup.push(`stopping the ${workers.length === 1 ? "worker" : `${workers.length} workers`} and the workbench service`, () =>
    Promise.all([...workers.map((worker) => worker.stop(STOP_TIMEOUT_MS)), service.stop(STOP_TIMEOUT_MS)]),
  );
  let fleet: DemoFleetSummary | undefined;
  if (target.deployment) {
    fleet = await startDemoFleet({
      config,
      deployment: target.deployment,
      redisUrl: redis.url,
      rpcUrl,
      env: common,
      root,
      log,
      cleanup,
      onGiveUp: (reason) => void stop(reason, 1),
    });
  }
  return { workers, service, fleet };
}

/** Phase 6: the service answers /api/ready and every worker consumes the queue. */
async function waitForReadiness({ config, cleanup }: PhaseContext, options: { children: Children; queue: QueueAddress }): Promise<void> {
  const { workers, service } = options.children;
  const { port } = config.http;
  const probeHost = loopbackFor(config.http.host);
  // A child that crashes while starting is restarted like any other; its supervisor giving up
  // stops everything (the checkpoint), and says why.
  const waitUntil = async (what: string, children: SupervisedProcess[], ready: () => Promise<boolean>) => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      cleanup.checkpoint();
      const gaveUp = children.find((child) => child.gaveUp);
      if (gaveUp) throw new LauncherError(gaveUp.gaveUp!);
      if (await ready().catch(() => false)) return;
      if (Date.now() > deadline) throw new LauncherError(`timed out after ${READY_TIMEOUT_MS / 1000} s waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  await Promise.all([
    waitUntil("the workbench service to answer /api/ready", [service], async () => (await fetch(`http://${probeHost}:${port}/api/ready`)).ok),
    waitUntil(
      workers.length === 1 ? "the worker to take jobs" : `the ${workers.length} workers to take jobs`,
      workers,
      async () => (await countQueueWorkers(options.queue)) >= workers.length,
    ),
  ]);
  cleanup.checkpoint();
}

/** The host the launcher probes the service on: a wildcard listener is reached on loopback. */
function loopbackFor(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/** The URL the banner prints for a browser on this machine. */
function browserUrl({ host, port }: { host: string; port: number }): string {
  return `http://${host === "0.0.0.0" || host === "::" ? "localhost" : loopbackFor(host)}:${port}`;
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

