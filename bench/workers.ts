/**
 * `npm run bench:workers [-- --json]`: completed runs per minute with 1, 2 and 3 worker processes,
 * each signing with a relayer key of its own (as `WORKERS=N npm start` runs them), on one local
 * Hardhat node with the fhevm mock and one Redis; and what bounds the rate.
 *
 * Each point: N fresh worker processes on a fresh queue (4 jobs at a time each), a warm-up of two
 * runs per worker (each process estimates its gas once), then RUNS signed one-step runs (a mean over
 * 64 encrypted readings: start + 1 step) enqueued at once and timed until the last one completed.
 * Meanwhile the CPU time of the chain node's process and of the workers is read from /proc, with
 * the machine's busy and stolen shares: the chain node is one process, so it can use one core at
 * most, and a node near 100 % of a core is what bounds the rate, however many workers send to it.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import { parseEther, Wallet } from "ethers";
import type { RunResult } from "@iotdm/worker/queues";
import {
  openTestQueue,
  signRun,
  spawnWorker,
  startMarketFixture,
  temperatures,
  type MarketFixture,
  type TestDataset,
  type WorkerProcess,
} from "@iotdm/worker/testing";
import { readCpu } from "./cpu-usage";

const RUNS = 120;
const WORKER_COUNTS = [1, 2, 3];
const READINGS = 64;
const SMALL = { source: `from "bench" window last ${READINGS} readings\nmean(temperature)`, params: {} };
/** A process at this share of one core or more is saturated. */
const SATURATED = 0.85;
/** A worker that adds less than this share to the rate adds little. */
const DIMINISHING = 0.15;

const json = process.argv.includes("--json");
const log = (line: string) => {
  if (!json) console.log(line);
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The machine's busy and stolen clock ticks, from /proc/stat (undefined off Linux). */
function machineTicks(): { total: number; idle: number; steal: number } | undefined {
  try {
    const ticks = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: ticks.reduce((a, b) => a + b, 0), idle: ticks[3]! + ticks[4]!, steal: ticks[7]! };
  } catch {
    return undefined;
  }
}

/** CPU ms of process `pid` so far (0 when it cannot be read). */
const processMs = (pid: number | undefined) => readCpu(pid)?.processMs ?? 0;

/** One point: `count` worker processes, `RUNS` runs. */
async function point(options: { fixture: MarketFixture; dataset: TestDataset; relayers: Wallet[]; count: number }) {
  const { fixture, dataset, count } = options;
  const q = openTestQueue("bench-workers", "iotdm-bench");
  const workers: WorkerProcess[] = [];
  try {
    for (let i = 0; i < count; i++) {
      workers.push(spawnWorker({ config: fixture.workerConfig({ queueName: q.name, queuePrefix: q.prefix, concurrency: 4, relayerPrivateKey: options.relayers[i]!.privateKey, logLevel: "info" }) }));
    }
    await Promise.all(workers.map((w) => w.ready));
    const { buyer } = fixture.accounts;
    const sign = () => signRun({ fixture, dataset, recipe: SMALL, buyer });
    const enqueue = async (signed: Awaited<ReturnType<typeof sign>>) => (await q.runs.enqueueRun({ market: fixture.market, ...signed, recipe: SMALL })).jobId;

    // Completions as the queue announces them (one listener instead of a poller per job).
    const events = q.runs.events();
    await events.waitUntilReady();
    const completed = new Map<string, "completed" | "failed">();
    let wake: () => void = () => undefined;
    events.on("completed", ({ jobId }) => (completed.set(jobId, "completed"), wake()));
    events.on("failed", ({ jobId }) => (completed.set(jobId, "failed"), wake()));
    const allDone = async (ids: string[]) => {
      while (!ids.every((id) => completed.has(id))) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, 1_000)));
      const failed = ids.filter((id) => completed.get(id) === "failed");
      if (failed.length > 0) throw new Error(`${failed.length} runs failed, e.g. ${(await q.runs.getRun(failed[0]!))?.failure?.reason}`);
    };

    // Warm-up: every worker estimates its gas once.
    const warm = [];
    for (let i = 0; i < 2 * count; i++) warm.push(await enqueue(await sign()));
    await allDone(warm);

    const signed = [];
    for (let i = 0; i < RUNS; i++) signed.push(await sign());
    const loadBefore = os.loadavg();
    const machineBefore = machineTicks();
    const chainBefore = processMs(fixture.chain.pid);
    const workersBefore = workers.reduce((sum, w) => sum + processMs(w.child.pid), 0);
    const benchBefore = process.cpuUsage();
    const started = performance.now();
    const ids = await Promise.all(signed.map(enqueue));
    await allDone(ids);
    const wallMs = performance.now() - started;
    const chainMs = processMs(fixture.chain.pid) - chainBefore;
    const workersMs = workers.reduce((sum, w) => sum + processMs(w.child.pid), 0) - workersBefore;
    const benchUsage = process.cpuUsage(benchBefore);
    const benchMs = (benchUsage.user + benchUsage.system) / 1000;
    const machineAfter = machineTicks();
    const ticks = machineBefore && machineAfter ? machineAfter.total - machineBefore.total : 0;
    // Every run went through: a result with its handle.
    const sample = await q.runs.getRun(ids[0]!);
    if ((sample?.result as RunResult | undefined)?.handles.length !== 1) throw new Error("a run completed without its result handle");
    await events.close();
    return {
      workers: count,
      runs: RUNS,
      readingsPerRun: READINGS,
      seconds: round(wallMs / 1000, 2),
      runsPerMinute: round((RUNS / wallMs) * 60_000),
      // Shares of ONE core (a single-threaded process tops out at 1).
      chainCoreShare: round(chainMs / wallMs, 2),
      // Cores' worth of CPU time: the workers together, and this process (signing, enqueueing, listening).
      workersCoreShare: round(workersMs / wallMs, 2),
      benchCoreShare: round(benchMs / wallMs, 2),
      // Share of the whole machine's CPU time (every process on it, other users' included).
      machineBusyShare: ticks > 0 ? round(1 - (machineAfter!.idle - machineBefore!.idle) / ticks, 2) : null,
      stealShare: ticks > 0 ? round((machineAfter!.steal - machineBefore!.steal) / ticks, 3) : null,
      loadBefore: loadBefore.map((l) => round(l, 2)),
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop("SIGTERM")));
    await q.dispose();
  }
}

