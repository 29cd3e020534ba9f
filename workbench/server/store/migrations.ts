import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from "kysely";

/**
 * The one set of migrations, in code, for SQLite and PostgreSQL alike. Column types are the ones both
 * dialects understand (`text`, `integer`, `bigint`); see schema.ts for the conventions.
 * Append new migrations with a sortable name; never edit one that has shipped.
 */
export const migrations: Record<string, Migration> = {
  "0001-initial": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("sessions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("address", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sessions_expires_at").on("sessions").column("expires_at").execute();

      await db.schema
        .createTable("auth_nonces")
        .addColumn("nonce", "text", (c) => c.primaryKey())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("auth_nonces_expires_at").on("auth_nonces").column("expires_at").execute();

      await db.schema
        .createTable("notebooks")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("owner", "text", (c) => c.notNull())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("notebooks_owner_updated").on("notebooks").columns(["owner", "updated_at"]).execute();

      await db.schema
        .createTable("cells")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("notebook_id", "text", (c) => c.notNull().references("notebooks.id").onDelete("cascade"))
        // Not unique: moving a cell shifts its neighbours one row at a time inside a transaction.
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull().check(sqlIn("kind", ["markdown", "recipe"])))
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("dataset_id", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("cells_notebook_position").on("cells").columns(["notebook_id", "position"]).execute();

      await db.schema
        .createTable("templates")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("author", "text", (c) => c.notNull())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("params_json", "text", (c) => c.notNull())
        .addColumn("version", "text", (c) => c.notNull())
        .addColumn("fork_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("origin_cell_id", "text", (c) => c.references("cells.id").onDelete("set null"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addColumn("unpublished_at", "text")
        .execute();
      await db.schema.createIndex("templates_author").on("templates").column("author").execute();
      await db.schema.createIndex("templates_updated").on("templates").column("updated_at").execute();

      await db.schema
        .createTable("template_tags")
        .addColumn("template_id", "text", (c) => c.notNull().references("templates.id").onDelete("cascade"))
        .addColumn("tag", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("template_tags_pk", ["template_id", "tag"])
        .execute();
      await db.schema.createIndex("template_tags_tag").on("template_tags").column("tag").execute();

      await db.schema
        .createTable("schedules")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("owner", "text", (c) => c.notNull())
        .addColumn("notebook_id", "text", (c) => c.references("notebooks.id").onDelete("set null"))
        .addColumn("cell_id", "text", (c) => c.references("cells.id").onDelete("set null"))
        .addColumn("dataset_id", "text", (c) => c.notNull())
        .addColumn("program_hash", "text", (c) => c.notNull())
        .addColumn("program_json", "text", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("cadence_seconds", "bigint", (c) => c.notNull())
        .addColumn("expiry", "bigint", (c) => c.notNull())
        .addColumn("max_runs", "integer", (c) => c.notNull())
        .addColumn("authorization_digest", "text", (c) => c.notNull().unique())
        .addColumn("authorization_json", "text", (c) => c.notNull())
        .addColumn("signature", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) =>
          c.notNull().check(sqlIn("status", ["active", "paused", "revoked", "expired", "completed"])),
        )
        .addColumn("runs_done", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("next_from_index", "bigint", (c) => c.notNull())
        .addColumn("last_run_at", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("schedules_owner").on("schedules").columns(["owner", "created_at"]).execute();

      await db.schema
        .createTable("runs")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("buyer", "text", (c) => c.notNull())
        // A run is a fact on the chain: it outlives the notebook, cell or schedule it came from.
        .addColumn("notebook_id", "text", (c) => c.references("notebooks.id").onDelete("set null"))
        .addColumn("cell_id", "text", (c) => c.references("cells.id").onDelete("set null"))
        .addColumn("schedule_id", "text", (c) => c.references("schedules.id").onDelete("set null"))
        .addColumn("dataset_id", "text", (c) => c.notNull())
        .addColumn("program_hash", "text", (c) => c.notNull())
        .addColumn("program_json", "text", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("from_index", "bigint", (c) => c.notNull())
        .addColumn("to_index", "bigint", (c) => c.notNull())
        .addColumn("request_digest", "text", (c) => c.notNull().unique())
        .addColumn("request_json", "text", (c) => c.notNull())
        .addColumn("signature", "text", (c) => c.notNull())
        .addColumn("chain_run_id", "text")
        .addColumn("status", "text", (c) => c.notNull().check(sqlIn("status", ["queued", "running", "done", "error"])))
        .addColumn("steps_done", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("steps_total", "integer")
        .addColumn("cursor_index", "bigint")
        .addColumn("result_handles_json", "text")
        .addColumn("tx_hashes_json", "text", (c) => c.notNull())
        .addColumn("error_json", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addColumn("started_at", "text")
        .addColumn("finished_at", "text")
        .execute();
      await db.schema.createIndex("runs_notebook").on("runs").columns(["notebook_id", "created_at"]).execute();
      await db.schema.createIndex("runs_cell").on("runs").columns(["cell_id", "created_at"]).execute();
      await db.schema.createIndex("runs_buyer").on("runs").columns(["buyer", "created_at"]).execute();
      await db.schema.createIndex("runs_schedule").on("runs").column("schedule_id").execute();

      await db.schema
        .createTable("schedule_reports")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("schedule_id", "text", (c) => c.notNull().references("schedules.id").onDelete("cascade"))
        .addColumn("run_id", "text", (c) => c.notNull().references("runs.id").onDelete("cascade"))
        .addColumn("from_index", "bigint", (c) => c.notNull())
        .addColumn("to_index", "bigint", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("schedule_reports_schedule")
        .on("schedule_reports")
        .columns(["schedule_id", "created_at"])
        .execute();

      await db.schema
        .createTable("indexer_state")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("chain_id", "bigint", (c) => c.notNull())
        .addColumn("genesis_hash", "text", (c) => c.notNull())
        .addColumn("last_indexed_block", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("datasets")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("seller", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("unit", "text", (c) => c.notNull())
        .addColumn("scale", "integer", (c) => c.notNull())
        .addColumn("value_offset", "text", (c) => c.notNull())
        .addColumn("price_wei", "text", (c) => c.notNull())
        .addColumn("period_seconds", "bigint", (c) => c.notNull())
        .addColumn("k", "bigint", (c) => c.notNull())
        .addColumn("reading_count", "bigint", (c) => c.notNull())
        .addColumn("first_timestamp", "bigint")
        .addColumn("last_timestamp", "bigint")
        .addColumn("approved_mask", "integer", (c) => c.notNull())
        .addColumn("created_block", "bigint", (c) => c.notNull())
        .addColumn("updated_block", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("datasets_seller").on("datasets").column("seller").execute();

      await db.schema
        .createTable("dataset_access")
        .addColumn("dataset_id", "text", (c) => c.notNull().references("datasets.id").onDelete("cascade"))
        .addColumn("buyer", "text", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("updated_block", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("dataset_access_pk", ["dataset_id", "buyer"])
        .execute();
      await db.schema.createIndex("dataset_access_buyer").on("dataset_access").column("buyer").execute();
    },

    async down(db: Kysely<unknown>) {
      for (const table of [
        "dataset_access",
        "datasets",
        "indexer_state",
        "schedule_reports",
        "runs",
        "schedules",
        "template_tags",
        "templates",
        "cells",
        "notebooks",
        "auth_nonces",
        "sessions",
      ]) {
        await db.schema.dropTable(table).execute();
      }
    },
  },
  "0002-chain": {
    async up(db: Kysely<unknown>) {
      // What the chain indexer writes besides the dataset rows: every reading's public timestamp
      // (ReadingsAppended emits them; the contract stores only the last), for time windows.
      await db.schema
        .createTable("reading_timestamps")
        .addColumn("dataset_id", "text", (c) => c.notNull().references("datasets.id").onDelete("cascade"))
        .addColumn("reading_index", "bigint", (c) => c.notNull())
        .addColumn("timestamp", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("reading_timestamps_pk", ["dataset_id", "reading_index"])
        .execute();
      // One column per statement: SQLite's ALTER TABLE adds one at a time.
      await db.schema.alterTable("datasets").addColumn("field", "text", (c) => c.notNull().defaultTo("")).execute();
      await db.schema.alterTable("datasets").addColumn("paused_block", "bigint").execute();
      await db.schema.alterTable("runs").addColumn("params_json", "text").execute();
      await db.schema.alterTable("runs").addColumn("plan_json", "text").execute();
      await db.schema.alterTable("runs").addColumn("stale_reason", "text").execute();
      await db.schema.createIndex("runs_status").on("runs").column("status").execute();
      await db.schema.alterTable("schedules").addColumn("params_json", "text").execute();
      await db.schema.alterTable("schedules").addColumn("repeat_json", "text").execute();
      await db.schema.alterTable("schedules").addColumn("ended_reason", "text").execute();
    },

    async down(db: Kysely<unknown>) {
      for (const column of ["ended_reason", "repeat_json", "params_json"]) {
        await db.schema.alterTable("schedules").dropColumn(column).execute();
      }
      await db.schema.dropIndex("runs_status").execute();
      for (const column of ["stale_reason", "plan_json", "params_json"]) {
        await db.schema.alterTable("runs").dropColumn(column).execute();
      }
      await db.schema.alterTable("datasets").dropColumn("paused_block").execute();
      await db.schema.alterTable("datasets").dropColumn("field").execute();
      await db.schema.dropTable("reading_timestamps").execute();
    },
  },
  "0003-schedule-attempts": {
    async up(db: Kysely<unknown>) {
      // Every tick of a schedule (issue 12): reports, skips and failures with their reason, copied
      // from the worker's queue, and what the schedule list shows of them.
      await db.schema
        .createTable("schedule_attempts")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("schedule_id", "text", (c) => c.notNull().references("schedules.id").onDelete("cascade"))
        .addColumn("attempt_key", "text", (c) => c.notNull())
        .addColumn("outcome", "text", (c) => c.notNull().check(sqlIn("outcome", ["report", "skipped", "failed"])))
        .addColumn("reason", "text")
        .addColumn("code", "text")
        .addColumn("will_retry", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("chain_run_id", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addUniqueConstraint("schedule_attempts_key", ["schedule_id", "attempt_key"])
        .execute();
      await db.schema.createIndex("schedule_attempts_schedule").on("schedule_attempts").columns(["schedule_id", "created_at"]).execute();
      await db.schema.alterTable("schedules").addColumn("scheduler_problem", "text").execute();
      await db.schema.alterTable("schedules").addColumn("failures_in_a_row", "integer", (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable("schedules").addColumn("last_failure", "text").execute();
      await db.schema.alterTable("schedules").addColumn("last_failure_at", "text").execute();
    },

    async down(db: Kysely<unknown>) {
      for (const column of ["last_failure_at", "last_failure", "failures_in_a_row", "scheduler_problem"]) {
        await db.schema.alterTable("schedules").dropColumn(column).execute();
      }
      await db.schema.dropTable("schedule_attempts").execute();
    },
  },
  "0004-dataset-privacy": {
    async up(db: Kysely<any>) {
      // Each dataset's privacy setting (PrivacyChanged), exact by default as the contract's is.
      const columns = [
        ["privacy_mode", "integer", 0],
        ["privacy_lower_bound", "text", "0"],
        ["privacy_upper_bound", "text", "0"],
        ["privacy_budget", "integer", 0],
        ["privacy_min_epsilon", "integer", 0],
        ["privacy_max_epsilon", "integer", 0],
        ["private_from", "bigint", 0],
      ] as const;
      for (const [name, type, initial] of columns) {
        await db.schema.alterTable("datasets").addColumn(name, type, (c) => c.notNull().defaultTo(initial)).execute();
      }
      // The rows already indexed lack their PrivacyChanged events: index the chain again from its
      // first block (applying events again is idempotent) so that no private dataset reads exact.
      await db.updateTable("indexer_state").set({ last_indexed_block: -1 }).execute();
    },

    async down(db: Kysely<unknown>) {
      for (const column of ["private_from", "privacy_max_epsilon", "privacy_min_epsilon", "privacy_budget", "privacy_upper_bound", "privacy_lower_bound", "privacy_mode"]) {
        await db.schema.alterTable("datasets").dropColumn(column).execute();
      }
    },
  },
  "0005-run-earnings": {
    async up(db: Kysely<any>) {
      // Pay per run (issue 15): each run's dataset (RunStarted) so that its settlement (RunSettled,
      // which names only the run) is credited to the dataset once, and the dataset's running totals.
      await db.schema
        .createTable("market_runs")
        .addColumn("run_id", "text", (c) => c.primaryKey())
        .addColumn("dataset_id", "text", (c) => c.notNull().references("datasets.id").onDelete("cascade"))
        .addColumn("started_block", "bigint", (c) => c.notNull())
        .addColumn("seller_paid_wei", "text")
        .addColumn("settled_block", "bigint")
        .execute();
      await db.schema.alterTable("datasets").addColumn("runs_settled", "integer", (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable("datasets").addColumn("run_earnings_wei", "text", (c) => c.notNull().defaultTo("0")).execute();
      // Runs settled before this migration: index the chain again (idempotent, see 0004).
      await db.updateTable("indexer_state").set({ last_indexed_block: -1 }).execute();
    },

    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("datasets").dropColumn("run_earnings_wei").execute();
      await db.schema.alterTable("datasets").dropColumn("runs_settled").execute();
      await db.schema.dropTable("market_runs").execute();
    },
  },
  "0006-dataset-rollups": {
    async up(db: Kysely<any>) {
      // The encrypted rollups each dataset keeps (RollupsChosen), none by default as the contract's.
      await db.schema.alterTable("datasets").addColumn("rollups", "integer", (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable("datasets").addColumn("rollup_block_size", "bigint", (c) => c.notNull().defaultTo(0)).execute();
      // The rows already indexed lack their RollupsChosen events: index the chain again from its first
      // block (idempotent) so that plans over them use the rollups.
      await db.updateTable("indexer_state").set({ last_indexed_block: -1 }).execute();
    },

    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("datasets").dropColumn("rollup_block_size").execute();
      await db.schema.alterTable("datasets").dropColumn("rollups").execute();
    },
  },
  "0007-schedule-paused-reason": {
    async up(db: Kysely<unknown>) {
      // Why the worker paused a schedule (issue 15: the buyer's balance is short of a report's quote).
      await db.schema.alterTable("schedules").addColumn("paused_reason", "text").execute();
    },

    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("schedules").dropColumn("paused_reason").execute();
    },
  },
};

/** Runs every pending migration; throws if one fails (the failed migration's transaction is rolled back). */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Store migration ${failed} failed`, { cause: result.error });
  }
  return result;
}

/** A CHECK constraint `column in (...)`; the values are constants of this file, never input. */
function sqlIn(column: string, values: readonly string[]) {
  return sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(", ")})`);
}
