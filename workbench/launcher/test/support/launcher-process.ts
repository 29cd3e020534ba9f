/**
 * Test support: `npm start` as the person at the terminal runs it — `tsx workbench/launcher/main.ts`
 * in its own process — with a temporary state directory, free ports and its own queue prefix, so
 * that it shares nothing with a developer's running instance.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Wallet } from "ethers";
import { Redis } from "ioredis";
import { signInOverHttp } from "../../../server/test/support/sign-in";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..", "..");

/** The variables a test launch shares across its starts. */
export interface LaunchSettings {
  stateDir: string;
  port: number;
  chainPort: number;
  queuePrefix: string;
}

/** A running `npm start`. */
export interface LauncherProcess {
  child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
  /** The URL of the ready banner; rejects if the launcher exits first or after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<string>;
  /** Sends SIGINT (Ctrl-C) to the launcher's process and resolves with how it exited. */
  interrupt(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the launcher with `args` (e.g. `["--fresh"]`); a variable of `env` set to undefined is left out (the launcher's default). */
export function startLauncher(settings: LaunchSettings, args: string[] = [], env: Record<string, string | undefined> = {}): LauncherProcess {
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), ["workbench/launcher/main.ts", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NO_COLOR: "1",
      PORT: String(settings.port),
      CHAIN_PORT: String(settings.chainPort),
      STATE_DIR: settings.stateDir,
      QUEUE_PREFIX: settings.queuePrefix,
      // Keep the test short: an hour of history, no UI build (the UI has its own tests).
      DEMO_HISTORY_HOURS: "1",
      UI_BUILD: "never",
      SIMULATOR_RATE: "1",
      ...env,
    },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const withTimeout = <T>(promise: Promise<T>, ms: number, what: string) =>
    Promise.race([
      promise,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s; output so far:\n${output.slice(-6000)}`)), ms).unref()),
    ]);

  return {
    child,
    output: () => output,
    exited,
    ready(timeoutMs = 150_000) {
      const banner = new Promise<string>((resolve, reject) => {
        const check = () => {
          // The whole banner: it may reach this pipe in more than one chunk, its closing rule last.
          const match = /workbench is ready: (http:\/\/\S+)[\s\S]*\n─{20,}\n/.exec(output);
          if (match) return resolve(match[1]!);
          if (child.exitCode !== null) return reject(new Error(`npm start exited with ${child.exitCode} before it was ready:\n${output.slice(-6000)}`));
          setTimeout(check, 200);
        };
        check();
      });
      return withTimeout(banner, timeoutMs, "npm start");
    },
    async interrupt(timeoutMs = 60_000) {
      child.kill("SIGINT");
      return withTimeout(exited, timeoutMs, "stopping npm start");
    },
  };
}

/**
 * Runs `source` on dataset 1 through the launched workbench at `url` as the buyer does in the
 * notebook — sign in, a notebook and a cell, plan, sign the request, submit — and resolves with the
 * run's status once it is final (done or error), or the last one seen after `timeoutMs`.
 */
export async function runRecipeThrough(url: string, buyer: Wallet, options: { source: string; title: string; timeoutMs?: number }): Promise<string> {
  const token = await signInOverHttp(url, buyer);
  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${url}/api${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await response.json()) as Record<string, any>;
    if (!response.ok) throw new Error(`${method} ${route}: HTTP ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const { source } = options;
  const notebook = await api("POST", "/notebooks", { title: options.title });
  const cell = await api("POST", `/notebooks/${notebook.id}/cells`, { kind: "recipe", source, datasetId: "1" });
  const plan = await api("POST", "/runs/plan", { datasetId: "1", source });
  const signature = await buyer.signTypedData(plan.typedData.domain, plan.typedData.types, plan.request);
  const run = await api("POST", "/runs", { notebookId: notebook.id, cellId: cell.id, datasetId: "1", source, request: plan.request, signature });
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let status = run.status as string;
  while (!["done", "error"].includes(status) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    status = (await api("GET", `/runs/${run.id}`)).status;
  }
  return status;
}

/** Removes the test's queue from Redis (the launcher ran against the machine's Redis). */
export async function removeQueue(options: { redisUrl: string; prefix: string }): Promise<void> {
  // BullMQ's keys and the schedule store's beside them all start with the prefix.
  const client = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const keys = await client.keys(`${options.prefix}:*`);
    if (keys.length > 0) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}
