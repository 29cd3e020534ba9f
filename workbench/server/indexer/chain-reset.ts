import type { IndexerStateRecord } from "../store/records";
import type { Store } from "../store/store";

/** What a chain reset must undo in the queue (the worker's producer API), by EIP-712 digest. */
export interface QueueCleanup {
  /** Removes a schedule's BullMQ job scheduler and its record (its reports stay). */
  removeSchedule(authorizationDigest: string): Promise<void>;
  /** Removes a run's job if it has not started (an active job fails on the new chain by itself). */
  removeRunJob(requestDigest: string): Promise<void>;
}

/** What a reset did. */
export interface ChainResetOutcome {
  endedRuns: number;
  endedSchedules: number;
}

/**
 * Forgets the old chain: the chain-derived rows (datasets, access, reading timestamps), the
 * indexer's position, and every run and schedule that pointed at it — unfinished runs fail and all
 * runs are marked stale with `reason`, live schedules end as expired with `reason` — then saves the
 * new chain's starting position, all in one transaction. Schedulers and queued jobs are removed
 * from the queue first (idempotent), so a reset that fails half way is simply done again.
 */
export async function resetForNewChain(options: {
  store: Store;
  cleanup: QueueCleanup;
  reason: string;
  start: Omit<IndexerStateRecord, "updatedAt">;
  at: Date;
}): Promise<ChainResetOutcome> {
  const { store, cleanup, reason, at } = options;
  const [live, unfinished] = await Promise.all([store.schedules.listLive(), store.runs.listUnfinished()]);
  for (const schedule of live) await cleanup.removeSchedule(schedule.authorizationDigest);
  for (const run of unfinished) await cleanup.removeRunJob(run.requestDigest);

  return store.transaction(async (tx) => {
    await tx.datasets.deleteAll();
    await tx.indexer.deleteAll();
    const endedRuns = await tx.runs.endForChainReset({
      error: { code: "CHAIN_RESET", message: `${reason} This run was started on the previous chain, so it cannot finish on this one.` },
      staleReason: `${reason} This run was made on the previous chain: its results were never on this one and cannot be decrypted.`,
      at,
    });
    const endedSchedules = await tx.schedules.endAllLive({
      reason: `${reason} This schedule's standing authorization was signed for the previous chain, so it cannot run on this one; schedule the cell again.`,
      at,
    });
    await tx.indexer.save(options.start, at);
    return { endedRuns: endedRuns.length, endedSchedules: endedSchedules.length };
  });
}
