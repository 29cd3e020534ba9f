/**
 * `npm run bench:worker [-- --json]`: the worker's benchmark on this machine.
 *
 * - compile: parse + check + plan of the built-in recipe templates (recipes/' own benchmark),
 *   median and p99; target under 5 ms;
 * - end to end: a signed `mean` run over 1,000 and 10,000 encrypted readings on a local Hardhat
 *   node with the fhevm mock, from enqueue to the completed job with its result handles (a fresh
 *   worker each time, so gas estimates are not cached yet); target under 60 s for 10,000;
 * - throughput: completed runs per minute with 1, 4 and 16 concurrent jobs (small one-step runs
 *   through one relayer account).
 * Readings are seeded 32 per transaction (one input proof each), pipelined.
 */
import os from "node:os";
import { benchmarkCompile, interpretResults } from "@iotdm/recipes";
import type { RunResult } from "@iotdm/worker/queues";
import { startWorker } from "@iotdm/worker";
import {
  plainStats,
  signRun,
  temperatures,
  startMarketFixture,
  type MarketFixture,
  type TestDataset,
  openTestQueue,
  waitForJob,
} from "@iotdm/worker/testing";

const COMPILE_TARGET_MS = 5;
const END_TO_END_TARGET_S = 60;
const MEAN = { source: 'from "bench" window all\nmean(temperature)', params: {} };
/** One step per run (64 readings is under MEAN's 123 per step): start + one step. */
const SMALL_READINGS = 64;
const SMALL = { source: `from "bench" window last ${SMALL_READINGS} readings\nmean(temperature)`, params: {} };
const THROUGHPUT_JOBS = 32;

const json = process.argv.includes("--json");
const log = (line: string) => {
  if (!json) console.log(line);
};
const seconds = (ms: number) => Math.round(ms / 10) / 100;

/** Appends `count` readings and reports how long seeding took. */
async function seed(fixture: MarketFixture, count: number): Promise<{ dataset: TestDataset; seedSeconds: number }> {
  const dataset = await fixture.createDataset({ k: 8, name: `bench-${count}` });
  const started = performance.now();
  await fixture.appendReadings(dataset, temperatures(count, count));
  const seedSeconds = seconds(performance.now() - started);
  await fixture.purchaseAccess(dataset, fixture.accounts.buyer);
  return { dataset, seedSeconds };
}

/** One signed mean run over the whole dataset with a fresh worker; wall time from enqueue to completed. */
async function endToEnd(fixture: MarketFixture, dataset: TestDataset) {
  const q = openTestQueue("bench-e2e", "iotdm-bench");
  const runtime = await startWorker({ config: fixture.workerConfig({ queueName: q.name, queuePrefix: q.prefix, concurrency: 1 }) });
  try {
    const { buyer } = fixture.accounts;
    const signed = await signRun({ fixture, dataset, recipe: MEAN, buyer });
    const started = performance.now();
    const { jobId } = await q.runs.enqueueRun({ market: fixture.market, ...signed, recipe: MEAN });
    const done = await waitForJob(q.runs, jobId, { timeoutMs: 600_000 });
    const runMs = performance.now() - started;
    if (done.state !== "completed") throw new Error(`the run failed: ${done.failure?.reason}`);
    const result = done.result as RunResult;

    const decryptStarted = performance.now();
    const decrypted = await fixture.decryptResults({ buyer, plan: signed.plan, handles: result.handles });
    const decryptMs = performance.now() - decryptStarted;
    const [mean] = interpretResults({ plan: signed.plan, decrypted });
    const value = (mean as { value: { number: number } }).value.number;
    const expected = plainStats(dataset.values, 0, signed.plan.window.toIndex).mean;
    if (Math.abs(value - expected) > 1e-3) throw new Error(`decrypted mean ${value} differs from the plaintext ${expected}`);
    return {
      readings: signed.plan.window.length,
      steps: result.steps,
      transactions: result.txHashes.length,
      seconds: seconds(runMs),
      msPerStep: Math.round(runMs / result.steps),
      decryptSeconds: seconds(decryptMs),
      mean: value,
    };
  } finally {
    await runtime.close({ release: false });
    await q.dispose();
  }
}

