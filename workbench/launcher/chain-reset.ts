/**
 * When `npm start` seeds a new local chain, everything queued for the previous one is void: its
 * market, datasets, access and signed consents are gone with it (even where the new market has the
 * same address and the same dataset ids, which deterministic seeding gives). This ends every
 * recurring report (the buyer sees it ended, with the reason) and removes the run jobs still
 * waiting, through the worker's producer API, before the worker starts.
 *
 * The service's own store (runs, schedules and the dataset cache of the old chain) is the service's
 * to reconcile when it sees the new genesis block (see README, "Restarting").
 */
import { Redis } from "ioredis";
import { createRunQueue } from "@iotdm/worker/queues";

/** What was forgotten. */
export interface ForgottenChainState {
  schedulesEnded: number;
  jobsRemoved: number;
  /** Jobs that could not be removed (held by a worker still running somewhere). */
  jobsKept: number;
}

/** See the module comment. `reason` is recorded as the schedules' end reason. */
export async function forgetPreviousChain(options: { redisUrl: string; queueName: string; queuePrefix: string; reason: string }): Promise<ForgottenChainState> {
  const runs = createRunQueue({ redisUrl: options.redisUrl, name: options.queueName, prefix: options.queuePrefix });
  try {
    let schedulesEnded = 0;
    for (const schedule of await runs.listSchedules()) {
      if (schedule.status === "ended") continue;
      await runs.endSchedule({ id: schedule.id, reason: options.reason });
      schedulesEnded++;
    }
    let jobsRemoved = 0;
    let jobsKept = 0;
    const jobs = await runs.queue.getJobs(["waiting", "delayed", "prioritized", "waiting-children", "active"]);
    for (const job of jobs) {
      try {
        await job.remove();
        jobsRemoved++;
      } catch {
        jobsKept++; // locked by a live worker
      }
    }
    return { schedulesEnded, jobsRemoved, jobsKept };
  } finally {
    await runs.close();
  }
}

/** How many workers consume the queue right now (BullMQ names its worker connections). */
export async function countQueueWorkers(options: { redisUrl: string; queueName: string; queuePrefix: string }): Promise<number> {
  const runs = createRunQueue({ redisUrl: options.redisUrl, name: options.queueName, prefix: options.queuePrefix });
  try {
    return await runs.queue.getWorkersCount();
  } finally {
    await runs.close();
  }
}

/**
 * Deletes every key of the queue: BullMQ's and the schedule store's (`<prefix>:<name>:*`), for
 * `--fresh`. Only while no worker consumes it (the launcher checks first). Returns the count.
 */
export async function purgeQueue(options: { redisUrl: string; queueName: string; queuePrefix: string }): Promise<number> {
  const client = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
  try {
    let removed = 0;
    const stream = client.scanStream({ match: `${options.queuePrefix}:${options.queueName}:*`, count: 500 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) removed += await client.unlink(...keys);
    }
    return removed;
  } finally {
    client.disconnect();
  }
}
