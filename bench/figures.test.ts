import { describe, expect, it } from "vitest";
import { figureRows, renderMarkdown, renderText, type BenchReports } from "./figures";

/** The fields of the four benchmarks' JSON reports that the table reads. */
const reports: BenchReports = {
  contracts: {
    kinds: [
      { kind: "SUM", hcuPerReading: 100, fullStepShare: 0.97, ratioToMinimum: 1.0, transactionsFor10k: 83 },
      { kind: "MAX", hcuPerReading: 120, fullStepShare: 0.95, ratioToMinimum: 1.01, transactionsFor10k: 90 },
    ],
    ingestion: [{ batch: 32, marketGasPerReading: 98720, referenceGasPerReading: 97995, ratio: 1.0074 }],
    targets: { fullStepShareMet: true, hcuRatioMet: true, ingestionRatioMet: true },
  },
  recipes: { templates: 15, medianMs: 0.99, p99Ms: 2.68, targetMs: 5 },
  worker: {
    endToEnd: { targetSeconds: 60, met: true, results: [{ readings: 10_000, steps: 82, seconds: 16.3 }] },
    throughput: [{ concurrency: 4, runs: 32, readingsPerRun: 64, runsPerMinute: 304.7 }],
  },
  api: {
    target: { p99Ms: 20 },
    results: [
      { route: "GET /api/datasets", rate: 500, mode: "target", requestsPerSecond: 500, latencyMs: { p50: 1.8, p99: 6.4 }, serverCpuUsPerRequest: 710, stealShare: 0.009, targetMet: true },
      { route: "GET /api/datasets", rate: null, mode: "max", requestsPerSecond: 2416, latencyMs: { p50: 21, p99: 46.3 }, serverCpuUsPerRequest: null, stealShare: null, targetMet: null },
    ],
  },
};

