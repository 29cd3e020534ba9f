/**
 * The one table of benchmark figures: rows from the benchmarks' JSON reports, each labelled
 * with exactly what was measured, printed as text (`npm run bench`) or written as the committed
 * BENCHMARKS.md (`npm run bench -- --markdown`) with the machine, its load and the CPU the
 * hypervisor stole during each benchmark. The READMEs link to that file instead of copying figures.
 */

// The benchmarks' reports are their own JSON documents; only the fields read below matter here.
type Json = Record<string, any>;

/** One figure: what was measured, the value, the target the issues set (if any) and whether it is met. */
export interface FigureRow {
  area: string;
  measure: string;
  value: string;
  target: string;
  met: boolean | null;
}

/** Where and when the figures were measured. */
export interface BenchEnvironment {
  /** ISO date-time of the start. */
  date: string;
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  os: string;
}

/** One benchmark's run: how long it took, the load before it and the CPU stolen meanwhile (null off Linux). */
export interface BenchRun {
  name: string;
  seconds: number;
  loadBefore: number[];
  stealShare: number | null;
}

/** The benchmarks' reports (`privacy`, `gateway`, `workers`, `e2e` and `start` are absent from documents written before they existed). */
export interface BenchReports {
  contracts: Json;
  privacy?: Json;
  recipes: Json;
  worker: Json;
  e2e?: Json;
  api: Json;
  gateway?: Json;
  workers?: Json;
  start?: Json;
}

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
const ms = (value: number) => `${value.toFixed(2)} ms`;
const count = (value: number) => value.toLocaleString("en");
const significant = (value: number) => Number(value.toPrecision(3)).toLocaleString("en");

function contractRows(report: Json): FigureRow[] {
  const kinds = (report.kinds as Json[]).filter((k) => k.hcuPerReading > 0);
  const fullest = Math.min(...kinds.map((k) => k.fullStepShare as number));
  const worstRatio = Math.max(...kinds.map((k) => k.ratioToMinimum as number));
  const batch32 = (report.ingestion as Json[]).find((row) => row.batch === 32)!;
  const sum = (report.kinds as Json[]).find((k) => k.kind === "SUM")!;
  return [
    { area: "contracts", measure: "HCU budget used by the least-full step, over all recipe kinds", value: pct(fullest), target: ">= 90 %", met: report.targets.fullStepShareMet },
    { area: "contracts", measure: "HCU per reading / the kind's minimum, worst kind", value: `${worstRatio.toFixed(3)}x`, target: "<= 1.2x", met: report.targets.hcuRatioMet },
    { area: "contracts", measure: "transactions (start + steps) of a sum over 10,000 readings", value: String(sum.transactionsFor10k), target: "", met: null },
    {
      area: "contracts",
      measure: "append gas per reading, batches of 32 / a bare fromExternal+store reference",
      value: `${batch32.marketGasPerReading} / ${batch32.referenceGasPerReading} = ${batch32.ratio.toFixed(3)}x`,
      target: "<= 1.15x",
      met: report.targets.ingestionRatioMet,
    },
    ...rollupRows(report),
    ...quoteRows(report),
  ];
}

/** Issue 13's rows: rolled-up runs and ingestion with rollups (bench:contracts JSON `rollups`). */
function rollupRows(report: Json): FigureRow[] {
  const rollups = report.rollups as Json | undefined;
  if (!rollups) return [];
  const txs = (names: string[]) =>
    (rollups.kinds as Json[])
      .filter((k) => names.includes(k.kind))
      .map((k) => `${k.kind} ${k.transactionsAfterStart}`)
      .join(", ");
  const sum = rollups.sumIngestion as Json;
  return [
    {
      area: "contracts",
      measure: `transactions after the start of a rolled-up SUM / MEAN over any aligned window up to ${count(rollups.windowUpTo)} readings`,
      value: txs(["SUM", "MEAN"]),
      target: "1",
      met: report.targets.rolledUpSumMeanMet,
    },
    {
      area: "contracts",
      measure: "the same for MIN / MAX / VARIANCE with their rollups",
      value: txs(["MIN", "MAX", "VARIANCE"]),
      target: "<= 2",
      met: report.targets.rolledUpMinMaxVarianceMet,
    },
    {
      area: "contracts",
      measure: "append gas per reading, batches of 32, with the sum rollup / without rollups",
      value: `${sum.gasPerReading} / ${sum.withoutRollupsGasPerReading} = ${(sum.ratio as number).toFixed(3)}x (${count(sum.hcu)} HCU)`,
      target: "<= 1.3x, < 20M HCU",
      met: report.targets.sumRollupIngestionRatioMet,
    },
    {
      area: "contracts",
      measure: "largest batch with every rollup on (fits anywhere in 1,000,000 readings)",
      value: `${(rollups.largestBatchEveryRollup as Json[])[0].batch} (${count(rollups.everyRollupGasPerReading)} gas/reading)`,
      target: "",
      met: null,
    },
  ];
}

