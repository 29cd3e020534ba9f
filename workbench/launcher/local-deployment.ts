/**
 * The market on a local chain: reused when the chain is the one the recorded deployment was made
 * on (same genesis block hash, and the market's code is there), otherwise deployed and seeded anew,
 * after forgetting what the previous chain left in the queue. Either way the demo relayers (one
 * key per worker process) are the market's operators. `npm start` and the Compose seed step
 * (`main.ts prepare`) both go through here.
 */
import { getBytes, JsonRpcProvider, Network } from "ethers";
import { readDeployment, writeDeployment, deploymentPath, type Deployment } from "../demo/deployment-file";
import { DEMO_RELAYER_COUNT, demoRelayer } from "../demo/accounts";
import { ensureOperators } from "../demo/operators";
import { seedDemo } from "../demo/seed";
import { forgetPreviousChain } from "./chain-reset";
import type { ConsoleLog } from "./console-log";

/**
 * Reuses the recorded deployment when the chain is the one it was made on (same genesis block and
 * the market's code is there); otherwise forgets the previous chain's queue state, seeds this one
 * and records the new deployment.
 */
export async function ensureLocalDeployment(options: {
  stateDir: string;
  historyHours: number;
  rpcUrl: string;
  identity: { chainId: bigint; genesisHash: string };
  /** The queue whose state of a previous chain is forgotten; none when Redis is not used here. */
  queue: { redisUrl: string; queueName: string; queuePrefix: string } | undefined;
  log: ConsoleLog;
}): Promise<Deployment> {
  const { stateDir, rpcUrl, identity, log } = options;
  let previous: Deployment | undefined;
  try {
    previous = readDeployment(stateDir);
  } catch (err) {
    log.warn("launcher", `${(err as Error).message}; seeding anew`);
  }
  if (previous?.genesisHash === identity.genesisHash && (await hasCode(rpcUrl, identity.chainId, previous.marketAddress))) {
    log.info("launcher", `same chain as last time (genesis ${previous.genesisHash.slice(0, 10)}…): keeping its market ${previous.marketAddress}`);
    // A deployment made before there were several demo relayers gets them now.
    await ensureDemoRelayers({ rpcUrl, marketAddress: previous.marketAddress, log });
    return { ...previous, rpcUrl };
  }
  log.info(
    "launcher",
    `new chain (genesis ${identity.genesisHash.slice(0, 10)}…)` + (previous ? `; the previous one (genesis ${previous.genesisHash.slice(0, 10)}…) is gone` : "") + ": deploying and seeding the demo",
  );
  const forgotten = options.queue
    ? await forgetPreviousChain({ ...options.queue, reason: `the local chain was restarted (new genesis ${identity.genesisHash.slice(0, 10)}…): this schedule was signed for the previous chain and cannot run on this one` })
    : { schedulesEnded: 0, jobsRemoved: 0, jobsKept: 0 };
  if (forgotten.schedulesEnded + forgotten.jobsRemoved + forgotten.jobsKept > 0) {
    log.info(
      "launcher",
      `previous chain's queue: ended ${forgotten.schedulesEnded} recurring report(s), removed ${forgotten.jobsRemoved} queued run(s)` +
        (forgotten.jobsKept > 0 ? `; ${forgotten.jobsKept} job(s) are held by a worker still running elsewhere` : ""),
    );
  }
  const { deployment } = await seedDemo({ rpcUrl, historyHours: options.historyHours, onProgress: (message) => log.info("seed", message) });
  await ensureDemoRelayers({ rpcUrl, marketAddress: deployment.marketAddress, log });
  writeDeployment(stateDir, deployment);
  log.info("seed", `seeded in ${(deployment.seed.durationMs / 1000).toFixed(1)} s; recorded in ${deploymentPath(stateDir)}`);
  return deployment;
}

/**
 * Every demo relayer an operator with ETH for gas, so that up to DEMO_RELAYER_COUNT workers
 * (`WORKERS`, or Compose replicas) each sign with a key of their own.
 */
async function ensureDemoRelayers(options: { rpcUrl: string; marketAddress: string; log: ConsoleLog }): Promise<void> {
  const relayers = Array.from({ length: DEMO_RELAYER_COUNT }, (_, i) => demoRelayer(i + 1).address);
  const { granted } = await ensureOperators({ rpcUrl: options.rpcUrl, marketAddress: options.marketAddress, relayers });
  if (granted.length > 0) options.log.info("seed", `made ${granted.length} more demo relayers operators of the market (one key per worker process, up to ${DEMO_RELAYER_COUNT})`);
}

async function hasCode(rpcUrl: string, chainId: bigint, address: string): Promise<boolean> {
  const provider = new JsonRpcProvider(rpcUrl, Network.from(chainId), { staticNetwork: true });
  try {
    return getBytes(await provider.getCode(address)).length > 0;
  } catch {
    return false;
  } finally {
    provider.destroy();
  }
}

