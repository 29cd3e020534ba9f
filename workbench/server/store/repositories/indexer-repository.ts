import type { Selectable } from "kysely";
import { affected, type Db } from "../db";
import type { IndexerStateRecord } from "../records";
import type { IndexerStateTable } from "../schema";

/**
 * Where the chain indexer stopped, per chain and contract. Save it in the same transaction as the
 * rows indexed up to that block, so a restart resumes exactly after them.
 */
export class IndexerRepository {
  constructor(private readonly db: Db) {}

  /** The saved state for `key` (e.g. `31337:0xMarket`). */
  async get(key: string): Promise<IndexerStateRecord | undefined> {
    const row = await this.db.selectFrom("indexer_state").selectAll().where("key", "=", key).executeTakeFirst();
    return row && toState(row);
  }

  /** Every saved state (one per chain and market the store has indexed; normally one). */
  async list(): Promise<IndexerStateRecord[]> {
    const rows = await this.db.selectFrom("indexer_state").selectAll().orderBy("key").execute();
    return rows.map(toState);
  }

  /**
   * Moves `key` from `fromBlock` (its current last indexed block) to `toBlock`, compare-and-set:
   * false when another indexer (a second service instance) moved it first. Call it first in the
   * transaction that writes the rows of the blocks in between; on PostgreSQL the updated row stays
   * locked until that transaction ends, so two indexers never write the same range concurrently.
   */
  async advance(input: { key: string; fromBlock: number; toBlock: number; at: Date }): Promise<boolean> {
    const result = await this.db
      .updateTable("indexer_state")
      .set({ last_indexed_block: input.toBlock, updated_at: input.at.toISOString() })
      .where("key", "=", input.key)
      .where("last_indexed_block", "=", input.fromBlock)
      .executeTakeFirst();
    return affected(result) === 1;
  }

  /** Forgets every saved state (the chain was reset). */
  async deleteAll(): Promise<void> {
    await this.db.deleteFrom("indexer_state").execute();
  }

  /** Saves the state for `key`. */
  async save(state: Omit<IndexerStateRecord, "updatedAt">, at: Date): Promise<void> {
    const row = {
      key: state.key,
      chain_id: state.chainId,
      genesis_hash: state.genesisHash,
      last_indexed_block: state.lastIndexedBlock,
      updated_at: at.toISOString(),
    };
    await this.db
      .insertInto("indexer_state")
      .values(row)
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          chain_id: row.chain_id,
          genesis_hash: row.genesis_hash,
          last_indexed_block: row.last_indexed_block,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }
}

function toState(row: Selectable<IndexerStateTable>): IndexerStateRecord {
  return {
    key: row.key,
    chainId: Number(row.chain_id),
    genesisHash: row.genesis_hash,
    lastIndexedBlock: Number(row.last_indexed_block),
    updatedAt: row.updated_at,
  };
}
