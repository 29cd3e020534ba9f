/**
 * The child processes `npm start` runs (the worker, the workbench service, a private Redis), with
 * their output line by line on the launcher's console and a stop that escalates from SIGTERM to
 * SIGKILL.
 *
 * Children get their own process group (`detached`), so that a Ctrl-C in the terminal reaches the
 * launcher alone and the launcher stops them in order: the processes that use the chain first,
 * then the chain and Redis. If the launcher dies abruptly, `killAllChildren` (on its `exit`)
 * takes them down with it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { ConsoleLog } from "./console-log";

/** How a child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<ChildProcess>();

/** SIGKILLs every child still running (synchronous: for the launcher's own `exit`). */
export function killAllChildren(): void {
  for (const child of running) {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** A started child process. */
export class ManagedProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly exited: Promise<ChildExit>;
  #lines: ((line: string) => void)[] = [];

  constructor(options: { name: string; command: string; args: string[]; env: NodeJS.ProcessEnv; cwd: string; log: ConsoleLog }) {
    this.name = options.name;
    this.#child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    running.add(this.#child);
    for (const stream of [this.#child.stdout!, this.#child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        options.log.child(options.name, line);
        for (const listener of this.#lines) listener(line);
      });
    }
    this.exited = new Promise((resolve) => {
      this.#child.once("error", (err) => {
        options.log.error(options.name, `could not start ${options.command}: ${err.message}`);
        running.delete(this.#child);
        resolve({ code: 127, signal: null });
      });
      this.#child.once("exit", (code, signal) => {
        running.delete(this.#child);
        resolve({ code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** True once the process has exited. */
  get hasExited(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null || !running.has(this.#child);
  }

  /** Resolves with the first output line that `predicate` accepts. */
  waitForLine(predicate: (line: string) => boolean): Promise<string> {
    return new Promise((resolve) => {
      const listener = (line: string) => {
        if (!predicate(line)) return;
        this.#lines = this.#lines.filter((l) => l !== listener);
        resolve(line);
      };
      this.#lines.push(listener);
    });
  }

  /**
   * SIGTERM (the child's graceful shutdown), then SIGKILL to its whole group after `timeoutMs`.
   * Resolves once it has exited.
   */
  async stop(timeoutMs = 15_000): Promise<ChildExit> {
    if (this.hasExited) return this.exited;
    this.#signal("SIGTERM");
    const timer = setTimeout(() => this.#signal("SIGKILL", true), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  #signal(signal: NodeJS.Signals, group = false): void {
    const pid = this.#child.pid;
    if (!pid) return;
    try {
      process.kill(group ? -pid : pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * A TypeScript entry (relative to `root`) run from source by Node with tsx's loader: one process,
 * whose pid is the program's (the `tsx` command would start node as a child of its own).
 */
export function spawnNodeEntry(options: { name: string; entry: string; root: string; env: NodeJS.ProcessEnv; log: ConsoleLog }): ManagedProcess {
  return new ManagedProcess({
    name: options.name,
    command: process.execPath,
    args: ["--import", "tsx", options.entry],
    env: options.env,
    cwd: options.root,
    log: options.log,
  });
}