describe("the benchmark figures table", () => {
  const rows = figureRows(reports);

  it("says what each worker figure measured: how many readings, from enqueue to completion, and the run size of the throughput", () => {
    const worker = rows.filter((r) => r.area === "worker").map((r) => r.measure);
    expect(worker).toEqual([
      "a mean over 10,000 encrypted readings, enqueued → job completed (82 steps, fresh worker)",
      "completed one-step runs per minute (a mean over 64 readings: start + 1 step), 32 runs, 4 concurrent",
    ]);
    expect(rows.some((r) => /end to end/.test(r.measure))).toBe(false);
  });

  it("lists every noise figure of bench:privacy, so that no README copies them", () => {
    const attack = (recovered: number, runs: number | null) => ({ bucketSize: 12, readingsRecovered: recovered, runsUntilStopped: runs });
    const noise = [
      { kind: "MEAN", epsilon: 2, unit: "°C (mean)", standardDeviation: 0.24567, interval95: 0.52, noiseHcu: 3_948_639, extraTransactions: 1 },
      { kind: "COUNT_IF", epsilon: 0.1, unit: "readings", standardDeviation: 14.1, interval95: 30, noiseHcu: 2_058_383, extraTransactions: 1 },
    ];
    const privacy = figureRows({ ...reports, privacy: { exact: attack(12, null), private: attack(0, 13), privateLargeEpsilon: attack(0, 1), noise } }).filter(
      (r) => r.area === "privacy",
    );
    expect(privacy.map((r) => r.value)).toEqual(["12 (not stopped)", "0 / 0 (stopped after 13 runs / stopped after 1 runs)", "0.246; ±0.52; 3,948,639; 1", "14.1; ±30; 2,058,383; 1"]);
    expect(privacy[3]!.measure).toContain("COUNT_IF over 288 readings of [−40, 60] °C at ε 0.1, in readings");
  });

  it("gives every row a value and marks the targets met or not", () => {
    expect(rows.map((r) => [r.area, r.value, r.met])).toEqual([
      ["contracts", "95.0 %", true],
      ["contracts", "1.010x", true],
      ["contracts", "83", null],
      ["contracts", "98720 / 97995 = 1.007x", true],
      ["recipes", "2.68 ms", true],
      ["worker", "16.3 s", true],
      ["worker", "304.7", null],
      ["api", "p99 6.40 ms", true],
      ["api", "p99 46.30 ms", null],
    ]);
    expect(rows[7]!.measure).toBe("GET /api/datasets over loopback, paced at 500 req/s (p50 1.80 ms, server CPU 710 µs/req, steal 0.9 %)");
  });

  it("adds a pay-per-run row per run after the contracts' rows: the quote ÷ the actual reimbursement against 1.0–1.2x", () => {
    const quotes = [
      { kind: "SUM", ratio: 1.099, relayerGasQuoted: 4_300_000, transactions: 3 },
      { kind: "rolled-up MIN", ratio: 1.23, relayerGasQuoted: 900_000, transactions: 2 },
    ];
    const withQuotes = figureRows({ ...reports, contracts: { ...reports.contracts, quotes } });
    const rows = withQuotes.filter((r) => r.measure.startsWith("pay per run"));
    expect(rows.map((r) => [r.measure, r.value, r.target, r.met])).toEqual([
      ["pay per run: quote ÷ actual reimbursement, SUM at its largest step (3 transactions)", "1.099x", "1.0–1.2x", true],
      ["pay per run: quote ÷ actual reimbursement, rolled-up MIN at its largest step (2 transactions)", "1.230x", "1.0–1.2x", false],
    ]);
    expect(withQuotes.indexOf(rows[0]!)).toBe(4);
  });

  it("writes the date, the machine, each benchmark's load and steal, then the table, as Markdown", () => {
    const markdown = renderMarkdown({
      environment: { date: "2026-12-02T15:00:00Z", cpuModel: "AMD EPYC", cpus: 2, memoryGiB: 8, node: "v20.18.0", os: "Linux 6.1" },
      runs: [{ name: "bench:api", seconds: 61.2, loadBefore: [1, 0.5, 0.25], stealShare: 0.021 }],
      rows,
    });
    expect(markdown).toContain("- **Date**: 2026-12-02T15:00:00Z");
    expect(markdown).toContain("- **Machine**: 2 × AMD EPYC, 8 GiB, Linux 6.1; Node v20.18.0");
    expect(markdown).toContain("| `bench:api` | 61 s | 1.00, 0.50, 0.25 | 2.1 % |");
    expect(markdown).toContain("| recipes | parse + check + plan of one built-in template, p99 over 15 templates (median 0.99 ms) | 2.68 ms | < 5 ms | yes |");
    expect(markdown.split("\n").filter((line) => line.startsWith("| ")).length).toBe(2 + 1 + 2 + rows.length);
  });

  it("adds the gateway's rows when its report is there: capacity with what bounds it, latency, and loss-free as a target", () => {
    const gateway = {
      devices: 100,
      datasets: 4,
      mode: "b",
      gatewayMaxBatchDelayMs: 500,
      capacity: { readings: 6400, readingsPerSecond: 70.7, meanBatchReadings: 32 },
      paced: { offeredPerSecond: 35.3, latencyMs: { p50: 845, p95: 1846, max: 2405 } },
      readingsPublished: 7106,
      lost: 0,
      duplicated: 0,
      boundSummary: "one append at a time: the chain's 262 ms per batch of 32, then the gateway's 117 ms",
      targets: { lossFree: true },
    };
    const withGateway = figureRows({ ...reports, gateway });
    expect(withGateway.slice(0, rows.length)).toEqual(rows);
    expect(withGateway.slice(rows.length).map((r) => [r.area, r.value, r.target, r.met])).toEqual([
      ["gateway", "70.7 readings/s", "", null],
      ["gateway", "p95 1846 ms", "", null],
      ["gateway", "0 / 0", "0 / 0", true],
    ]);
    expect(withGateway[rows.length]!.measure).toContain("100 MQTT devices in mode b over 4 datasets");
    expect(withGateway[rows.length]!.measure).toContain("bound: one append at a time");
    expect(figureRows({ ...reports, gateway: { ...gateway, lost: 2, targets: { lossFree: false } } }).at(-1)).toMatchObject({ value: "2 / 0", met: false });
  });

  it("adds a row per number of worker processes after the worker's rows, the last saying what bounds the rate", () => {
    const point = (workers: number, runsPerMinute: number, chainCoreShare: number) => ({
      workers,
      runs: 60,
      readingsPerRun: 64,
      seconds: 60,
      runsPerMinute,
      chainCoreShare,
      workersCoreShare: 0.3,
      machineBusyShare: 0.95,
      stealShare: 0.01,
    });
    const workers = { points: [point(1, 120, 0.6), point(2, 170, 0.85), point(3, 175, 0.97)], bound: "the chain node (one process) used 97 % of a core with 3 workers: it is the bound" };
    const withWorkers = figureRows({ ...reports, workers });
    const at = withWorkers.findIndex((r) => r.measure.includes("worker process"));
    expect(at).toBe(rows.findIndex((r) => r.area === "api"));
    expect(withWorkers.slice(at, at + 3).map((r) => [r.area, r.value])).toEqual([
      ["worker", "120"],
      ["worker", "170"],
      ["worker", "175"],
    ]);
    expect(withWorkers[at]!.measure).toContain("with 1 worker process (a relayer key each");
    expect(withWorkers[at + 2]!.measure).toContain("with 3 worker processes");
    expect(withWorkers[at + 2]!.measure).toContain("one chain node: 97.0 % of a core, machine 95.0 % busy");
    expect(withWorkers[at + 2]!.measure).toContain("bound: the chain node (one process) used 97 % of a core");
    expect(withWorkers[at]!.measure).not.toContain("bound:");
  });

  it("adds the click-to-number rows before the api's: the percentiles against the targets, and the backlog a decryption met against the run's own transactions", () => {
    const e2e = {
      windowReadings: 10_000,
      setup: { readings: 50_000, priorRuns: 200 },
      samples: [{}, {}, {}],
      transactionsPerRun: 83,
      clickToNumber: { p50Ms: 21_400, p95Ms: 24_900, targetP50Ms: 5_000, targetP95Ms: 10_000, met: false },
      phasesMedianMs: { plan: 310, signAndSubmit: 45, queuedToDone: 20_800, decrypt: 120 },
      decryption: { firstMs: 140, maxMs: 160, maxBacklogBlocks: 1 },
    };
    const withE2e = figureRows({ ...reports, e2e });
    const at = withE2e.findIndex((r) => r.area === "e2e");
    expect(at).toBe(rows.findIndex((r) => r.area === "api"));
    expect(withE2e.slice(at, at + 2).map((r) => [r.value, r.target, r.met])).toEqual([
      ["p50 21.4 s / p95 24.9 s", "p50 <= 5 s, p95 <= 10 s", false],
      ["140 ms (160 ms); 1 blocks", "<= 83 blocks", true],
    ]);
    expect(withE2e[at]!.measure).toContain("a mean over the last 10,000 of 50,000 encrypted readings with 200 finished runs on the chain");
    expect(withE2e[at]!.measure).toContain("3 clicks, 83 transactions per run");
    expect(figureRows({ ...reports, e2e: { ...e2e, decryption: { ...e2e.decryption, maxBacklogBlocks: 2_000 } } })[at + 1]!.met).toBe(false);
  });

  it("adds a row per length of the worst text's check after the compile row, in ms and ms per character", () => {
    const worstCheck = [
      { characters: 4096, ms: 181.6, msPerCharacter: 0.0443 },
      { characters: 65_536, ms: 1155.1, msPerCharacter: 0.0176 },
    ];
    const withWorst = figureRows({ ...reports, recipes: { ...reports.recipes, worstCheck } });
    const at = withWorst.findIndex((r) => r.area === "recipes") + 1;
    expect(withWorst.slice(at, at + 2).map((r) => [r.area, r.value])).toEqual([
      ["recipes", "181.60 ms (0.0443 ms per character)"],
      ["recipes", "1155.10 ms (0.0176 ms per character)"],
    ]);
    expect(withWorst[at]!.measure).toBe("check of the worst text for its length (nested unclosed calls), 4,096 characters, median of 5");
    expect(withWorst.length).toBe(rows.length + 2);
  });

  it("adds a first npm start's rows last: spawn to the UI answering, the launcher's UI build phase and the demo seed", () => {
    const start = {
      benchmark: "start",
      historyHours: null,
      uiAnsweringSeconds: 49.6,
      readySeconds: 50.2,
      phases: [
        { phase: "Redis", seconds: 0.1 },
        { phase: "UI build (when missing or older than its sources)", seconds: 15.3 },
        { phase: "market (on a new local chain: deployed and seeded)", seconds: 37.9 },
      ],
      seed: { historyHours: 72, readings: 3888, seconds: 35.4 },
    };
    const withStart = figureRows({ ...reports, start });
    expect(withStart.slice(0, rows.length)).toEqual(rows);
    expect(withStart.slice(rows.length).map((r) => [r.area, r.value])).toEqual([
      ["start", "49.6 s"],
      ["start", "15.3 s"],
      ["start", "35.4 s"],
    ]);
    expect(withStart[rows.length]!.measure).toBe(
      "first npm start (empty state folder, UI built, 72 h of demo history, 3,888 readings): spawn → the UI answering GET / (ready, workers on the queue: 50.2 s)",
    );
    expect(withStart.at(-1)!.measure).toContain("3,888 encrypted readings (72 h)");
    // A start over a chain already seeded (or without a UI build phase) says so and has no seed row.
    const reused = figureRows({ ...reports, start: { ...start, seed: null, phases: [] } }).slice(rows.length);
    expect(reused).toHaveLength(1);
    expect(reused[0]!.measure).toContain("no seed");
  });

  it("prints the same rows as aligned text", () => {
    const text = renderText(rows).split("\n");
    expect(text).toHaveLength(rows.length + 1);
    expect(text[0]).toMatch(/^area\s+measure\s+value\s+target\s+met$/);
  });
});
