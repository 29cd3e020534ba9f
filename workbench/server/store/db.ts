import type { Kysely } from "kysely";
import type { Database } from "./schema";

/** A Kysely handle on the workbench database: the root instance or a transaction. */
export type Db = Kysely<Database>;

/**
 * Runs `fn` in a transaction, or inside the caller's when `db` already is one (Kysely does not nest
 * transactions), so a repository method is atomic alone and composes into a larger unit of work.
 */
export function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** The number of rows an UPDATE or DELETE touched (Kysely reports a bigint). */
export function affected(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): number {
  return Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);
}

/** Parses a JSON column written by this store. */
export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
