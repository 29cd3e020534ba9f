/**
 * The local node keeps the fhevm mock's coprocessor caught up as blocks are mined
 * (contracts/client/coprocessor-follower.ts): after unrelated runs and appends, the events are
 * replayed without any decryption asking, and a decryption then finds no backlog to replay first.
 * The follower's queue is checked on its own with a stand-in coprocessor.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followCoprocessor, readCoprocessorStatus } from "@iotdm/contracts-client/coprocessor-follower";
import { interpretResults } from "@iotdm/recipes";
import type { RunResult } from "../src/job-schemas";
import { startWorker, type WorkerRuntime } from "../src/start-worker";
import { plainStats, signRun, temperatures } from "./support/buyer";
import { startMarketFixture, type MarketFixture, type TestDataset } from "./support/market-fixture";
import { openTestQueue, type TestQueue } from "./support/redis-queue";
import { waitFor, waitForJob } from "./support/wait";

const UNRELATED_RUNS = 4;
const SMALL = { source: 'from "greenhouse" window last 32 readings\nmean(temperature)', params: {} };

describe("the local node's fhevm mock coprocessor", () => {
  let fixture: MarketFixture;
  let dataset: TestDataset;
  let q: TestQueue;
  let runtime: WorkerRuntime;

  beforeAll(async () => {
    fixture = await startMarketFixture();
    dataset = await fixture.purchasedDataset({ k: 8, readings: temperatures(64) });
    q = openTestQueue("coprocessor-follower");
    runtime = await startWorker({ config: fixture.workerConfig({ queueName: q.name, queuePrefix: q.prefix, concurrency: 4, logLevel: "silent" }) });
  });

  afterAll(async () => {
    await runtime?.close({ release: false });
    await q?.dispose();
    await fixture?.stop();
  });

  const run = async () => {
    const signed = await signRun({ fixture, dataset, recipe: SMALL, buyer: fixture.accounts.buyer });
    const { jobId } = await q.runs.enqueueRun({ market: fixture.market, ...signed, recipe: SMALL });
    const done = await waitForJob(q.runs, jobId, { timeoutMs: 120_000 });
    expect(done.state, JSON.stringify(done.failure)).toBe("completed");
    return { plan: signed.plan, result: done.result as RunResult };
  };

  it("replays unrelated runs' and appends' events as blocks are mined, so a decryption finds no backlog", async () => {
    const before = await readCoprocessorStatus(fixture.provider);
    const mine = await run();
    for (let i = 0; i < UNRELATED_RUNS; i++) await run();
    await fixture.appendReadings(dataset, temperatures(96, 7));

    // Caught up with no decryption asking: the follower replayed every block by itself.
    const caughtUp = await waitFor(async () => {
      const status = await readCoprocessorStatus(fixture.provider);
      return status.processedThroughBlock >= status.headBlock ? status : undefined;
    }, { what: "the coprocessor to catch up", timeoutMs: 60_000 });
    expect(caughtUp.decryptions).toBe(before.decryptions);
    expect(caughtUp.headBlock - before.headBlock).toBeGreaterThan(2 * UNRELATED_RUNS);
    expect(caughtUp.lastError).toBeNull();

    const decrypted = await fixture.decryptResults({ buyer: fixture.accounts.buyer, plan: mine.plan, handles: mine.result.handles });
    const [mean] = interpretResults({ plan: mine.plan, decrypted });
    expect((mean as { value: { number: number } }).value.number).toBeCloseTo(plainStats(dataset.values, 32, 64).mean, 3);
    const after = await readCoprocessorStatus(fixture.provider);
    expect(after.decryptions).toBe(before.decryptions + 1);
    expect(after.lastDecryptionBacklogBlocks).toBe(0);
  });
});

describe("the coprocessor follower's queue", () => {
  it("runs one replay at a time, the mock's own calls included, and joins a replay that has not started yet", async () => {
    let running = 0;
    let most = 0;
    let replays = 0;
    let head = 10;
    const release: (() => void)[] = [];
    const coprocessor = {
      async awaitCoprocessor() {
        running++;
        most = Math.max(most, running);
        replays++;
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
      },
    };
    const follower = followCoprocessor({ coprocessor, blockNumber: async () => head, idleIntervalMs: 60_000 });
    try {
      const next = () => waitFor(async () => (release.length === 1 ? release.shift() : undefined));
      const first = follower.catchUp();
      (await next())();
      await first;
      head = 11;
      const second = follower.catchUp();
      const finishSecond = await next();
      head = 12;
      // Queued behind the running replay: the mock's own call and the follower's join one replay.
      const own = coprocessor.awaitCoprocessor();
      const joined = follower.catchUp();
      // Blocks 11 and 12 are not replayed yet.
      await follower.noteDecryption();
      finishSecond();
      await second;
      (await next())();
      await Promise.all([own, joined]);
      expect({ most, replays }).toEqual({ most: 1, replays: 3 });
      expect(await follower.status()).toMatchObject({ headBlock: 12, processedThroughBlock: 12, catchUps: 3, decryptions: 1, lastDecryptionBacklogBlocks: 2 });
    } finally {
      follower.stop();
    }
  });
});
