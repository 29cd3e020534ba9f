/**
 * Test support: the workbench service as its own process (workbench/server/main.ts from source
 * under node with tsx's loader, as npm start and Compose run it), so that a test can run several
 * instances side by side and kill one the way an operating system would. The pid held is node's own.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort } from "@iotdm/contracts-client/local-chain";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..", "..");

/** A running service instance. */
export interface ServiceProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Its last log lines (JSON), for failure messages. */
  output(): string;
  /** Resolves once /api/ready answers 200; rejects if the process exits first or after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  /** Sends `signal` unless it already exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a service instance on a free loopback port with `env` (the service's variables). */
export async function spawnService(options: { env: Record<string, string> }): Promise<ServiceProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", path.join("workbench", "server", "main.ts")], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(port), UI_DIR: "/nonexistent-ui", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-50_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    url,
    exited,
    output: () => output,
    async ready(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the service exited before it was ready:\n${output.slice(-4000)}`);
        const ok = await fetch(`${url}/api/ready`).then((r) => r.ok, () => false);
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`the service was not ready after ${timeoutMs / 1000} s:\n${output.slice(-4000)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
