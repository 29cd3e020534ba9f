/**
 * A child process `npm start` keeps running: when it exits on its own (a crash, `kill -9`, an
 * out-of-memory kill) it is started again after a wait that grows with each crash in a row, and
 * the log says how it ended and when it comes back; when restarts keep failing
 * (restart-policy.ts) the supervisor gives up and says so, and the launcher stops everything.
 */
import type { ConsoleLog } from "./console-log";
import type { ManagedProcess } from "./child-process";
import { RESTART_POLICY, decideRestart, describeExit, formatDuration, type RestartPolicy } from "./restart-policy";

/** A supervised child: the process running now, restarted after each crash. */
export class SupervisedProcess {
  readonly name: string;
  readonly #start: () => ManagedProcess;
  readonly #log: ConsoleLog;
  readonly #policy: RestartPolicy;
  readonly #onGiveUp: (reason: string) => void;
  readonly #restartWhile: () => boolean;
  #current!: ManagedProcess;
  #crashesInARow = 0;
  #restarts = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #gaveUp: string | undefined;

  /**
   * Starts the first process. `start` starts one (a new one each call); `onGiveUp` receives the
   * sentence saying why restarts stopped (the launcher stops everything with it); no restart
   * happens once `restartWhile` says false (the launcher is shutting down).
   */
  constructor(options: {
    name: string;
    start: () => ManagedProcess;
    log: ConsoleLog;
    onGiveUp: (reason: string) => void;
    restartWhile?: () => boolean;
    policy?: RestartPolicy;
  }) {
    this.name = options.name;
    this.#start = options.start;
    this.#log = options.log;
    this.#policy = options.policy ?? RESTART_POLICY;
    this.#onGiveUp = options.onGiveUp;
    this.#restartWhile = options.restartWhile ?? (() => true);
    this.#launch();
  }

  /** The process running now (or the last one, between a crash and its restart). */
  get current(): ManagedProcess {
    return this.#current;
  }

  /** Why the supervisor gave up, once it has. */
  get gaveUp(): string | undefined {
    return this.#gaveUp;
  }

  /** How many times the process was started again. */
  get restarts(): number {
    return this.#restarts;
  }

  /** True between a crash and the restart it waits for. */
  get restartPending(): boolean {
    return this.#timer !== undefined;
  }

  /** Stops the process (SIGTERM, SIGKILL after `timeoutMs`) and any restart to come. */
  async stop(timeoutMs?: number): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#current.stop(timeoutMs);
  }

  #launch(): void {
    const child = this.#start();
    const startedAt = performance.now();
    this.#current = child;
    this.#log.info("launcher", `started the ${this.name} (pid ${child.pid ?? "unknown"})`);
    void child.exited.then((exit) => {
      if (this.#stopping || !this.#restartWhile()) return;
      const uptimeMs = performance.now() - startedAt;
      const decision = decideRestart({ policy: this.#policy, crashesInARow: this.#crashesInARow, uptimeMs });
      this.#crashesInARow = decision.crashesInARow;
      if (decision.kind === "give-up") {
        this.#gaveUp =
          `the ${this.name} keeps crashing: it exited ${decision.crashesInARow} times in a row, each within ` +
          `${formatDuration(this.#policy.healthyAfterMs)} of starting (last: ${describeExit(exit)}); giving up`;
        this.#log.error("launcher", `${this.#gaveUp} and stopping everything (its own lines above say why)`);
        this.#onGiveUp(this.#gaveUp);
        return;
      }
      this.#log.warn(
        "launcher",
        `the ${this.name} exited on its own (${describeExit(exit)}) after ${formatDuration(uptimeMs)}; restarting it in ` +
          `${formatDuration(decision.delayMs)} (crash ${decision.crashesInARow} in a row; npm start stops at ${this.#policy.maxCrashesInARow})`,
      );
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (this.#stopping || !this.#restartWhile()) return;
        this.#restarts += 1;
        this.#launch();
      }, decision.delayMs);
    });
  }
}
