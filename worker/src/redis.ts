/**
 * Redis connections for BullMQ. Workers and `QueueEvents` block on their connection, so ioredis
 * must never give up on a command (`maxRetriesPerRequest: null`, which BullMQ requires); a producer
 * connection gives up on a command after a few reconnection attempts instead, so an HTTP request
 * that enqueues fails rather than hangs while Redis is down.
 */
import { Redis, type RedisOptions } from "ioredis";

/** Where Redis listens unless `REDIS_URL` says otherwise. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/**
 * A new ioredis connection to `url`. `role: "worker"` (default) retries commands forever, as
 * BullMQ workers need; `role: "producer"` fails a command after a few reconnection tries.
 */
export function createRedisConnection(
  options: { url?: string; role?: "worker" | "producer"; redisOptions?: RedisOptions } = {},
): Redis {
  const url = options.url ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const role = options.role ?? "worker";
  return new Redis(url, {
    maxRetriesPerRequest: role === "worker" ? null : 3,
    ...options.redisOptions,
  });
}
