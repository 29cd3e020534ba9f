/**
 * The launcher's Redis: a private redis-server when nothing answers at the default address, and
 * the exact instructions when there is none to start. Needs redis-server installed (it is on these
 * machines; the test is skipped elsewhere).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@iotdm/contracts-client/local-chain";
import { ConsoleLog } from "../console-log";
import { HOW_TO_GET_REDIS, ensureRedis, findExecutable, probe } from "../redis";

const log = new ConsoleLog({ sink: () => undefined, color: false });
const made: string[] = [];
const stateDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "launcher-redis-"));
  made.push(dir);
  return dir;
};

describe("launcher Redis", () => {
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!findExecutable("redis-server"))("starts a private redis-server under STATE_DIR when nothing answers, and stops it", async () => {
    const unreachable = `redis://127.0.0.1:${await freePort()}`;
    const redis = await ensureRedis({ redisUrl: undefined, stateDir: stateDir(), log, cwd: process.cwd(), defaultUrl: unreachable });
    expect(redis.source).toBe("private");
    expect(redis.url).not.toBe(unreachable);
    expect(await probe(redis.url)).toBeUndefined();
    await redis.stop();
    expect(await probe(redis.url)).toMatch(/^unreachable/);
  });

  it("says exactly how to get Redis when nothing answers and redis-server is not installed", async () => {
    const unreachable = `redis://127.0.0.1:${await freePort()}`;
    await expect(ensureRedis({ redisUrl: undefined, stateDir: stateDir(), log, cwd: process.cwd(), defaultUrl: unreachable, searchPath: "" })).rejects.toThrow(HOW_TO_GET_REDIS);
    expect(HOW_TO_GET_REDIS).toContain("apt-get install -y redis-server");
    expect(HOW_TO_GET_REDIS).toContain("brew install redis");
    expect(HOW_TO_GET_REDIS).toContain("docker run");
  });

  it("does not fall back when REDIS_URL names a Redis that does not answer", async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    await expect(ensureRedis({ redisUrl: url, stateDir: stateDir(), log, cwd: process.cwd() })).rejects.toThrow(`Redis at ${url} (REDIS_URL) does not work`);
  });
});
