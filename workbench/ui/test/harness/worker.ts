/**
 * The recipe-run worker for journeys that run recipes: worker/src/main.ts bundled and started as
 * its own process (as `npm run worker` does) against the journey's chain and a fresh queue in the
 * local Redis, relaying with Hardhat account #9 (the market's operator in harness/chain.ts).
 * Used once the service has its run routes (see journeys/buyer.journey.ts).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { RELAYER_KEY, type LocalChain } from "./chain";

const REPO = path.resolve(__dirname, "../../../..");

/** A running worker. */
export interface RunningWorker {
  queueName: string;
  stop(): Promise<void>;
}

/** Builds and starts the worker on a new queue; give the same queue name to the service. */
export async function startWorker(chain: LocalChain, options: { redisUrl?: string } = {}): Promise<RunningWorker> {
  execFileSync("npm", ["run", "-s", "worker:build"], { cwd: REPO, stdio: "ignore" });
  const queueName = `ui-journey-${randomUUID().slice(0, 8)}`;
  const child: ChildProcess = spawn(process.execPath, ["--enable-source-maps", "dist/worker/main.js"], {
    cwd: REPO,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      REDIS_URL: options.redisUrl ?? "redis://127.0.0.1:6379",
      QUEUE_NAME: queueName,
      RPC_URL: chain.rpcUrl,
      MARKET_ADDRESS: chain.marketAddress,
      MARKET_FROM_BLOCK: "0",
      RELAYER_PRIVATE_KEY: RELAYER_KEY,
      LOG_LEVEL: "warn",
    },
  });
  return {
    queueName,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    },
  };
}
