import { sql, type Selectable, type SqlBool } from "kysely";
import type { PrivacyMode } from "@iotdm/contracts-client";
import type { Db } from "../db";
import type { DatasetAccessRecord, DatasetRecord, Page, PageRequest, RunEarnings } from "../records";
import type { DatasetsTable } from "../schema";

/** A dataset as the chain indexer writes it (`updatedAt` is set by the repository). */
export type DatasetInput = Omit<DatasetRecord, "updatedAt">;

/** The earnings of a dataset no run of which has settled yet. */
export const NO_RUN_EARNINGS: RunEarnings = Object.freeze({ settledRuns: 0, sellerWei: "0" });

/** Filters of the catalogue; every one given must hold. */
export interface DatasetSearch extends PageRequest {
  /** Words that must all appear in the name, field or unit (case-insensitive). */
  q?: string;
  seller?: string;
  field?: string;
  /** Only datasets whose approval mask has every bit of this one. */
  approvedMask?: number;
  paused?: boolean;
  /** Only datasets `buyer` holds access to until after `after` (unix seconds). */
  accessOf?: { buyer: string; after: number };
}

/** Rows per INSERT of reading timestamps (three parameters each; far below every driver's limit). */
const TIMESTAMP_ROWS_PER_INSERT = 500;

/**
 * The dataset catalogue, a cache of the chain filled by the chain indexer (the chain stays the source
 * of truth), each buyer's access expiry, and every reading's public timestamp.
 */
export class DatasetRepository {
  constructor(private readonly db: Db) {}

  /** Inserts or replaces a dataset's metadata. */
  async upsert(dataset: DatasetInput, at: Date): Promise<void> {
    const row = {
      id: dataset.id,
      seller: dataset.seller,
      name: dataset.name,
      field: dataset.field,
      unit: dataset.unit,
      scale: dataset.scale,
      value_offset: dataset.offset,
      price_wei: dataset.priceWei,
      period_seconds: dataset.periodSeconds,
      k: dataset.k,
      reading_count: dataset.readingCount,
      first_timestamp: dataset.firstTimestamp,
      last_timestamp: dataset.lastTimestamp,
      approved_mask: dataset.approvedMask,
      paused_block: dataset.pausedBlock,
      privacy_mode: dataset.privacy.mode,
      privacy_lower_bound: dataset.privacy.lowerBound.toString(),
      privacy_upper_bound: dataset.privacy.upperBound.toString(),
      privacy_budget: dataset.privacy.budget,
      privacy_min_epsilon: dataset.privacy.minEpsilon,
      privacy_max_epsilon: dataset.privacy.maxEpsilon,
      private_from: dataset.privateFrom,
      runs_settled: dataset.runEarnings.settledRuns,
      run_earnings_wei: dataset.runEarnings.sellerWei,
      rollups: dataset.rollups,
      rollup_block_size: dataset.rollupBlockSize,
      created_block: dataset.createdBlock,
      updated_block: dataset.updatedBlock,
      updated_at: at.toISOString(),
    };
    const { id: _id, created_block: _created, ...changes } = row;
    await this.db
      .insertInto("datasets")
      .values(row)
      .onConflict((oc) => oc.column("id").doUpdateSet(changes))
      .execute();
  }

  /** One dataset. */
  async get(id: string): Promise<DatasetRecord | undefined> {
    const row = await this.db.selectFrom("datasets").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toDataset(row);
  }

