/**
 * What `npm start` has to undo, in the reverse order of starting: each phase pushes the stop of
 * what it started, and one unwind runs them last-in first-out. A resource that finishes starting
 * after the unwind began is stopped at once and the phase that started it is cancelled, so nothing
 * outlives a Ctrl-C pressed half-way through the start.
 */
import type { ConsoleLog } from "./console-log";

/** Thrown into a start phase once the unwind has begun: the start stops quietly. */
export class Cancelled extends Error {
  override readonly name = "Cancelled";
}

/** One thing to undo: a sentence for the log and the undoing. */
interface CleanupStep {
  what: string;
  run: () => Promise<unknown>;
}

/** A last-in first-out stack of stops, unwound once. */
export class CleanupStack {
  readonly #log: ConsoleLog;
  readonly #steps: CleanupStep[] = [];
  #unwound: Promise<void> | undefined;

  constructor(options: { log: ConsoleLog }) {
    this.#log = options.log;
  }

  /** Whether the unwind has begun (a start phase must not start anything more). */
  get unwinding(): boolean {
    return this.#unwound !== undefined;
  }

  /**
   * Registers a started resource's stop; when the unwind has already begun, stops it at once and
   * throws `Cancelled`.
   */
  async push(what: string, run: () => Promise<unknown>): Promise<void> {
    if (this.#unwound) {
      await run().catch(() => undefined);
      throw new Cancelled();
    }
    this.#steps.push({ what, run });
  }

  /** Throws `Cancelled` when the unwind has begun: a start phase calls it between slow steps. */
  checkpoint(): void {
    if (this.#unwound) throw new Cancelled();
  }

  /**
   * Runs every registered stop, newest first, each once; a stop that fails is logged and the
   * others still run. Later calls return the first unwind.
   */
  unwind(): Promise<void> {
    this.#unwound ??= (async () => {
      for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
        this.#log.info("launcher", `${step.what}…`);
        try {
          await step.run();
        } catch (err) {
          this.#log.warn("launcher", `${step.what} failed: ${(err as Error).message}`);
        }
      }
    })();
    return this.#unwound;
  }
}