/** Issue 15's rows: the planner's quote ÷ what the operator was actually reimbursed, a row per run (bench:contracts JSON `quotes`). */
function quoteRows(report: Json): FigureRow[] {
  const quotes = report.quotes as Json[] | undefined;
  if (!quotes) return [];
  return quotes.map((q) => ({
    area: "contracts",
    measure: `pay per run: quote ÷ actual reimbursement, ${q.kind} at its largest step (${q.transactions} transactions)`,
    value: `${(q.ratio as number).toFixed(3)}x`,
    target: "1.0–1.2x",
    met: (q.ratio as number) >= 1 && (q.ratio as number) <= 1.2,
  }));
}

function privacyRows(report: Json | undefined): FigureRow[] {
  if (!report) return [];
  const stopped = (attack: Json) => (attack.runsUntilStopped === null ? "not stopped" : `stopped after ${attack.runsUntilStopped} runs`);
  return [
    {
      area: "privacy",
      measure: `bisection attack, one purchase, exact dataset: readings of a ${report.exact.bucketSize}-reading bucket recovered`,
      value: `${report.exact.readingsRecovered} (${stopped(report.exact)})`,
      target: "",
      met: null,
    },
    {
      area: "privacy",
      measure: "the same attack on a private dataset (ε 0.1 / ε 2 per statistic): readings recovered",
      value: `${report.private.readingsRecovered} / ${report.privateLargeEpsilon.readingsRecovered} (${stopped(report.private)} / ${stopped(report.privateLargeEpsilon)})`,
      target: "0, stopped by the budget",
      met:
        report.private.readingsRecovered === 0 &&
        report.privateLargeEpsilon.readingsRecovered === 0 &&
        report.private.runsUntilStopped !== null &&
        report.privateLargeEpsilon.runsUntilStopped !== null,
    },
    // One row per noised result kind: σ and the 95 % half-width from the exact noise model, the HCU measured.
    ...(report.noise as Json[]).map((n) => ({
      area: "privacy",
      measure: `noise of a private ${n.kind} over 288 readings of [−40, 60] °C at ε ${n.epsilon}, in ${n.unit} (σ; ± at 95 %; noise HCU; extra transactions)`,
      value: `${significant(n.standardDeviation)}; ±${significant(n.interval95)}; ${count(n.noiseHcu)}; ${n.extraTransactions}`,
      target: "",
      met: null,
    })),
  ];
}

function recipeRows(report: Json): FigureRow[] {
  return [
    {
      area: "recipes",
      measure: `parse + check + plan of one built-in template, p99 over ${report.templates} templates (median ${ms(report.medianMs)})`,
      value: ms(report.p99Ms),
      target: `< ${report.targetMs} ms`,
      met: report.p99Ms < report.targetMs,
    },
    // What one check of a hostile text costs the service's event loop (workbench/README's limits).
    ...((report.worstCheck as Json[] | undefined) ?? []).map((w) => ({
      area: "recipes",
      measure: `check of the worst text for its length (nested unclosed calls), ${count(w.characters)} characters, median of 5`,
      value: `${ms(w.ms)} (${w.msPerCharacter} ms per character)`,
      target: "",
      met: null,
    })),
  ];
}

function workerRows(report: Json): FigureRow[] {
  const rows: FigureRow[] = (report.endToEnd.results as Json[]).map((result) => ({
    area: "worker",
    // From enqueueing a signed run to the completed job with its result handles: not the click-to-number path.
    measure: `a mean over ${count(result.readings)} encrypted readings, enqueued → job completed (${result.steps} steps, fresh worker)`,
    value: `${result.seconds.toFixed(1)} s`,
    target: result.readings >= 10_000 ? `< ${report.endToEnd.targetSeconds} s` : "",
    met: result.readings >= 10_000 ? report.endToEnd.met : null,
  }));
  for (const result of report.throughput as Json[]) {
    rows.push({
      area: "worker",
      measure: `completed one-step runs per minute (a mean over ${result.readingsPerRun} readings: start + 1 step), ${result.runs} runs, ${result.concurrency} concurrent`,
      value: String(result.runsPerMinute),
      target: "",
      met: null,
    });
  }
  return rows;
}

