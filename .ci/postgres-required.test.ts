import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * CI guarantees PostgreSQL: `.ci/run` installs and starts it when missing and sets
 * WORKBENCH_TEST_POSTGRES_REQUIRED=1, with which the PostgreSQL half of the store-backed suites fails,
 * instead of being skipped, when PostgreSQL does not answer.
 */

const root = path.resolve(import.meta.dirname, "..");
const vitest = path.join(root, "node_modules", ".bin", "vitest");

/** Runs the migrations suite (both backends) against a PostgreSQL URL nothing answers at. */
function runMigrationsSuiteWithoutPostgres(env: Record<string, string>) {
  const result = spawnSync(vitest, ["run", "workbench/server/test/migrations.test.ts"], {
    cwd: root,
    env: { ...process.env, WORKBENCH_TEST_POSTGRES_URL: "postgres://postgres@127.0.0.1:1/postgres", ...env },
    encoding: "utf8",
    timeout: 240_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("PostgreSQL in CI", () => {
  it("fails the PostgreSQL half of a suite when it is required and does not answer", () => {
    const run = runMigrationsSuiteWithoutPostgres({ WORKBENCH_TEST_POSTGRES_REQUIRED: "1" });
    expect(run.status, run.output).not.toBe(0);
    expect(run.output).toContain("WORKBENCH_TEST_POSTGRES_REQUIRED=1 requires it");
    // The SQLite half still ran.
    expect(run.output).toMatch(/migrations \[sqlite\]|passed/);
  });

  it("requires it in .ci/run, which installs and starts PostgreSQL when missing and fails if it does not start", () => {
    const script = readFileSync(path.join(root, ".ci", "run"), "utf8");
    const npmTest = script.indexOf("npm test");
    const required = script.indexOf("export WORKBENCH_TEST_POSTGRES_REQUIRED=1");
    expect(required).toBeGreaterThan(-1);
    expect(required).toBeLessThan(npmTest);
    expect(script).toMatch(/apt-get install[^\n]*postgresql/);
    expect(script).toMatch(/pg_ctlcluster[^\n]*start\n/);
    expect(script).not.toMatch(/pg_ctlcluster[^\n]*\|\| true/);
    expect(script).toMatch(/did not start[^\n]*\n\s*exit 1/);
  });
});