  /** Several datasets by id (missing ones are left out). */
  async getMany(ids: readonly string[]): Promise<DatasetRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom("datasets").selectAll().where("id", "in", ids).execute();
    return rows.map(toDataset);
  }

  /** The catalogue in id order (ids are decimal strings: ordered by length, then text), optionally of one seller. */
  async list(filter: PageRequest & { seller?: string }): Promise<Page<DatasetRecord>> {
    return this.search(filter);
  }

  /** The catalogue filtered by `filter`, in numeric id order. */
  async search(filter: DatasetSearch): Promise<Page<DatasetRecord>> {
    const words = (filter.q ?? "").toLowerCase().split(/\s+/).filter((word) => word.length > 0);
    const base = this.db
      .selectFrom("datasets")
      .$if(filter.seller !== undefined, (q) => q.where("seller", "=", filter.seller!))
      .$if(filter.field !== undefined, (q) => q.where("field", "=", filter.field!))
      .$if(filter.paused !== undefined, (q) => q.where("paused_block", filter.paused ? "is not" : "is", null))
      .$if(filter.approvedMask !== undefined && filter.approvedMask > 0, (q) =>
        // A bitwise AND both dialects spell the same way.
        q.where((eb) => eb(eb("approved_mask", "&", filter.approvedMask!), "=", filter.approvedMask!)),
      )
      .$if(filter.accessOf !== undefined, (q) =>
        q.where((eb) =>
          eb.exists(
            eb
              .selectFrom("dataset_access")
              .select("dataset_access.dataset_id")
              .whereRef("dataset_access.dataset_id", "=", "datasets.id")
              .where("dataset_access.buyer", "=", filter.accessOf!.buyer)
              .where("dataset_access.expires_at", ">", filter.accessOf!.after),
          ),
        ),
      )
      .$if(words.length > 0, (q) =>
        q.where((eb) =>
          eb.and(
            words.map((word) => {
              const pattern = `%${escapeLike(word)}%`;
              return eb.or(
                (["name", "field", "unit"] as const).map(
                  // SQLite has no default LIKE escape character: name it, the same for both dialects.
                  (column) => sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`,
                ),
              );
            }),
          ),
        ),
      );
    const rows = await base
      .selectAll()
      .orderBy((eb) => eb.fn("length", ["id"]))
      .orderBy("id")
      .limit(filter.limit)
      .offset(filter.offset)
      .execute();
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow();
    return { items: rows.map(toDataset), total: Number(total) };
  }

  /** Records a buyer's access expiry (from a purchase event). */
  async upsertAccess(access: DatasetAccessRecord): Promise<void> {
    const row = {
      dataset_id: access.datasetId,
      buyer: access.buyer,
      expires_at: access.expiresAt,
      updated_block: access.updatedBlock,
    };
    await this.db
      .insertInto("dataset_access")
      .values(row)
      .onConflict((oc) => oc.columns(["dataset_id", "buyer"]).doUpdateSet({ expires_at: row.expires_at, updated_block: row.updated_block }))
      .execute();
  }

  /** A buyer's access to a dataset, if they ever bought it. */
  async getAccess(datasetId: string, buyer: string): Promise<DatasetAccessRecord | undefined> {
    const row = await this.db
      .selectFrom("dataset_access")
      .selectAll()
      .where("dataset_id", "=", datasetId)
      .where("buyer", "=", buyer)
      .executeTakeFirst();
    return row && { datasetId: row.dataset_id, buyer: row.buyer, expiresAt: Number(row.expires_at), updatedBlock: Number(row.updated_block) };
  }

  /** A buyer's access to each of `datasetIds` they ever bought, by dataset id. */
  async accessOf(buyer: string, datasetIds: readonly string[]): Promise<Map<string, DatasetAccessRecord>> {
    if (datasetIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom("dataset_access")
      .selectAll()
      .where("buyer", "=", buyer)
      .where("dataset_id", "in", datasetIds)
      .execute();
    return new Map(
      rows.map((row) => [
        row.dataset_id,
        { datasetId: row.dataset_id, buyer: row.buyer, expiresAt: Number(row.expires_at), updatedBlock: Number(row.updated_block) },
      ]),
    );
  }

  /**
   * Stores the timestamps of readings `firstIndex`, `firstIndex + 1`, ... of a dataset (one
   * ReadingsAppended event). Idempotent: a batch indexed twice is stored once.
   */
  async addReadingTimestamps(datasetId: string, firstIndex: number, timestamps: readonly number[]): Promise<void> {
    for (let start = 0; start < timestamps.length; start += TIMESTAMP_ROWS_PER_INSERT) {
      const rows = timestamps.slice(start, start + TIMESTAMP_ROWS_PER_INSERT).map((timestamp, i) => ({
        dataset_id: datasetId,
        reading_index: firstIndex + start + i,
        timestamp,
      }));
      await this.db
        .insertInto("reading_timestamps")
        .values(rows)
        .onConflict((oc) => oc.columns(["dataset_id", "reading_index"]).doNothing())
        .execute();
    }
  }

  /** The timestamp of every indexed reading of a dataset, index = reading index (unix seconds). */
  async readingTimestamps(datasetId: string): Promise<number[]> {
    const rows = await this.db
      .selectFrom("reading_timestamps")
      .select("timestamp")
      .where("dataset_id", "=", datasetId)
      .orderBy("reading_index")
      .execute();
    return rows.map((row) => Number(row.timestamp));
  }

  /** Records that run `runId` (RunStarted) is over `datasetId`; a run recorded before is left as it is. */
  async addRun(run: { runId: string; datasetId: string; startedBlock: number }): Promise<void> {
    await this.db
      .insertInto("market_runs")
      .values({ run_id: run.runId, dataset_id: run.datasetId, started_block: run.startedBlock, seller_paid_wei: null, settled_block: null })
      .onConflict((oc) => oc.column("run_id").doNothing())
      .execute();
  }

  /** The dataset of each of `runIds` whose start was recorded, by run id. */
  async datasetsOfRuns(runIds: readonly string[]): Promise<Map<string, string>> {
    if (runIds.length === 0) return new Map();
    const rows = await this.db.selectFrom("market_runs").select(["run_id", "dataset_id"]).where("run_id", "in", runIds).execute();
    return new Map(rows.map((row) => [row.run_id, row.dataset_id]));
  }

  /**
   * Records run `runId`'s settlement (RunSettled); true when it was not recorded before, so that the
   * caller credits its dataset once however often the event is applied.
   */
  async settleRun(settlement: { runId: string; sellerPaidWei: string; settledBlock: number }): Promise<boolean> {
    const result = await this.db
      .updateTable("market_runs")
      .set({ seller_paid_wei: settlement.sellerPaidWei, settled_block: settlement.settledBlock })
      .where("run_id", "=", settlement.runId)
      .where("settled_block", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Forgets everything indexed (the chain was reset: a new genesis). */
  async deleteAll(): Promise<void> {
    await this.db.deleteFrom("market_runs").execute();
    await this.db.deleteFrom("reading_timestamps").execute();
    await this.db.deleteFrom("dataset_access").execute();
    await this.db.deleteFrom("datasets").execute();
  }
}

/** Escapes LIKE's wildcards with a backslash (the ESCAPE character the search names). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toDataset(row: Selectable<DatasetsTable>): DatasetRecord {
  return {
    id: row.id,
    seller: row.seller,
    name: row.name,
    field: row.field,
    unit: row.unit,
    scale: Number(row.scale),
    offset: row.value_offset,
    priceWei: row.price_wei,
    periodSeconds: Number(row.period_seconds),
    k: Number(row.k),
    readingCount: Number(row.reading_count),
    firstTimestamp: row.first_timestamp === null ? null : Number(row.first_timestamp),
    lastTimestamp: row.last_timestamp === null ? null : Number(row.last_timestamp),
    approvedMask: Number(row.approved_mask),
    pausedBlock: row.paused_block === null ? null : Number(row.paused_block),
    privacy: {
      mode: Number(row.privacy_mode) as PrivacyMode,
      lowerBound: BigInt(row.privacy_lower_bound),
      upperBound: BigInt(row.privacy_upper_bound),
      budget: Number(row.privacy_budget),
      minEpsilon: Number(row.privacy_min_epsilon),
      maxEpsilon: Number(row.privacy_max_epsilon),
    },
    privateFrom: Number(row.private_from),
    runEarnings: { settledRuns: Number(row.runs_settled), sellerWei: row.run_earnings_wei },
    rollups: Number(row.rollups),
    rollupBlockSize: Number(row.rollup_block_size),
    createdBlock: Number(row.created_block),
    updatedBlock: Number(row.updated_block),
    updatedAt: row.updated_at,
  };
}