function apiRows(report: Json): FigureRow[] {
  return (report.results as Json[]).map((result) => {
    const load = result.rate ? `paced at ${result.rate} req/s` : `unthrottled, ${result.requestsPerSecond} req/s`;
    const cpu = result.serverCpuUsPerRequest === null || result.serverCpuUsPerRequest === undefined ? "" : `, server CPU ${result.serverCpuUsPerRequest} µs/req`;
    const steal = result.stealShare === null || result.stealShare === undefined ? "" : `, steal ${pct(result.stealShare)}`;
    return {
      area: "api",
      measure: `${result.route} over loopback, ${load} (p50 ${ms(result.latencyMs.p50)}${cpu}${steal})`,
      value: `p99 ${ms(result.latencyMs.p99)}`,
      target: result.mode === "target" ? `p99 < ${report.target.p99Ms} ms` : "",
      met: result.targetMet,
    };
  });
}

function gatewayRows(report: Json): FigureRow[] {
  const { capacity, paced } = report;
  const devices = `${report.devices} MQTT devices in mode ${report.mode} over ${report.datasets} datasets`;
  return [
    {
      area: "gateway",
      measure: `sustained readings/s, publish → appended on chain, ${devices} saturating it (${count(capacity.readings)} readings, batches of ${capacity.meanBatchReadings}; bound: ${report.boundSummary})`,
      value: `${capacity.readingsPerSecond} readings/s`,
      target: "",
      met: null,
    },
    {
      area: "gateway",
      measure: `publish → on-chain latency at ${paced.offeredPerSecond} readings/s, half the capacity (p50 ${paced.latencyMs.p50} ms; a batch waits ≤ ${report.gatewayMaxBatchDelayMs} ms for more)`,
      value: `p95 ${paced.latencyMs.p95} ms`,
      target: "",
      met: null,
    },
    {
      area: "gateway",
      measure: `readings lost / duplicated of ${count(report.readingsPublished)} published (every one read back from the chain)`,
      value: `${report.lost} / ${report.duplicated}`,
      target: "0 / 0",
      met: report.targets.lossFree,
    },
  ];
}

/** The path a user waits on (bench:e2e): click to decrypted number, and what the decryptions waited for. */
function e2eRows(report: Json): FigureRow[] {
  const { setup, clickToNumber, phasesMedianMs: phases, decryption } = report;
  const sec = (value: number) => `${(value / 1000).toFixed(1)} s`;
  return [
    {
      area: "e2e",
      measure:
        `click → decrypted number, a mean over the last ${count(report.windowReadings)} of ${count(setup.readings)} encrypted readings with ${count(setup.priorRuns)} finished runs on the chain: ` +
        `plan, sign, submit, server-sent events to done, user-decrypt, through the service, queue, worker process and chain (${report.samples.length} clicks, ${report.transactionsPerRun} transactions per run; ` +
        `median plan ${phases.plan} ms, sign + submit ${phases.signAndSubmit} ms, queued → done ${sec(phases.queuedToDone)}, decrypt ${phases.decrypt} ms)`,
      value: `p50 ${sec(clickToNumber.p50Ms)} / p95 ${sec(clickToNumber.p95Ms)}`,
      target: `p50 <= ${clickToNumber.targetP50Ms / 1000} s, p95 <= ${clickToNumber.targetP95Ms / 1000} s`,
      met: clickToNumber.met,
    },
    {
      area: "e2e",
      measure:
        "user-decryption of the first click after that set-up (the slowest of the clicks in brackets), and the most blocks the mock coprocessor had not replayed when a decryption arrived " +
        "(any more than the run's own transactions would be a backlog of unrelated events)",
      value: `${decryption.firstMs} ms (${decryption.maxMs} ms); ${decryption.maxBacklogBlocks ?? "?"} blocks`,
      target: `<= ${report.transactionsPerRun} blocks`,
      met: decryption.maxBacklogBlocks === null ? null : decryption.maxBacklogBlocks <= report.transactionsPerRun,
    },
  ];
}

/** Runs per minute with 1, 2, 3 worker processes (a relayer key each), and what bounds the rate. */
function workersRows(report: Json): FigureRow[] {
  const points = report.points as Json[];
  return points.map((p, i) => {
    const busy = p.machineBusyShare === null ? "" : `, machine ${pct(p.machineBusyShare)} busy`;
    const bound = i === points.length - 1 ? `; bound: ${report.bound}` : "";
    return {
      area: "worker",
      measure:
        `completed one-step runs per minute with ${p.workers} worker process${p.workers === 1 ? "" : "es"} (a relayer key each, 4 jobs each; ${p.runs} runs, a mean over ${p.readingsPerRun} readings; ` +
        `one chain node: ${pct(p.chainCoreShare)} of a core${busy})${bound}`,
      value: String(p.runsPerMinute),
      target: "",
      met: null,
    };
  });
}