/** Completed runs per minute with `concurrency` jobs at a time (gas estimates warmed first). */
async function throughput(fixture: MarketFixture, dataset: TestDataset, concurrency: number) {
  const q = openTestQueue("bench-throughput", "iotdm-bench");
  const runtime = await startWorker({ config: fixture.workerConfig({ queueName: q.name, queuePrefix: q.prefix, concurrency }) });
  try {
    const { buyer } = fixture.accounts;
    const sign = () => signRun({ fixture, dataset, recipe: SMALL, buyer });
    const warm = await sign();
    await waitForJob(q.runs, (await q.runs.enqueueRun({ market: fixture.market, ...warm, recipe: SMALL })).jobId, { timeoutMs: 120_000 });

    const signed = [];
    for (let i = 0; i < THROUGHPUT_JOBS; i++) signed.push(await sign());
    const started = performance.now();
    const ids = await Promise.all(signed.map(async (s) => (await q.runs.enqueueRun({ market: fixture.market, ...s, recipe: SMALL })).jobId));
    const results = await Promise.all(ids.map((id) => waitForJob(q.runs, id, { timeoutMs: 600_000 })));
    const elapsedMs = performance.now() - started;
    const failed = results.filter((r) => r.state !== "completed");
    if (failed.length > 0) throw new Error(`${failed.length} runs failed: ${failed[0]!.failure?.reason}`);
    return {
      concurrency,
      runs: THROUGHPUT_JOBS,
      readingsPerRun: SMALL_READINGS,
      seconds: seconds(elapsedMs),
      runsPerMinute: Math.round((THROUGHPUT_JOBS / elapsedMs) * 60_000 * 10) / 10,
    };
  } finally {
    await runtime.close({ release: false });
    await q.dispose();
  }
}

async function main(): Promise<void> {
  log("compile: parse + check + plan of the built-in templates ...");
  const compile = benchmarkCompile();
  log(`  ${compile.templates} templates, ${compile.samples} compilations: median ${compile.medianMs} ms, p99 ${compile.p99Ms} ms (target < ${COMPILE_TARGET_MS} ms)`);

  log("starting a Hardhat node with the fhevm mock and deploying the market ...");
  const fixture = await startMarketFixture();
  try {
    const endToEndResults = [];
    const seeding = [];
    let small: TestDataset | undefined;
    for (const count of [1_000, 10_000]) {
      log(`seeding ${count.toLocaleString("en-US")} encrypted readings (32 per transaction) ...`);
      const { dataset, seedSeconds } = await seed(fixture, count);
      seeding.push({ readings: count, seconds: seedSeconds, readingsPerSecond: Math.round(count / seedSeconds) });
      log(`  ${seedSeconds} s`);
      log(`end to end: mean over ${count.toLocaleString("en-US")} readings ...`);
      const result = await endToEnd(fixture, dataset);
      endToEndResults.push(result);
      log(`  ${result.seconds} s, ${result.steps} steps (${result.msPerStep} ms per step), user-decrypt ${result.decryptSeconds} s`);
      small ??= dataset;
    }

    const throughputResults = [];
    for (const concurrency of [1, 4, 16]) {
      log(`throughput: ${THROUGHPUT_JOBS} one-step runs with concurrency ${concurrency} ...`);
      const result = await throughput(fixture, small!, concurrency);
      throughputResults.push(result);
      log(`  ${result.runsPerMinute} runs/min (${result.seconds} s)`);
    }

    const tenThousand = endToEndResults.find((r) => r.readings >= 10_000)!;
    const report = {
      benchmark: "worker",
      node: process.version,
      cpus: os.cpus().length,
      compile: {
        templates: compile.templates,
        samples: compile.samples,
        medianMs: compile.medianMs,
        p99Ms: compile.p99Ms,
        targetMs: COMPILE_TARGET_MS,
        met: compile.p99Ms < COMPILE_TARGET_MS,
      },
      seeding,
      endToEnd: { results: endToEndResults, targetSeconds: END_TO_END_TARGET_S, met: tenThousand.seconds < END_TO_END_TARGET_S },
      throughput: throughputResults,
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    const pad = (text: string | number, width: number) => String(text).padEnd(width);
    console.log("");
    console.log(`Worker benchmark (node ${process.version}, ${os.cpus().length} CPUs, Hardhat fhevm mock)`);
    console.log(`compile (parse+check+plan)  median ${compile.medianMs} ms   p99 ${compile.p99Ms} ms   target < ${COMPILE_TARGET_MS} ms: ${report.compile.met ? "met" : "NOT met"}`);
    console.log(`${pad("mean, end to end", 28)}${pad("seconds", 10)}${pad("steps", 8)}${pad("ms/step", 10)}decrypt s`);
    for (const r of endToEndResults) {
      console.log(`${pad(`${r.readings.toLocaleString("en-US")} readings`, 28)}${pad(r.seconds, 10)}${pad(r.steps, 8)}${pad(r.msPerStep, 10)}${r.decryptSeconds}`);
    }
    console.log(`10,000-reading target < ${END_TO_END_TARGET_S} s: ${report.endToEnd.met ? "met" : "NOT met"}`);
    console.log(`${pad("concurrent jobs", 28)}runs/min`);
    for (const r of throughputResults) console.log(`${pad(r.concurrency, 28)}${r.runsPerMinute}`);
    console.log(`seeding: ${seeding.map((s) => `${s.readings.toLocaleString("en-US")} readings in ${s.seconds} s`).join(", ")}`);
  } finally {
    await fixture.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
