/**
 * Test support: a redis-server of the test's own on a free loopback port, kept in memory only (as
 * the launcher's private Redis), that a test can restart empty, as `SHUTDOWN NOSAVE` or a crash of
 * a Redis without persistence would leave it. Never the shared Redis on 6379.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort } from "@iotdm/contracts-client/local-chain";

export interface PrivateRedis {
  url: string;
  /** `SHUTDOWN NOSAVE`, then a new redis-server on the same port: every key is gone. */
  restartEmpty(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "iotdm-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  let server: ChildProcess;

  const start = async () => {
    server = spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--save", "", "--appendonly", "no", "--loglevel", "warning"], {
      stdio: "ignore",
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on("error", () => undefined);
      const ok = await client.connect().then(
        () => client.ping().then(() => true),
        () => false,
      );
      client.disconnect();
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not start on ${url}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const shutdown = async () => {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    const client = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on("error", () => undefined);
    await client.call("SHUTDOWN", "NOSAVE").catch(() => undefined);
    client.disconnect();
    await exited;
  };

  await start();
  return {
    url,
    async restartEmpty() {
      await shutdown();
      await start();
    },
    async stop() {
      if (server.exitCode === null && server.signalCode === null) await shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
