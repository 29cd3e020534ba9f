/**
 * The workbench service as the benchmarks run it: workbench/server/main.ts from source under node
 * with tsx's loader (`@iotdm/worker/testing`'s spawnSourceProcess), as `npm start` runs it (its default log level, its output read from a pipe as the
 * launcher reads it, the chain indexer as configured), on a free loopback port, over a fresh state
 * folder and a queue of its own in the local Redis; and the buyer's sign-in through the real SIWE
 * round trip.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import type { Wallet } from "ethers";
import { freePort } from "@iotdm/contracts-client/local-chain";
import { signInOverHttp } from "@iotdm/workbench/testing";
import { spawnSourceProcess, waitUntilAnswers } from "@iotdm/worker/testing";

const ROOT = path.resolve(import.meta.dirname, "..");

/** The benchmarks' queues live under this Redis key prefix, apart from the application's. */
export const BENCH_QUEUE_PREFIX = "iotdm-bench";

/** A service the benchmark started. */
export interface BenchService {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  pid: number | undefined;
  /** Its state folder (SQLite file). */
  stateDir: string;
  queue: { name: string; prefix: string };
  /** Its last output lines. */
  output(): string;
  /** SIGTERM, then removes its state folder and its queue's keys. */
  stop(): Promise<void>;
}

/**
 * Starts the service with `env` over its defaults (the queue, the state folder, the port). `prepare`
 * runs on the fresh state folder before the service starts (a seeded SQLite file, say). Resolves once
 * /api/ready answers 200 (the store, the chain and the queue answer).
 */
export async function startService(options: {
  env: Record<string, string>;
  prepare?: (stateDir: string) => Promise<void>;
  /** Node flags (a CPU profile, say). */
  nodeFlags?: string[];
  timeoutMs?: number;
}): Promise<BenchService> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-service-"));
  await options.prepare?.(stateDir);
  const port = await freePort();
  const queue = { name: `bench-${randomUUID()}`, prefix: BENCH_QUEUE_PREFIX };
  const service = spawnSourceProcess({
    entry: path.join("workbench", "server", "main.ts"),
    ...(options.nodeFlags && { nodeFlags: options.nodeFlags }),
    outputLimit: 8000,
    env: {
      HOST: "127.0.0.1",
      PORT: String(port),
      STATE_DIR: stateDir,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      QUEUE_PREFIX: queue.prefix,
      QUEUE_NAME: queue.name,
      ...options.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await service.stop("SIGTERM");
    fs.rmSync(stateDir, { recursive: true, force: true });
    await deleteQueueKeys(queue);
  };
  try {
    await waitUntilAnswers(service, { url: `${url}/api/ready`, what: "the service", timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 100 });
  } catch (err) {
    await service.stop("SIGKILL");
    await stop();
    throw err;
  }
  return { url, pid: service.child.pid, stateDir, queue, output: service.output, stop };
}

/**
 * Signs `wallet` in through the real SIWE round trip (the workbench's test helper) for the chain
 * CHAIN_ID names (default 31337, the local chain); returns the bearer token.
 */
export function signIn(base: string, wallet: Pick<Wallet, "address" | "signMessage">): Promise<string> {
  return signInOverHttp(base, wallet, { chainId: Number(process.env.CHAIN_ID ?? 31337) });
}

/** POSTs JSON (with a bearer token when given); throws with the service's answer unless it is 2xx. */
export async function post(base: string, url: string, body: unknown, token?: string): Promise<unknown> {
  const response = await fetch(base + url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

/** GETs JSON with a bearer token; throws with the service's answer unless it is 2xx. */
export async function get(base: string, url: string, token: string): Promise<unknown> {
  const response = await fetch(base + url, { headers: { authorization: `Bearer ${token}` } });
  const json = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

async function deleteQueueKeys(queue: { name: string; prefix: string }): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${queue.prefix}:${queue.name}:*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
