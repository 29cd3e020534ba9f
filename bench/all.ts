/**
 * `npm run bench [-- --json]`: runs every benchmark (`bench:contracts`, `bench:recipes`, `bench:worker`, `bench:api`)
 * one after the other, each with `--json`, and prints one table of the figures the issues set targets for. Each
 * benchmark keeps its own full report; `--json` here prints them all as one document.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";

type Json = Record<string, any>;

interface Row {
  area: string;
  measure: string;
  value: string;
  target: string;
  met: boolean | null;
}

/** Runs `npm run -s <script> -- --json` and parses its standard output. */
function runBenchmark(script: string): Json {
  process.stderr.write(`running ${script}…\n`);
  const child = spawnSync("npm", ["run", "-s", script, "--", "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`${script} exited with ${child.status ?? child.signal}`);
  const start = child.stdout.indexOf("{");
  if (start < 0) throw new Error(`${script} printed no JSON document`);
  return JSON.parse(child.stdout.slice(start)) as Json;
}

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
const ms = (value: number) => `${value.toFixed(2)} ms`;

function contractRows(report: Json): Row[] {
  const kinds = (report.kinds as Json[]).filter((k) => k.hcuPerReading > 0);
  const fullest = Math.min(...kinds.map((k) => k.fullStepShare as number));
  const worstRatio = Math.max(...kinds.map((k) => k.ratioToMinimum as number));
  const batch32 = (report.ingestion as Json[]).find((row) => row.batch === 32)!;
  const sum = (report.kinds as Json[]).find((k) => k.kind === "SUM")!;
  return [
    { area: "contracts", measure: "least-full step, over all recipe kinds", value: pct(fullest), target: ">= 90 %", met: report.targets.fullStepShareMet },
    { area: "contracts", measure: "HCU per reading / minimum, worst kind", value: `${worstRatio.toFixed(3)}x`, target: "<= 1.2x", met: report.targets.hcuRatioMet },
    { area: "contracts", measure: "transactions for a 10,000-reading sum", value: String(sum.transactionsFor10k), target: "", met: null },
    { area: "contracts", measure: "ingestion gas per reading at batch 32 / reference", value: `${batch32.marketGasPerReading} / ${batch32.referenceGasPerReading} = ${batch32.ratio.toFixed(3)}x`, target: "<= 1.15x", met: report.targets.ingestionRatioMet },
  ];
}

function recipeRows(report: Json): Row[] {
  return [
    { area: "recipes", measure: `compile p99 (${report.templates} templates; median ${ms(report.medianMs)})`, value: ms(report.p99Ms), target: `< ${report.targetMs} ms`, met: report.p99Ms < report.targetMs },
  ];
}

function workerRows(report: Json): Row[] {
  const rows: Row[] = (report.endToEnd.results as Json[]).map((result) => ({
    area: "worker",
    measure: `mean over ${result.readings.toLocaleString("en")} readings, end to end`,
    value: `${result.seconds.toFixed(1)} s`,
    target: result.readings >= 10_000 ? `< ${report.endToEnd.targetSeconds} s` : "",
    met: result.readings >= 10_000 ? report.endToEnd.met : null,
  }));
  for (const result of report.throughput as Json[]) {
    rows.push({ area: "worker", measure: `completed runs per minute, ${result.concurrency} concurrent`, value: String(result.runsPerMinute), target: "", met: null });
  }
  return rows;
}

function apiRows(report: Json): Row[] {
  return (report.results as Json[]).map((result) => ({
    area: "api",
    measure: `${result.route} ${result.rate ? `at ${result.rate} req/s` : "unthrottled"} (${result.requestsPerSecond} req/s; p50 ${ms(result.latencyMs.p50)})`,
    value: `p99 ${ms(result.latencyMs.p99)}`,
    target: result.mode === "target" ? `p99 < ${report.target.p99Ms} ms` : "",
    met: result.targetMet,
  }));
}

function printTable(rows: Row[]): void {
  const widths = {
    area: Math.max(4, ...rows.map((r) => r.area.length)),
    measure: Math.max(7, ...rows.map((r) => r.measure.length)),
    value: Math.max(5, ...rows.map((r) => r.value.length)),
    target: Math.max(6, ...rows.map((r) => r.target.length)),
  };
  const line = (cells: [string, string, string, string, string]) =>
    `${cells[0].padEnd(widths.area)}  ${cells[1].padEnd(widths.measure)}  ${cells[2].padEnd(widths.value)}  ${cells[3].padEnd(widths.target)}  ${cells[4]}`;
  console.log(`\nAll benchmarks (node ${process.version}, ${os.cpus().length} CPUs, load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(", ")})`);
  console.log(line(["area", "measure", "value", "target", "met"]));
  for (const r of rows) console.log(line([r.area, r.measure, r.value, r.target, r.met === null ? "" : r.met ? "yes" : "NO"]));
}

function main(): void {
  const reports = {
    contracts: runBenchmark("bench:contracts"),
    recipes: runBenchmark("bench:recipes"),
    worker: runBenchmark("bench:worker"),
    api: runBenchmark("bench:api"),
  };
  if (process.argv.includes("--json")) {
    process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    return;
  }
  printTable([...contractRows(reports.contracts), ...recipeRows(reports.recipes), ...workerRows(reports.worker), ...apiRows(reports.api)]);
}

main();
