/**
 * The recipe-run worker for journeys that run recipes: worker/src/start-worker in this process,
 * on the journey's chain and a fresh queue in the local Redis (REDIS_URL), relaying with Hardhat
 * account #9 (the market's operator in harness/chain.ts). Give the service the same queue.
 */
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { startWorker as startRunWorker, type WorkerRuntime } from "@iotdm/worker";
import { RELAYER_KEY, type LocalChain } from "./chain";

/** Redis key prefix of the journeys' queues (cleared after each journey). */
export const JOURNEY_QUEUE_PREFIX = "iotdm-ui-journeys";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A fresh queue name; `dispose` removes its keys. */
export function journeyQueue(): { name: string; prefix: string; dispose(): Promise<void> } {
  const name = `runs-${randomUUID()}`;
  return {
    name,
    prefix: JOURNEY_QUEUE_PREFIX,
    async dispose() {
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
      try {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${JOURNEY_QUEUE_PREFIX}:${name}:*`, "COUNT", 1000);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== "0");
      } finally {
        await redis.quit();
      }
    },
  };
}

/** Starts a worker on `queueName`. */
export function startWorker(chain: LocalChain, queueName: string): Promise<WorkerRuntime> {
  return startRunWorker({
    config: {
      redisUrl: REDIS_URL,
      queueName,
      queuePrefix: JOURNEY_QUEUE_PREFIX,
      concurrency: 2,
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
      maxStalledCount: 3,
      rpcUrl: chain.rpcUrl,
      rpcPollingIntervalMs: 50,
      marketAddress: chain.marketAddress,
      marketFromBlock: 0,
      relayerPrivateKey: RELAYER_KEY,
      logLevel: "silent",
    },
  });
}

/**
 * One tick of a schedule now, as its job scheduler would make it at the next scheduled time (a
 * `report` job for the schedule): journeys do not wait a day for a daily report.
 */
export async function tickSchedule(queueName: string, scheduleId: string): Promise<void> {
  const queue = new Queue(queueName, { prefix: JOURNEY_QUEUE_PREFIX, connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }) });
  try {
    await queue.add("report", { kind: "report", scheduleId }, { attempts: 1, jobId: `journey-tick-${scheduleId}-${randomUUID()}` });
  } finally {
    await queue.close();
  }
}