/** A first `npm start` (bench:start): the UI build, the demo seed, and the spawn to the UI answering. */
function startRows(report: Json): FigureRow[] {
  const phase = (prefix: string) => (report.phases as Json[]).find((p) => (p.phase as string).startsWith(prefix));
  const uiBuild = phase("UI build");
  const seed = report.seed as Json | null;
  const seeded = seed ? `${seed.historyHours} h of demo history, ${count(seed.readings)} readings` : "no seed";
  const rows: FigureRow[] = [
    {
      area: "start",
      measure: `first npm start (empty state folder, UI built, ${seeded}): spawn → the UI answering GET / (ready, workers on the queue: ${report.readySeconds.toFixed(1)} s)`,
      value: `${report.uiAnsweringSeconds.toFixed(1)} s`,
      target: "",
      met: null,
    },
  ];
  if (uiBuild) rows.push({ area: "start", measure: "its UI build (vite build, as npm start runs it when the UI is missing or older than its sources)", value: `${uiBuild.seconds.toFixed(1)} s`, target: "", met: null });
  if (seed) rows.push({ area: "start", measure: `its demo seed on the new chain: ${count(seed.readings)} encrypted readings (${seed.historyHours} h) with the datasets, devices and approvals`, value: `${seed.seconds.toFixed(1)} s`, target: "", met: null });
  return rows;
}

/** Every figure, in the order contracts, privacy, recipes, worker (and its processes), e2e, api, gateway, start. */
export function figureRows(reports: BenchReports): FigureRow[] {
  return [
    ...contractRows(reports.contracts),
    ...privacyRows(reports.privacy),
    ...recipeRows(reports.recipes),
    ...workerRows(reports.worker),
    ...(reports.workers ? workersRows(reports.workers) : []),
    ...(reports.e2e ? e2eRows(reports.e2e) : []),
    ...apiRows(reports.api),
    ...(reports.gateway ? gatewayRows(reports.gateway) : []),
    ...(reports.start ? startRows(reports.start) : []),
  ];
}

const metText = (met: boolean | null) => (met === null ? "" : met ? "yes" : "NO");

/** The table as aligned text, for the terminal. */
export function renderText(rows: readonly FigureRow[]): string {
  const header: FigureRow = { area: "area", measure: "measure", value: "value", target: "target", met: null };
  const width = (key: "area" | "measure" | "value" | "target") => Math.max(...[header, ...rows].map((r) => r[key].length));
  const line = (r: FigureRow, met: string) =>
    `${r.area.padEnd(width("area"))}  ${r.measure.padEnd(width("measure"))}  ${r.value.padEnd(width("value"))}  ${r.target.padEnd(width("target"))}  ${met}`.trimEnd();
  return [line(header, "met"), ...rows.map((r) => line(r, metText(r.met)))].join("\n");
}

/** BENCHMARKS.md: when, where, under what load, then the one table. */
export function renderMarkdown(options: { environment: BenchEnvironment; runs: readonly BenchRun[]; rows: readonly FigureRow[] }): string {
  const { environment: env, runs, rows } = options;
  const cell = (text: string) => text.replaceAll("|", "\\|");
  return [
    "# Benchmark figures",
    "",
    "Generated by `npm run bench -- --markdown` (bench/all.ts, bench/figures.ts); do not edit by hand. The READMEs link",
    "here rather than copy these figures. Each benchmark's method is described in its own script and README.",
    "",
    `- **Date**: ${env.date}`,
    `- **Machine**: ${env.cpus} × ${env.cpuModel}, ${env.memoryGiB} GiB, ${env.os}; Node ${env.node}`,
    "- **Load and steal**: the load average (1, 5, 15 min) before each benchmark, and the share of the machine's CPU",
    "  time the hypervisor gave to other guests while it ran (a shared VM's figures move with both):",
    "",
    "| benchmark | ran for | load average before | steal |",
    "| --- | --- | --- | --- |",
    ...runs.map((r) => `| \`${r.name}\` | ${r.seconds.toFixed(0)} s | ${r.loadBefore.map((l) => l.toFixed(2)).join(", ")} | ${r.stealShare === null ? "n/a" : pct(r.stealShare)} |`),
    "",
    "| area | measure | value | target | met |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.area} | ${cell(r.measure)} | ${cell(r.value)} | ${cell(r.target)} | ${metText(r.met)} |`),
    "",
  ].join("\n");
}
