import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, it } from "vitest";
import type { StoreConfig } from "../../config";
import { createStore, type Store } from "../../store/store";

/**
 * The two store backends the tests run against. PostgreSQL is the local server with trust auth
 * (override with WORKBENCH_TEST_POSTGRES_URL); each `open()` creates a fresh database and drops it on
 * cleanup. When PostgreSQL cannot be reached, only its half is skipped, with a visible warning.
 */
export interface TestBackend {
  name: "sqlite" | "postgres";
  available: boolean;
  /** A fresh, empty store (migrated unless `migrate: false`) and a function that closes (and for PostgreSQL drops) it. */
  open(options?: { migrate?: boolean }): Promise<{ store: Store; config: StoreConfig; cleanup(): Promise<void> }>;
}

const ADMIN_URL = process.env.WORKBENCH_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * Set (to 1) by CI (`.ci/run`): the PostgreSQL half is mandatory there, so a PostgreSQL that does not
 * answer fails each suite's PostgreSQL half instead of skipping it.
 */
export const POSTGRES_REQUIRED_VARIABLE = "WORKBENCH_TEST_POSTGRES_REQUIRED";
const postgresRequired = process.env[POSTGRES_REQUIRED_VARIABLE] === "1";

/**
 * Whether PostgreSQL answers, decided synchronously (in a child process) because `describe.skipIf`
 * needs the answer while the suites are being defined. Returns the problem, or undefined when it answers.
 */
function probePostgres(): string | undefined {
  const script = `
    const pg = require("pg");
    const client = new pg.Client({ connectionString: process.argv[1], connectionTimeoutMillis: 2000 });
    client.connect().then(() => client.query("select 1")).then(
      () => client.end().then(() => process.exit(0)),
      (error) => { process.stderr.write(String(error.message)); process.exit(1); });`;
  try {
    execFileSync(process.execPath, ["-e", script, ADMIN_URL], { stdio: ["ignore", "ignore", "pipe"], timeout: 5000 });
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return stderr || (error instanceof Error ? error.message : String(error));
  }
}

const postgresProblem = probePostgres();
if (postgresProblem !== undefined && !postgresRequired) {
  console.warn(
    `\n⚠ PostgreSQL is not reachable at ${ADMIN_URL} (${postgresProblem}): ` +
      "skipping the PostgreSQL half of the workbench store tests. Start it (see .ci/run) to run them.\n",
  );
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const sqlite: TestBackend = {
  name: "sqlite",
  available: true,
  async open({ migrate = true } = {}) {
    const config: StoreConfig = { kind: "sqlite", path: ":memory:" };
    const store = createStore(config);
    if (migrate) await store.migrate();
    return { store, config, cleanup: () => store.close() };
  },
};

const postgres: TestBackend = {
  name: "postgres",
  available: postgresProblem === undefined,
  async open({ migrate = true } = {}) {
    // The name is ours (hex), never input: safe to splice into DDL.
    const database = `workbench_test_${Date.now()}_${randomBytes(4).toString("hex")}`;
    await adminQuery(`create database ${database}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${database}`;
    const config: StoreConfig = { kind: "postgres", url: url.toString() };
    const store = createStore(config);
    if (migrate) await store.migrate();
    return {
      store,
      config,
      async cleanup() {
        await store.close();
        await adminQuery(`drop database if exists ${database} with (force)`);
      },
    };
  },
};

/** Both backends, PostgreSQL marked unavailable when it cannot be reached. */
export const backends: readonly TestBackend[] = [sqlite, postgres];

/**
 * Defines the same suite once per backend. The PostgreSQL one is skipped when it is unavailable, or,
 * with WORKBENCH_TEST_POSTGRES_REQUIRED=1, replaced by a test that fails and says why.
 */
export function describeEachBackend(title: string, define: (backend: TestBackend) => void): void {
  for (const backend of backends) {
    const name = `${title} [${backend.name}]`;
    if (backend.available) describe(name, () => define(backend));
    else if (postgresRequired) {
      describe(name, () => {
        it("runs against PostgreSQL, which CI requires", () => {
          throw new Error(`PostgreSQL is not reachable at ${ADMIN_URL} (${postgresProblem}), and ${POSTGRES_REQUIRED_VARIABLE}=1 requires it`);
        });
      });
    } else describe.skip(name, () => define(backend));
  }
}

/**
 * Defines a suite that needs PostgreSQL (several service instances on one database): skipped when it
 * is unavailable, or, with WORKBENCH_TEST_POSTGRES_REQUIRED=1, a test that fails and says why.
 */
export function describePostgres(title: string, define: (backend: TestBackend) => void): void {
  if (postgres.available) describe(title, () => define(postgres));
  else if (postgresRequired) {
    describe(title, () => {
      it("runs against PostgreSQL, which CI requires", () => {
        throw new Error(`PostgreSQL is not reachable at ${ADMIN_URL} (${postgresProblem}), and ${POSTGRES_REQUIRED_VARIABLE}=1 requires it`);
      });
    });
  } else describe.skip(title, () => define(postgres));
}

/** Every table, children first: the order to empty them in. */
export const TABLES = [
  "schedule_attempts",
  "schedule_reports",
  "runs",
  "schedules",
  "template_tags",
  "templates",
  "cells",
  "notebooks",
  "sessions",
  "auth_nonces",
  "reading_timestamps",
  "dataset_access",
  "datasets",
  "indexer_state",
] as const;

/** Deletes every row (between tests of one suite). */
export async function emptyStore(store: Store): Promise<void> {
  for (const table of TABLES) await store.db.deleteFrom(table).execute();
}

/** Every row of every table, in a stable order: compare two snapshots to prove nothing was written. */
export async function snapshotStore(store: Store): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const rows = await store.db.selectFrom(table).selectAll().execute();
    snapshot[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return snapshot;
}
