import { EXACT_PRIVACY } from "@iotdm/contracts-client";
import { NO_RUN_EARNINGS, type DatasetInput } from "../store/repositories/dataset-repository";
import type { ScheduleRecord } from "../store/records";
import type { Repositories } from "../store/store";
import type { IndexedEvent } from "./market-events";

/** What applying a range of events changed beyond the catalogue, for the indexer to act on after commit. */
export interface AppliedEvents {
  /** Datasets created or changed. */
  datasets: number;
  /** Schedules whose standing authorization the buyer revoked on-chain (now `revoked` in the store). */
  revokedSchedules: ScheduleRecord[];
  /** Events of datasets the store does not know (created before the indexer's first block). */
  orphans: IndexedEvent[];
}

/**
 * Writes a block range's market events (in chain order) into the store, inside the caller's
 * transaction: the catalogue rows, every reading's timestamp, each buyer's access, each dataset's
 * settled runs and the seller's share of them, and schedules whose authorization was revoked. Applying the same events again changes nothing (timestamps are
 * keyed by reading index, counters only move forward, a run is credited once).
 */
export async function applyEvents(tx: Repositories, events: readonly IndexedEvent[], at: Date): Promise<AppliedEvents> {
  // A settlement names only its run: its dataset is the run's start, stored or in this range.
  const runDatasets = await tx.datasets.datasetsOfRuns(events.flatMap((event) => (event.type === "RunSettled" ? [event.runId] : [])));
  for (const event of events) if (event.type === "RunStarted") runDatasets.set(event.runId, event.datasetId);
  const ids = [...new Set([...events.flatMap((event) => ("datasetId" in event ? [event.datasetId] : [])), ...runDatasets.values()])];
  const rows = new Map<string, DatasetInput>((await tx.datasets.getMany(ids)).map(({ updatedAt: _at, ...row }) => [row.id, row]));
  const changed = new Set<string>();
  const applied: AppliedEvents = { datasets: 0, revokedSchedules: [], orphans: [] };

  for (const event of events) {
    if (event.type === "StandingAuthorizationRevoked") {
      const schedule = await tx.schedules.findByAuthorizationDigest(event.digest);
      if (!schedule) continue;
      const revoked = await tx.schedules.setStatus(schedule.id, schedule.owner, {
        from: ["active", "paused"],
        to: "revoked",
        at,
        endedReason: `The buyer revoked the standing authorization on-chain (block ${event.blockNumber}).`,
      });
      if (revoked) applied.revokedSchedules.push(revoked);
      continue;
    }
    if (event.type === "DatasetCreated") {
      const { type: _type, datasetId, blockNumber, logIndex: _logIndex, ...created } = event;
      rows.set(datasetId, {
        id: datasetId,
        ...created,
        readingCount: 0,
        firstTimestamp: null,
        lastTimestamp: null,
        approvedMask: 0,
        pausedBlock: null,
        // The contract announces the setting with PrivacyChanged right after DatasetCreated.
        privacy: EXACT_PRIVACY,
        privateFrom: 0,
        // Kept when the creation is applied again: the settlements already credited are not again.
        runEarnings: rows.get(datasetId)?.runEarnings ?? NO_RUN_EARNINGS,
        // RollupsChosen follows DatasetCreated when the seller chose rollups.
        rollups: 0,
        rollupBlockSize: 0,
        createdBlock: blockNumber,
        updatedBlock: blockNumber,
      });
      // Now, not with the other rows at the end: timestamps and access rows reference it.
      await tx.datasets.upsert(rows.get(datasetId)!, at);
      changed.add(datasetId);
      continue;
    }
    if (event.type === "RunSettled") {
      const datasetId = runDatasets.get(event.runId);
      const row = datasetId === undefined ? undefined : rows.get(datasetId);
      if (!row) {
        applied.orphans.push(event);
        continue;
      }
      if (await tx.datasets.settleRun({ runId: event.runId, sellerPaidWei: event.sellerPaidWei, settledBlock: event.blockNumber })) {
        const { settledRuns, sellerWei } = row.runEarnings;
        row.runEarnings = { settledRuns: settledRuns + 1, sellerWei: (BigInt(sellerWei) + BigInt(event.sellerPaidWei)).toString() };
        row.updatedBlock = Math.max(row.updatedBlock, event.blockNumber);
        changed.add(row.id);
      }
      continue;
    }
    const row = rows.get(event.datasetId);
    if (!row) {
      applied.orphans.push(event);
      continue;
    }
    switch (event.type) {
      case "PriceChanged":
        row.priceWei = event.priceWei;
        break;
      case "BucketSizeChanged":
        row.k = event.k;
        break;
      case "PrivacyChanged":
        row.privacy = event.privacy;
        row.privateFrom = event.privateFrom;
        break;
      case "RollupsChosen":
        row.rollups = event.rollups;
        row.rollupBlockSize = event.rollupBlockSize;
        break;
      case "DatasetPaused":
        row.pausedBlock = event.blockNumber;
        break;
      case "DatasetUnpaused":
        row.pausedBlock = null;
        break;
      case "ApprovedKindsChanged":
        row.approvedMask = event.approvedMask;
        break;
      case "ReadingsAppended": {
        const { firstIndex, timestamps } = event;
        if (timestamps.length === 0) break;
        await tx.datasets.addReadingTimestamps(event.datasetId, firstIndex, timestamps);
        const end = firstIndex + timestamps.length;
        if (firstIndex === 0) row.firstTimestamp = timestamps[0]!;
        if (end >= row.readingCount) {
          row.readingCount = end;
          row.lastTimestamp = timestamps[timestamps.length - 1]!;
        }
        break;
      }
      case "RunStarted":
        await tx.datasets.addRun({ runId: event.runId, datasetId: event.datasetId, startedBlock: event.blockNumber });
        continue;
      case "AccessPurchased":
        await tx.datasets.upsertAccess({ datasetId: event.datasetId, buyer: event.buyer, expiresAt: event.expiresAt, updatedBlock: event.blockNumber });
        break;
    }
    row.updatedBlock = Math.max(row.updatedBlock, event.blockNumber);
    changed.add(event.datasetId);
  }

  for (const id of changed) await tx.datasets.upsert(rows.get(id)!, at);
  applied.datasets = changed.size;
  return applied;
}