/** What bounds the rate, in words, from the points' rates and CPU shares. */
export function boundOf(
  points: { workers: number; runsPerMinute: number; chainCoreShare: number; workersCoreShare: number; benchCoreShare: number; machineBusyShare: number | null }[],
  cpus: number,
): string {
  const first = points[0]!;
  const last = points.at(-1)!;
  const previous = points.at(-2) ?? first;
  const percent = (share: number) => `${Math.round(share * 100)} %`;
  const chain = `the chain node (one process, so one core at most) went from ${percent(first.chainCoreShare)} of a core with ${first.workers} worker${first.workers === 1 ? "" : "s"} to ${percent(last.chainCoreShare)} with ${last.workers}`;
  const gain = previous.runsPerMinute > 0 ? last.runsPerMinute / previous.runsPerMinute - 1 : 0;
  // Near its core, and the last worker added little: the chain node is what the rate waits on.
  if (last.chainCoreShare >= SATURATED || (last.chainCoreShare >= 0.75 && last !== previous && gain < DIMINISHING)) {
    const added = last === previous ? "" : `; going from ${previous.workers} to ${last.workers} workers added ${percent(gain)} to the rate`;
    return `${chain}${added}: the chain node is the bound, whatever more workers add`;
  }
  if (last.machineBusyShare !== null && last.machineBusyShare >= 0.9) {
    const others = Math.max(0, last.machineBusyShare * cpus - last.chainCoreShare - last.workersCoreShare - last.benchCoreShare);
    return (
      `the machine's ${cpus} cores were ${percent(last.machineBusyShare)} busy, so its CPU bounds the rate before the chain node does (${chain}; ` +
      `in cores: workers ${last.workersCoreShare}, this benchmark ${last.benchCoreShare}, other processes ${round(others, 2)})`
    );
  }
  return (
    `${chain}, the machine ${last.machineBusyShare === null ? "?" : percent(last.machineBusyShare)} busy: not saturated yet, each run waits on its two ` +
    "transactions, and each relayer sends one at a time; the chain node's core is the next bound"
  );
}

async function main(): Promise<void> {
  log("starting a Hardhat node with the fhevm mock and deploying the market ...");
  const fixture = await startMarketFixture();
  try {
    const dataset = await fixture.purchasedDataset({ k: 8, name: "bench", readings: temperatures(READINGS, 1) });
    // Relayers 2 and 3: operators with ETH for gas, as the demo deployment makes its relayers.
    const relayers = [fixture.accounts.relayer, Wallet.createRandom() as unknown as Wallet, Wallet.createRandom() as unknown as Wallet];
    const admin = fixture.as(fixture.accounts.admin);
    const role = await admin.getFunction("OPERATOR_ROLE")();
    for (const relayer of relayers.slice(1)) await (await admin.getFunction("grantRole")(role, relayer.address)).wait();
    // After the grants: the admin's nonce manager is not used again.
    for (const relayer of relayers.slice(1)) await (await fixture.accounts.admin.sendTransaction({ to: relayer.address, value: parseEther("100") })).wait();

    const points = [];
    for (const count of WORKER_COUNTS) {
      log(`${count} worker process(es), ${RUNS} one-step runs ...`);
      const result = await point({ fixture, dataset, relayers, count });
      points.push(result);
      log(`  ${result.runsPerMinute} runs/min (${result.seconds} s); chain node ${Math.round(result.chainCoreShare * 100)} % of a core, workers ${Math.round(result.workersCoreShare * 100)} %, machine ${result.machineBusyShare === null ? "?" : Math.round(result.machineBusyShare * 100)} % busy`);
    }
    const report = { benchmark: "workers", node: process.version, cpus: os.cpus().length, points, bound: boundOf(points, os.cpus().length) };
    if (json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    console.log(`\nWorker processes (node ${process.version}, ${report.cpus} CPUs, one Hardhat fhevm mock node)`);
    console.log("workers  runs/min  chain node (of a core)  workers (cores)  this benchmark (cores)  machine busy");
    for (const p of points) {
      console.log(
        `${String(p.workers).padEnd(9)}${String(p.runsPerMinute).padEnd(10)}${`${Math.round(p.chainCoreShare * 100)} %`.padEnd(24)}${String(p.workersCoreShare).padEnd(17)}` +
          `${String(p.benchCoreShare).padEnd(24)}${p.machineBusyShare === null ? "?" : `${Math.round(p.machineBusyShare * 100)} %`}`,
      );
    }
    console.log(`bound: ${report.bound}`);
  } finally {
    await fixture.stop();
  }
}

if (process.argv[1] === import.meta.filename) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
