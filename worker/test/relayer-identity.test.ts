/**
 * Worker processes and their relayer keys, on a local chain and the local Redis: a second worker
 * with a live worker's key refuses to start and says why; so does one whose key lacks the market's
 * OPERATOR_ROLE; workers given one shared list of keys (as Compose replicas are) each take a key
 * of their own; the key of a worker killed with SIGKILL is taken by the next worker once its hold
 * runs out.
 */
import { Wallet } from "ethers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openTestQueue, spawnWorker, startMarketFixture, type MarketFixture, type TestQueue, type WorkerProcess } from "./support";

/** Short, so that a dead worker's key frees up quickly. */
const LEASE_MS = 2_000;

describe("worker processes and their relayer keys", () => {
  let fixture: MarketFixture;
  let q: TestQueue;
  let second: Wallet;
  const processes: WorkerProcess[] = [];

  beforeAll(async () => {
    fixture = await startMarketFixture();
    second = Wallet.createRandom() as unknown as Wallet;
    const admin = fixture.as(fixture.accounts.admin);
    await (await admin.getFunction("grantRole")(await admin.getFunction("OPERATOR_ROLE")(), second.address)).wait();
  });
  afterAll(async () => {
    await fixture?.stop();
  });
  beforeEach(() => {
    q = openTestQueue("relayers");
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop("SIGKILL")));
    await q.dispose();
  });

  function start(keys: { relayerPrivateKey?: string; relayerPrivateKeys?: string[] }): WorkerProcess {
    const { relayerPrivateKey: _default, ...config } = fixture.workerConfig({ queueName: q.name, queuePrefix: q.prefix, relayerLeaseMs: LEASE_MS, logLevel: "info" });
    const worker = spawnWorker({ config: { ...config, ...keys } });
    // Those expected to refuse are awaited by their exit, not by `ready`.
    worker.ready.catch(() => undefined);
    processes.push(worker);
    return worker;
  }

  /** The relayer a ready worker logged. */
  const relayerOf = (worker: WorkerProcess) => {
    const line = worker.output().split("\n").find((l) => l.includes('"msg":"worker ready"'));
    return (JSON.parse(line!) as { relayer: string }).relayer;
  };

  it("refuses to start a worker whose key a live worker of the queue signs with, saying who holds it", async () => {
    const first = start({ relayerPrivateKey: fixture.accounts.relayer.privateKey });
    await first.ready;
    const duplicate = start({ relayerPrivateKey: fixture.accounts.relayer.privateKey });
    const exit = await duplicate.exited;
    expect(exit.code, duplicate.output()).toBe(1);
    expect(duplicate.output()).toContain(`Another live worker on queue ${q.prefix}:${q.name} signs with relayer ${fixture.accounts.relayer.address} (worker pid ${first.child.pid} on host`);
    expect(duplicate.output()).toContain("Two workers signing with one key would race for its nonces");
    expect(first.child.exitCode).toBeNull();
  });

  it("refuses to start a worker whose key lacks the market's OPERATOR_ROLE, naming the grant", async () => {
    const stranger = start({ relayerPrivateKey: fixture.accounts.stranger.privateKey });
    expect((await stranger.exited).code).toBe(1);
    expect(stranger.output()).toContain(`The relayer ${fixture.accounts.stranger.address} does not hold OPERATOR_ROLE on the market ${fixture.address}`);
    expect(stranger.output()).toMatch(/grantRole\(0x[0-9a-f]{64}, 0x[0-9a-fA-F]{40}\)/);
  });

  it("gives each worker of one shared key list a key of its own", async () => {
    const keys = [fixture.accounts.relayer.privateKey, second.privateKey];
    const a = start({ relayerPrivateKeys: keys });
    await a.ready;
    const b = start({ relayerPrivateKeys: keys });
    await b.ready;
    expect(new Set([relayerOf(a), relayerOf(b)])).toEqual(new Set([fixture.accounts.relayer.address, second.address]));
    const third = start({ relayerPrivateKeys: keys });
    expect((await third.exited).code).toBe(1);
    expect(third.output()).toContain("Every relayer key of RELAYER_PRIVATE_KEYS is in use by a live worker");
  });

  it("lets the next worker take the key of a worker killed with SIGKILL once its hold runs out", async () => {
    const first = start({ relayerPrivateKey: second.privateKey });
    await first.ready;
    await first.stop("SIGKILL");
    const next = start({ relayerPrivateKey: second.privateKey });
    await next.ready;
    expect(relayerOf(next)).toBe(second.address);
  });
});
