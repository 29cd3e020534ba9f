import fs from "node:fs";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase as KyselySqliteDatabase, type SqliteStatement } from "kysely";
import pg from "pg";
import type { StoreConfig } from "../config";
import type { Database } from "./schema";

/** PostgreSQL type oid of `bigint` (int8). */
const INT8_OID = 20;

/**
 * Opens a Kysely instance for `config`: better-sqlite3 on a file (created with its folder when missing)
 * or a pg pool. Both come back with the same value types (see schema.ts).
 */
export function connect(config: StoreConfig): Kysely<Database> {
  if (config.kind === "postgres") {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: 10,
      // `bigint` columns hold block numbers, indices and unix times: numbers, not strings, in JavaScript.
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          oid === INT8_OID ? parseSafeInteger : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client whose server connection drops (a PostgreSQL restart, a failover) is removed by the pool;
    // without a listener its 'error' event would crash the process. The next query opens a fresh connection.
    pool.on("error", () => {});
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }

  if (config.path !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(config.path)), { recursive: true });
  const sqlite = new SqliteDatabase(config.path);
  if (config.path !== ":memory:") sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  // Another process (a second CLI, a backup) may hold the write lock for a moment.
  sqlite.pragma("busy_timeout = 5000");
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

/** Prepared statements kept per connection (the queries of the code base, with room to spare). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * better-sqlite3 with a cache of prepared statements, least recently used out. Kysely's SQLite driver
 * prepares every query anew, which costs about as much as running a small query; the service runs
 * the same few dozen SQL texts over and over (parameters are bound, never spliced, so the texts
 * repeat). Reusing a statement is safe here: the driver runs one query at a time on its connection,
 * and SQLite recompiles a statement itself after a schema change.
 */
function withStatementCache(database: SqliteDatabase.Database): KyselySqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql);
      } else {
        statement = database.prepare(sql) as unknown as SqliteStatement;
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

function parseSafeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`bigint column value ${text} exceeds 2^53`);
  return value;
}
