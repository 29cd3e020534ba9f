/**
 * Test support: a fresh, randomly named runs queue in the local Redis, and its clean-up.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { createRunQueue, type RunQueue } from "../../src/queues";
import { createRedisConnection } from "../../src/redis";

/** Prefix of every test queue's keys, apart from the application's. */
export const TEST_PREFIX = "iotdm-test";

/** A runs queue with a random name, and a `dispose` that deletes all of its keys. */
export interface TestQueue {
  name: string;
  prefix: string;
  runs: RunQueue;
  /** A fresh connection for a worker or helper (closed by `dispose`). */
  connection(): Redis;
  dispose(): Promise<void>;
}

/** Opens a test queue named `<label>-<uuid>` (under `prefix`, default {@link TEST_PREFIX}). */
export function openTestQueue(label: string, prefix = TEST_PREFIX): TestQueue {
  const name = `${label}-${randomUUID()}`;
  const runs = createRunQueue({ name, prefix });
  const connections: Redis[] = [];
  return {
    name,
    prefix,
    runs,
    connection() {
      const connection = createRedisConnection({ role: "worker" });
      connections.push(connection);
      return connection;
    },
    async dispose() {
      const cleaner = createRedisConnection({ role: "worker" });
      try {
        // Schedulers first, or a tick still being processed could schedule its successor again.
        for (const scheduler of await runs.queue.getJobSchedulers()) await runs.queue.removeJobScheduler(scheduler.key);
        await runs.queue.obliterate({ force: true }).catch(() => undefined);
        await runs.close();
        // Anything BullMQ or the schedule store left (scheduler hashes, events stream, meta).
        let cursor = "0";
        do {
          const [next, keys] = await cleaner.scan(cursor, "MATCH", `${prefix}:${name}:*`, "COUNT", 1000);
          if (keys.length > 0) await cleaner.del(...keys);
          cursor = next;
        } while (cursor !== "0");
      } finally {
        await cleaner.quit();
        await Promise.all(connections.map((c) => c.quit().catch(() => undefined)));
      }
    },
  };
}
