/**
 * Test and benchmark support: one of this repository's entries (the worker, the workbench service,
 * ...) as its own process, the way `npm start` and Compose run it — from source under node with
 * tsx's loader — so that a test can run several side by side and kill one the way an operating
 * system would. The pid held is node's own, not a wrapper's. The worker's and the service's test
 * spawners and the benchmarks' service are this with their own environment and readiness.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** An entry running as its own process. */
export interface SourceProcess {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<ProcessExit>;
  /** Whether it has exited already. */
  hasExited(): boolean;
  /** Its last output (standard output and error), for failure messages. */
  output(): string;
  /** Sends `signal` (default SIGTERM) unless it already exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<ProcessExit>;
}

/**
 * Starts `entry` (a path from the repository's root) with exactly `env` besides PATH and HOME: a
 * child inherits nothing else of the test's environment. `output()` keeps the last `outputLimit`
 * characters (default 20,000); `onOutput` sees each new chunk with the end of what came before it
 * (a line may arrive in two chunks), e.g. to notice a "ready" log line.
 */
export function spawnSourceProcess(options: {
  entry: string;
  env: NodeJS.ProcessEnv;
  nodeFlags?: string[];
  outputLimit?: number;
  onOutput?: (text: string, before: string) => void;
}): SourceProcess {
  const outputLimit = options.outputLimit ?? 20_000;
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), "--import", "tsx", options.entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    options.onOutput?.(text, output.slice(-200));
    output = (output + text).slice(-outputLimit);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<ProcessExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    exited,
    hasExited,
    output: () => output,
    async stop(signal = "SIGTERM") {
      if (!hasExited()) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Resolves once `url` answers 2xx (polling every `intervalMs`); rejects, with the process's last
 * output, when the process exits first or after `timeoutMs`.
 */
export async function waitUntilAnswers(process: SourceProcess, options: { url: string; what: string; timeoutMs: number; intervalMs?: number }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (process.hasExited()) throw new Error(`${options.what} exited before it was ready:\n${process.output().slice(-4000)}`);
    if (await fetch(options.url).then((r) => r.ok, () => false)) return;
    if (Date.now() > deadline) throw new Error(`${options.what} was not ready after ${options.timeoutMs / 1000} s:\n${process.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}
