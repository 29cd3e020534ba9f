/**
 * The workbench service as the benchmarks run it: workbench/server/main.ts from source under node
 * with tsx's loader, as `npm start` runs it (its default log level, its output read from a pipe as the
 * launcher reads it, the chain indexer as configured), on a free loopback port, over a fresh state
 * folder and a queue of its own in the local Redis; and the buyer's sign-in through the real SIWE
 * round trip.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { SiweMessage } from "siwe";
import type { Wallet } from "ethers";
import { freePort } from "@iotdm/contracts-client/local-chain";

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
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), "--import", "tsx", path.join("workbench", "server", "main.ts")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: "127.0.0.1",
      PORT: String(port),
      STATE_DIR: stateDir,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      QUEUE_PREFIX: queue.prefix,
      QUEUE_NAME: queue.name,
      ...options.env,
    },
  });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
    await deleteQueueKeys(queue);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the service exited with ${child.exitCode}:\n${output}`);
    }
    if (await fetch(`${url}/api/ready`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await stop();
      throw new Error(`the service was not ready in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, pid: child.pid, stateDir, queue, output: () => output, stop };
}

/** Signs `wallet` in through the real SIWE round trip (nonce, signed message, verify); returns the bearer token. */
export async function signIn(base: string, wallet: Pick<Wallet, "address" | "signMessage">): Promise<string> {
  const nonce = (await post(base, "/api/auth/nonce", {})) as { nonce: string };
  const origin = new URL(base);
  const message = new SiweMessage({
    domain: origin.host,
    address: wallet.address,
    statement: "Sign in to the IoT Data Market workbench (benchmark).",
    uri: origin.origin,
    version: "1",
    chainId: Number(process.env.CHAIN_ID ?? 31337),
    nonce: nonce.nonce,
    issuedAt: new Date().toISOString(),
  }).prepareMessage();
  const verified = (await post(base, "/api/auth/verify", { message, signature: await wallet.signMessage(message) })) as { token: string };
  return verified.token;
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
