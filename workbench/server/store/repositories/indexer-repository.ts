import type { Db } from "../db";
import type { IndexerStateRecord } from "../records";

/**
 * Where the chain indexer stopped, per chain and contract. Save it in the same transaction as the
 * rows indexed up to that block, so a restart resumes exactly after them.
 */
export class IndexerRepository {
  constructor(private readonly db: Db) {}

  /** The saved state for `key` (e.g. `31337:0xMarket`). */
  async get(key: string): Promise<IndexerStateRecord | undefined> {
    const row = await this.db.selectFrom("indexer_state").selectAll().where("key", "=", key).executeTakeFirst();
    return (
      row && {
        key: row.key,
        chainId: Number(row.chain_id),
        genesisHash: row.genesis_hash,
        lastIndexedBlock: Number(row.last_indexed_block),
        updatedAt: row.updated_at,
      }
    );
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
