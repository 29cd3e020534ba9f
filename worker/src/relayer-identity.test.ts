/**
 * Claiming a relayer key against the local Redis (each test on keys of its own queue name): one
 * live holder per key, a pool shared out one key each, a dead holder's key taken once its hold
 * runs out, and a hold taken over by someone else reported as lost.
 */
import { randomUUID } from "node:crypto";
import { Wallet } from "ethers";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisLease } from "./lease";
import { createRedisConnection } from "./redis";
import { claimRelayer, relayerLeaseKey, RelayerInUseError, type RelayerIdentity } from "./relayer-identity";

const PREFIX = "iotdm-test";
const TTL_MS = 1_000;

describe("relayer identity", () => {
  let redis: Redis;
  let queueName: string;
  const held: RelayerIdentity[] = [];
  const keys = Array.from({ length: 3 }, () => Wallet.createRandom().privateKey);

  beforeAll(() => {
    redis = createRedisConnection({ role: "producer" });
  });
  afterEach(async () => {
    for (const identity of held.splice(0)) await identity.lease.release();
    const leftovers = await redis.keys(`${PREFIX}:${queueName}:*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
  });
  afterAll(async () => {
    await redis.quit();
  });

  const claim = async (privateKeys: readonly string[]) => {
    const identity = await claimRelayer({ redis, prefix: PREFIX, queueName, privateKeys, ttlMs: TTL_MS });
    held.push(identity);
    return identity;
  };
  const fresh = () => (queueName = `relayers-${randomUUID()}`);

  it("refuses a key a live worker holds, naming that worker", async () => {
    fresh();
    const first = await claim([keys[0]!]);
    first.lease.keep({ onLost: () => undefined });
    const refused = await claim([keys[0]!]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RelayerInUseError);
    const message = (refused as Error).message;
    expect(message).toContain(`Another live worker on queue ${PREFIX}:${queueName} signs with relayer ${first.address}`);
    expect(message).toContain(`worker pid ${process.pid} on host`);
    expect(message).toContain("OPERATOR_ROLE");
    // The live worker still holds it.
    expect(await first.lease.renew()).toBe(true);
  });

  it("gives each worker of a shared list a key of its own, and refuses one more than the list holds", async () => {
    fresh();
    const identities = [];
    for (let i = 0; i < keys.length; i++) {
      const identity = await claim(keys);
      identity.lease.keep({ onLost: () => undefined });
      identities.push(identity);
    }
    expect(new Set(identities.map((identity) => identity.address)).size).toBe(3);
    expect(identities.map((identity) => identity.position)).toEqual([1, 2, 3]);
    const refused = await claim(keys).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RelayerInUseError);
    expect((refused as Error).message).toMatch(/^Every relayer key of RELAYER_PRIVATE_KEYS is in use by a live worker/);
    for (const identity of identities) expect((refused as Error).message).toContain(identity.address);
  });

  it("takes the key of a worker that died once its hold runs out", async () => {
    fresh();
    // A worker killed with SIGKILL: it took the key and never renewed it again.
    const dead = new RedisLease({ redis, key: relayerLeaseKey({ prefix: PREFIX, queueName, address: new Wallet(keys[0]!).address }), ttlMs: TTL_MS, role: "worker" });
    expect(await dead.tryAcquire()).toBe(true);
    const next = await claim([keys[0]!]);
    expect(next.address).toBe(new Wallet(keys[0]!).address);
    expect(await dead.renew()).toBe(false);
  });

  it("frees a key at once when its worker releases it", async () => {
    fresh();
    const first = await claim([keys[1]!]);
    first.lease.keep({ onLost: () => undefined });
    await first.lease.release();
    held.splice(held.indexOf(first), 1);
    const second = await claimRelayer({ redis, prefix: PREFIX, queueName, privateKeys: [keys[1]!], ttlMs: 60_000 });
    held.push(second);
    expect(second.address).toBe(first.address);
  });

  it("tells a worker whose hold another worker took over that it lost its key", async () => {
    fresh();
    const first = await claim([keys[2]!]);
    const lost = new Promise<string | undefined>((resolve) => first.lease.keep({ onLost: (other) => resolve(other?.holder?.role) }));
    // The hold ran out while the first worker stalled, and another worker took the key.
    const usurper = { id: randomUUID(), role: "usurper", host: "elsewhere", pid: 1, since: new Date().toISOString() };
    await redis.set(first.lease.key, JSON.stringify(usurper), "PX", 60_000);
    expect(await lost).toBe("usurper");
  });
});
