import type { Selectable } from "kysely";
import type { Db } from "../db";
import type { DatasetAccessRecord, DatasetRecord, Page, PageRequest } from "../records";
import type { DatasetsTable } from "../schema";

/** A dataset as the chain indexer writes it (`updatedAt` is set by the repository). */
export type DatasetInput = Omit<DatasetRecord, "updatedAt">;

/**
 * The dataset catalogue, a cache of the chain filled by the chain indexer (the chain stays the source
 * of truth), and each buyer's access expiry.
 */
export class DatasetRepository {
  constructor(private readonly db: Db) {}

  /** Inserts or replaces a dataset's metadata. */
  async upsert(dataset: DatasetInput, at: Date): Promise<void> {
    const row = {
      id: dataset.id,
      seller: dataset.seller,
      name: dataset.name,
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

  /** The catalogue in id order (ids are decimal strings: ordered by length, then text), optionally of one seller. */
  async list(filter: PageRequest & { seller?: string }): Promise<Page<DatasetRecord>> {
    const base = this.db
      .selectFrom("datasets")
      .$if(filter.seller !== undefined, (q) => q.where("seller", "=", filter.seller!));
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

  /** Forgets everything indexed (the chain was reset: a new genesis). */
  async deleteAll(): Promise<void> {
    await this.db.deleteFrom("dataset_access").execute();
    await this.db.deleteFrom("datasets").execute();
  }
}

function toDataset(row: Selectable<DatasetsTable>): DatasetRecord {
  return {
    id: row.id,
    seller: row.seller,
    name: row.name,
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
    createdBlock: Number(row.created_block),
    updatedBlock: Number(row.updated_block),
    updatedAt: row.updated_at,
  };
}
