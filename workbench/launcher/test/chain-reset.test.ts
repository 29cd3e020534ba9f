/**
 * What the launcher does to the queue when it seeds a new local chain (recurring reports end with
 * the reason, queued runs go), and what --fresh does (every key of the queue goes). Real Redis on
 * 127.0.0.1:6379, a queue prefix of its own.
 */
import { Wallet } from "ethers";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRunQueue, type RunQueue } from "@iotdm/worker/queues";
import { signStandingAuthorization } from "@iotdm/worker/testing";
import { countQueueWorkers, forgetPreviousChain, purgeQueue } from "../chain-reset";
import { DEFAULT_REDIS_URL } from "../redis";

const market = { chainId: 31337, address: "0x00000000000000000000000000000000000000aa" };

describe("the previous chain's queue state", () => {
  let prefix: string;
  let runs: RunQueue;
  const options = () => ({ redisUrl: DEFAULT_REDIS_URL, queueName: "recipe-runs", queuePrefix: prefix });

  async function schedule() {
    const { authorization, signature } = await signStandingAuthorization({ market, buyer: Wallet.createRandom() });
    return runs.upsertSchedule({ market, authorization, signature, recipe: { source: 'from "greenhouse" window since last report\nmean(value)', params: {} }, repeat: { every: 60_000 } });
  }

  beforeEach(() => {
    prefix = `chain-reset-test-${process.pid}-${Date.now()}`;
    runs = createRunQueue({ redisUrl: DEFAULT_REDIS_URL, prefix });
  });

  afterEach(async () => {
    await runs.close();
    await purgeQueue(options());
  });

  it("ends every recurring report with the reason and removes the queued runs", async () => {
    const live = await schedule();
    const paused = await schedule();
    await runs.pauseSchedule(paused.id);
    await runs.queue.add("run", { kind: "run" } as never, { jobId: "old-run-1" });
    await runs.queue.add("run", { kind: "run" } as never, { jobId: "old-run-2", delay: 60_000 });

    const forgotten = await forgetPreviousChain({ ...options(), reason: "the local chain was restarted" });

    // The two runs, and the ticks the schedulers had already queued.
    expect(forgotten).toMatchObject({ schedulesEnded: 2, jobsKept: 0 });
    expect(forgotten.jobsRemoved).toBeGreaterThanOrEqual(2);
    for (const id of [live.id, paused.id]) {
      expect(await runs.getSchedule(id)).toMatchObject({ status: "ended", endedReason: "the local chain was restarted" });
      expect(await runs.queue.getJobScheduler(id)).toBeUndefined();
    }
    expect(await runs.queue.getJobCounts("waiting", "delayed", "prioritized")).toEqual({ waiting: 0, delayed: 0, prioritized: 0 });
    // Nothing left to do a second time.
    expect(await forgetPreviousChain({ ...options(), reason: "again" })).toEqual({ schedulesEnded: 0, jobsRemoved: 0, jobsKept: 0 });
  });

  it("--fresh removes every key of the queue and no other", async () => {
    await schedule();
    await runs.queue.add("run", { kind: "run" } as never, { jobId: "old-run-1" });
    const neighbour = new Redis(DEFAULT_REDIS_URL);
    await neighbour.set(`${prefix}:other-queue:keep`, "1");
    try {
      expect(await purgeQueue(options())).toBeGreaterThan(0);
      expect(await neighbour.keys(`${prefix}:recipe-runs:*`)).toEqual([]);
      expect(await neighbour.get(`${prefix}:other-queue:keep`)).toBe("1");
    } finally {
      await neighbour.del(`${prefix}:other-queue:keep`);
      neighbour.disconnect();
    }
  });

  it("counts no worker on a queue nobody consumes", async () => {
    expect(await countQueueWorkers(options())).toBe(0);
  });
});
