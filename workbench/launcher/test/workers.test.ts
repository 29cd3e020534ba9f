/**
 * `WORKERS=2 npm start`: two worker processes, each signing with a demo relayer of its own that the
 * demo deployment made an operator; the banner names them; one killed with SIGKILL comes back with
 * its own key (once the dead process's hold on it runs out) while the other keeps taking runs; a run
 * completes; Ctrl-C stops both. One real launch (about a minute on two cores).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider, Network } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import { connectMarket } from "@iotdm/contracts-client";
import { freePort } from "@iotdm/contracts-client/local-chain";
import { demoRelayer, devWallet } from "../../demo/accounts";
import { DEFAULT_REDIS_URL, probe } from "../redis";
import { removeQueue, runRecipeThrough, startLauncher, type LaunchSettings, type LauncherProcess } from "./support/launcher-process";

/** Resolves with the first match of `pattern` in the output after `from` characters. */
async function outputMatch(launcher: LauncherProcess, pattern: RegExp, from = 0, timeoutMs = 90_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(launcher.output().slice(from));
    if (match) return match;
    if (launcher.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} in the output:\n${launcher.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("npm start with WORKERS=2", () => {
  let settings: LaunchSettings;

  afterAll(async () => {
    if (settings) rmSync(path.dirname(settings.stateDir), { recursive: true, force: true });
    if (settings && (await probe(DEFAULT_REDIS_URL))) await removeQueue({ redisUrl: DEFAULT_REDIS_URL, prefix: settings.queuePrefix });
  });

  it("runs two workers with a relayer key each, restarts one killed with SIGKILL on its own key, and runs recipes", { timeout: 300_000 }, async () => {
    settings = {
      stateDir: path.join(mkdtempSync(path.join(os.tmpdir(), "npm-start-workers-")), "state"),
      port: await freePort(),
      chainPort: await freePort(),
      queuePrefix: `npm-start-workers-${process.pid}`,
    };
    const launcher = startLauncher(settings, [], { SIMULATOR_RATE: "0", WORKERS: "2" });
    try {
      const url = await launcher.ready();
      const [first, second] = [demoRelayer(1).address, demoRelayer(2).address];
      const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;
      expect(launcher.output()).toContain(`Workers  2, each signing with a relayer of its own: ${short(first)}, ${short(second)}`);
      expect(launcher.output()).toMatch(new RegExp(`worker 1 +│ worker ready .*relayer=${first}`));
      expect(launcher.output()).toMatch(new RegExp(`worker 2 +│ worker ready .*relayer=${second}`));

      // The demo deployment made both operators.
      const provider = new JsonRpcProvider(`http://127.0.0.1:${settings.chainPort}`, Network.from(31337n), { staticNetwork: true });
      try {
        const market = connectMarket((await (await fetch(`${url}/api/chain`)).json()).marketAddress as string, provider);
        const role = await market.getFunction("OPERATOR_ROLE")();
        for (const relayer of [first, second]) expect(await market.getFunction("hasRole")(role, relayer), relayer).toBe(true);
      } finally {
        provider.destroy();
      }

      // Worker 2 killed: it comes back with the same key.
      const pid = Number((await outputMatch(launcher, /started the worker 2 \(pid (\d+)\)/))[1]);
      const mark = launcher.output().length;
      process.kill(pid, "SIGKILL");
      await outputMatch(launcher, /the worker 2 exited on its own \(signal SIGKILL\)/, mark);
      await outputMatch(launcher, new RegExp(`worker 2 +│ worker ready .*relayer=${second}`), mark);
      expect(launcher.output().slice(mark)).not.toMatch(/worker 1 +│ .*shutting down/);

      const status = await runRecipeThrough(url, devWallet(4), { source: 'from "greenhouse" window last 12 readings\nmean(temperature)', title: "Two workers" });
      expect(status).toBe("done");

      expect(await launcher.interrupt()).toEqual({ code: 0, signal: null });
      expect(launcher.output()).toMatch(/worker 1 +│ worker closed/);
      expect(launcher.output()).toMatch(/worker 2 +│ worker closed/);
    } finally {
      if (launcher.child.exitCode === null) launcher.child.kill("SIGKILL");
    }
  });
});
