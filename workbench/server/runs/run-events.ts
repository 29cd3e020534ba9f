import { EventEmitter } from "node:events";

/**
 * What a run's event stream says, in order: it was queued; it started on-chain (`running`); each
 * `step` transaction; then `done` (with the result handles) or `failed` (with the reason).
 * `ordinal` orders them (queued 0, running 1, step i → 1 + i, the end last) and is the SSE event
 * id, so a reconnecting browser (Last-Event-ID) gets only what it missed.
 */
export type RunStreamEvent =
  | { type: "queued"; ordinal: 0; data: { runId: string; createdAt: string } }
  | { type: "running"; ordinal: 1; data: { runId: string; chainRunId: string | null; stepsTotal: number | null; startedAt: string | null } }
  | { type: "step"; ordinal: number; data: { runId: string; step: number; of: number | null; txHash: string | null } }
  | { type: "done" | "failed"; ordinal: typeof FINAL_ORDINAL; data: Record<string, unknown> };

/** The ordinal of the last event (done or failed): after every step. */
export const FINAL_ORDINAL = Number.MAX_SAFE_INTEGER;

/**
 * In-process fan-out of run events, from the queue-events recorder (which writes them to the store
 * first) to the open event streams of this instance. Every instance has its own recorder, so each
 * instance's streams hear every run.
 */
export class RunEventBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    // One listener per open stream: many browsers may follow runs at once.
    this.#emitter.setMaxListeners(0);
  }

  /** Delivers `event` to the streams following run `runId`. */
  publish(runId: string, event: RunStreamEvent): void {
    this.#emitter.emit(runId, event);
  }

  /** Calls `listener` with run `runId`'s events until the returned function is called. */
  subscribe(runId: string, listener: (event: RunStreamEvent) => void): () => void {
    this.#emitter.on(runId, listener);
    return () => this.#emitter.off(runId, listener);
  }
}
