/**
 * `npm run bench:start [-- --json] [--history-hours N]`: how long `npm start` takes to come up the
 * first time, as README.md's `npm start` section describes it. It runs the launcher as a person
 * does (`tsx workbench/launcher/main.ts`, its own process) over an empty state folder, free ports and
 * a queue of its own, with the UI built (UI_BUILD=always, as on a first start) and the demo's
 * default history unless --history-hours says otherwise, and measures:
 *
 * - from the spawn to the UI answering (GET / with the page) and to the launcher's readiness (its
 *   launch record, `<STATE_DIR>/launch.json`, written when /api/ready answers and the workers
 *   consume the queue);
 * - each start phase as the launcher timed it (launch.json `phases`: the UI build, the deployment
 *   and demo seed, ...), and the seed alone as the deployment record has it (readings, seconds).
 *
 * It then stops the launcher with Ctrl-C (SIGINT) and removes its queue and state folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "@iotdm/contracts-client/local-chain";
import { readLaunchRecord, type LaunchRecord } from "@iotdm/workbench/launch-record";
import { removeQueue, startLauncher } from "@iotdm/workbench/testing";

/** How long a first start may take before the benchmark gives up. */
const TIMEOUT_MS = 15 * 60_000;

interface StartReport {
  benchmark: "start";
  /** Demo history seeded (hours; the launcher's default when null). */
  historyHours: number | null;
  /** From spawning `npm start` to GET / answering 200 with the UI's page. */
  uiAnsweringSeconds: number;
  /** From spawning `npm start` to its launch record (ready: the banner's moment). */
  readySeconds: number;
  /** The launcher's phases as it timed them. */
  phases: LaunchRecord["phases"];
  /** The demo seed of this start (the deployment record's). */
  seed: { historyHours: number; readings: number; seconds: number } | null;
}

async function poll<T>(what: string, started: number, probe: () => Promise<T | undefined>, exited: () => boolean): Promise<{ value: T; seconds: number }> {
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return { value, seconds: (performance.now() - started) / 1000 };
    if (exited()) throw new Error(`npm start exited before ${what}`);
    if (performance.now() - started > TIMEOUT_MS) throw new Error(`no ${what} after ${TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function measure(historyHours: number | null): Promise<StartReport> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "bench-start-"));
  const settings = { stateDir, port: await freePort(), chainPort: await freePort(), queuePrefix: `iotdm-bench-start-${process.pid}` };
  const started = performance.now();
  const launcher = startLauncher(settings, [], {
    UI_BUILD: "always",
    // The launcher's defaults, not the launcher tests' shortcuts.
    DEMO_HISTORY_HOURS: historyHours === null ? undefined : String(historyHours),
    SIMULATOR_RATE: undefined,
  });
  const exited = () => launcher.child.exitCode !== null || launcher.child.signalCode !== null;
  try {
    const [ui, ready] = await Promise.all([
      poll(
        "the UI answering",
        started,
        async () => {
          const response = await fetch(`http://127.0.0.1:${settings.port}/`);
          const page = await response.text();
          return response.ok && /<html/i.test(page) ? true : undefined;
        },
        exited,
      ),
      poll("the launch record", started, async () => readLaunchRecord(stateDir), exited),
    ]);
    const { seed } = ready.value;
    const seededNow = seed !== undefined && Date.parse(seed.seededAt) >= Date.parse(ready.value.startedAt);
    return {
      benchmark: "start",
      historyHours,
      uiAnsweringSeconds: round(ui.seconds),
      readySeconds: round(ready.seconds),
      phases: ready.value.phases,
      seed: seededNow ? { historyHours: seed.historyHours, readings: seed.readings, seconds: round(seed.durationMs / 1000) } : null,
    };
  } catch (err) {
    throw new Error(`${(err as Error).message}; output so far:\n${launcher.output().slice(-6000)}`);
  } finally {
    const { code } = await launcher.interrupt();
    if (code !== 0) process.stderr.write(`npm start exited with ${code} when stopped:\n${launcher.output().slice(-3000)}\n`);
    await removeQueue({ redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", prefix: settings.queuePrefix });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const round = (seconds: number) => Math.round(seconds * 10) / 10;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const hours = argv.indexOf("--history-hours");
  const report = await measure(hours >= 0 ? Number(argv[hours + 1]) : null);
  if (argv.includes("--json")) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  console.log(`npm start, first start (empty state, UI built, ${report.seed ? `${report.seed.historyHours} h of demo history` : "no seed"})`);
  console.log(`  UI answering   ${report.uiAnsweringSeconds} s after the spawn`);
  console.log(`  ready          ${report.readySeconds} s (launch record)`);
  if (report.seed) console.log(`  demo seed      ${report.seed.readings.toLocaleString("en")} readings in ${report.seed.seconds} s`);
  for (const p of report.phases) console.log(`  phase          ${p.phase}: ${p.seconds} s`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error((err as Error).stack ?? String(err));
    process.exit(1);
  },
);
