/**
 * The frame of a benchmark that measures on the fhevm mock, which the Hardhat plugin sets up only inside
 * `hardhat test`: the benchmark's file is both the command (`tsx bench/<name>.ts [--json]`) and, loaded by mocha in a
 * child `hardhat test bench/<name>.ts`, the measurement. The child writes its report to a temporary file named by an
 * environment variable; the command prints it as tables or as JSON.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface HardhatBenchmark<Report> {
  /** The benchmark's file, relative to the repository's root (e.g. `bench/contracts.ts`). */
  file: string;
  /** What the child's single mocha test is called. */
  title: string;
  /** Runs inside `hardhat test`, where `hre.fhevm` is the mock. */
  measure: () => Promise<Report>;
  /** Prints the report for people (the command without `--json`). */
  print: (report: Report) => void;
}

/** Runs `benchmark` as the command, or as the measurement when this process is its `hardhat test` child. */
export function runHardhatBenchmark<Report>(benchmark: HardhatBenchmark<Report>): void {
  const reportVariable = `BENCH_REPORT_${path.basename(benchmark.file, ".ts").toUpperCase()}`;
  const reportFile = process.env[reportVariable];
  if (reportFile) {
    describe(benchmark.title, function () {
      this.timeout(0);
      it("measures", async () => {
        writeFileSync(reportFile, JSON.stringify(await benchmark.measure()));
      });
    });
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), "bench-"));
  const file = path.join(dir, "report.json");
  const root = path.resolve(import.meta.dirname, "..");
  const child = spawnSync(path.join(root, "node_modules", ".bin", "hardhat"), ["test", benchmark.file], {
    cwd: root,
    env: { ...process.env, [reportVariable]: file },
    encoding: "utf8",
  });
  try {
    if (child.status !== 0) {
      process.stderr.write(child.stdout + child.stderr);
      process.exitCode = 1;
      return;
    }
    const report = JSON.parse(readFileSync(file, "utf8")) as Report;
    if (process.argv.includes("--json")) console.log(JSON.stringify(report, null, 2));
    else benchmark.print(report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A plain-text table: the first row is the header, the first column left-aligned, the others right-aligned. */
export function renderTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}
