/**
 * `npm start` supervises the worker and the service: a `kill -9` of the worker is followed by a
 * restart (logged with the signal), the API stays up meanwhile, and a run submitted afterwards
 * completes; a worker that crashes at once every time makes the launcher give up with a message
 * saying so and exit code 1. Two real launches (about a minute and a half on two cores).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@iotdm/contracts-client/local-chain";
import { devWallet } from "../../demo/accounts";
import { DEFAULT_REDIS_URL, probe } from "../redis";
import { removeQueue, runRecipeThrough, startLauncher, type LaunchSettings, type LauncherProcess } from "./support/launcher-process";

const made: LaunchSettings[] = [];

async function settings(): Promise<LaunchSettings> {
  const launch = {
    stateDir: path.join(mkdtempSync(path.join(os.tmpdir(), "npm-start-supervision-")), "state"),
    port: await freePort(),
    chainPort: await freePort(),
    queuePrefix: `npm-start-supervision-${process.pid}-${made.length}`,
  };
  made.push(launch);
  return launch;
}

/** The pid of the process under `ancestor` (at any depth) whose command line contains `entry`, if any (Linux /proc). */
function descendantRunning(ancestor: number, entry: string): number | undefined {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      // The parent pid is the 4th field after the command name, which is in parentheses.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  for (const pid of parents.keys()) {
    let up = parents.get(pid);
    while (up !== undefined && up > 1 && up !== ancestor) up = parents.get(up);
    if (up !== ancestor) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(entry)) return pid;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** Resolves with the first output match of `pattern` after `from` characters of output. */
async function outputMatch(launcher: LauncherProcess, pattern: RegExp, options: { from?: number; timeoutMs?: number } = {}): Promise<RegExpExecArray> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const match = pattern.exec(launcher.output().slice(options.from ?? 0));
    if (match) return match;
    if (launcher.child.exitCode !== null) throw new Error(`npm start exited (${launcher.child.exitCode}) before printing ${pattern}:\n${launcher.output().slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${launcher.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("npm start supervision", () => {
  afterAll(async () => {
    for (const launch of made) rmSync(path.dirname(launch.stateDir), { recursive: true, force: true });
    if (await probe(DEFAULT_REDIS_URL)) for (const launch of made) await removeQueue({ redisUrl: DEFAULT_REDIS_URL, prefix: launch.queuePrefix });
  });

  it("restarts a worker killed with SIGKILL; the API stays up and a run submitted afterwards completes", { timeout: 300_000 }, async () => {
    const launcher = startLauncher(await settings(), [], { SIMULATOR_RATE: "0" });
    try {
      const url = await launcher.ready();
      const first = descendantRunning(launcher.child.pid!, "worker/src/main.ts")!;
      expect(first).toBeGreaterThan(0);

      // The API answers throughout, sampled every 100 ms from the kill until the worker is back.
      let apiFailures = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
          if (!ok) apiFailures += 1;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const mark = launcher.output().length;
      process.kill(first, "SIGKILL");
      await outputMatch(launcher, /the worker exited on its own \(signal SIGKILL\)[^\n]*restarting it in/, { from: mark });
      const second = Number((await outputMatch(launcher, /started the worker \(pid (\d+)\)/, { from: mark }))[1]);
      expect(descendantRunning(launcher.child.pid!, "worker/src/main.ts")).toBe(second);
      expect(second).not.toBe(first);
      expect(launcher.child.exitCode).toBeNull();

      // A run submitted now completes: the new worker takes it.
      const status = await runRecipeThrough(url, devWallet(4), { source: 'from "greenhouse" window last 12 readings\nmean(temperature)', title: "After the worker's crash" });
      expect(status).toBe("done");

      sampling = false;
      await sampler;
      expect(apiFailures).toBe(0);
      expect(await launcher.interrupt()).toEqual({ code: 0, signal: null });
    } finally {
      if (launcher.child.exitCode === null) launcher.child.kill("SIGKILL");
    }
  });

  it("gives up on a worker that crashes at once every time: a message saying so, exit code 1", { timeout: 300_000 }, async () => {
    // An invalid worker setting: the worker stops with a configuration error each time it starts.
    const launcher = startLauncher(await settings(), [], { SIMULATOR_RATE: "0", WORKER_CONCURRENCY: "0" });
    try {
      const exit = await Promise.race([
        launcher.exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`npm start still runs:\n${launcher.output().slice(-4000)}`)), 240_000)),
      ]);
      expect(exit).toEqual({ code: 1, signal: null });
      const output = launcher.output();
      expect(output.match(/the worker exited on its own \(code 1\)[^\n]*restarting it in/g)?.length).toBe(4);
      expect(output).toMatch(/the worker keeps crashing: it exited 5 times in a row, each within 60 s of starting \(last: code 1\); giving up/);
      expect(output).toContain("WORKER_CONCURRENCY");
      expect(output).not.toContain("workbench is ready");
    } finally {
      if (launcher.child.exitCode === null) launcher.child.kill("SIGKILL");
    }
  });
});
