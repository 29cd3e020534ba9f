/**
 * `npm run bench [-- --json | --markdown [file]]`: runs every benchmark (`bench:contracts`, `bench:recipes`,
 * `bench:worker`, `bench:api`, `bench:gateway`, `bench:workers`, `bench:e2e`, `bench:start`) one after the other, each with `--json`, and prints one table of
 * the figures (bench/figures.ts). `--json` prints the reports, the machine and each benchmark's load and steal as one document;
 * `--markdown` writes them as BENCHMARKS.md at the repository's root (or `file`), the one place the READMEs take
 * figures from. `--from <report.json>` renders a document an earlier `--json` run printed, without running anything.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cpuUsage, readCpu } from "./cpu-usage";
import { figureRows, renderMarkdown, renderText, type BenchEnvironment, type BenchReports, type BenchRun } from "./figures";

const ROOT = path.resolve(import.meta.dirname, "..");
const DEFAULT_MARKDOWN = path.join(ROOT, "BENCHMARKS.md");

/** What `--json` prints and `--from` reads. */
interface BenchDocument {
  environment: BenchEnvironment;
  runs: BenchRun[];
  reports: BenchReports;
}

/** Runs `npm run -s <script> -- --json`, parses its standard output and notes the load and the steal around it. */
function runBenchmark(script: string): { report: Record<string, unknown>; run: BenchRun } {
  process.stderr.write(`running ${script}…\n`);
  const loadBefore = os.loadavg();
  const cpuBefore = readCpu(undefined);
  const started = performance.now();
  const child = spawnSync("npm", ["run", "-s", script, "--", "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`${script} exited with ${child.status ?? child.signal}`);
  const cpuAfter = readCpu(undefined);
  const start = child.stdout.indexOf("{");
  if (start < 0) throw new Error(`${script} printed no JSON document`);
  return {
    report: JSON.parse(child.stdout.slice(start)) as Record<string, unknown>,
    run: {
      name: script,
      seconds: (performance.now() - started) / 1000,
      loadBefore,
      stealShare: cpuBefore && cpuAfter ? cpuUsage(cpuBefore, cpuAfter, 0).stealShare : null,
    },
  };
}

function environment(): BenchEnvironment {
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown CPU",
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

function runAll(): BenchDocument {
  const env = environment();
  const runs: BenchRun[] = [];
  const run = (script: string) => {
    const result = runBenchmark(script);
    runs.push(result.run);
    return result.report;
  };
  const reports = {
    contracts: run("bench:contracts"),
    privacy: run("bench:privacy"),
    recipes: run("bench:recipes"),
    worker: run("bench:worker"),
    api: run("bench:api"),
    gateway: run("bench:gateway"),
    workers: run("bench:workers"),
    e2e: run("bench:e2e"),
    start: run("bench:start"),
  };
  return { environment: env, runs, reports };
}

function main(): void {
  const argv = process.argv.slice(2);
  const from = argv.indexOf("--from");
  const document: BenchDocument = from >= 0 ? (JSON.parse(readFileSync(argv[from + 1]!, "utf8")) as BenchDocument) : runAll();
  const rows = figureRows(document.reports);
  const markdown = argv.indexOf("--markdown");
  if (argv.includes("--json")) {
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else if (markdown >= 0) {
    const next = argv[markdown + 1];
    const file = next && !next.startsWith("--") ? path.resolve(next) : DEFAULT_MARKDOWN;
    writeFileSync(file, renderMarkdown({ environment: document.environment, runs: document.runs, rows }));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  } else {
    console.log(`\nAll benchmarks (${document.environment.date}; see BENCHMARKS.md for the machine, load and steal)`);
    console.log(renderText(rows));
  }
}

main();
