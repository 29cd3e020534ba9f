/**
 * What a cell is doing, as a closed union, and the snapshot of its latest execution. Statuses move
 * idle → queued → running → decrypting → done, or to error from any busy status; a new run starts
 * again from queued.
 */
import type { RunDto } from "../api/runs-api";
import type { PlanNote, StatisticResult } from "../lib/recipes";

/** The status of a cell (JupyterLab's execution states, plus decrypting for encrypted results). */
export type CellStatus = "idle" | "queued" | "running" | "decrypting" | "done" | "error";

/** Every status, in lifecycle order. */
export const CELL_STATUSES = ["idle", "queued", "running", "decrypting", "done", "error"] as const satisfies readonly CellStatus[];

/** Progress of the run's transactions. */
export interface RunProgress {
  /** Transactions done (the start transaction counts). */
  step: number;
  /** Transactions in all. */
  of: number;
  phase?: string;
}

/** The latest execution of a cell; replaced whole on every change. */
export interface CellExecution {
  readonly status: CellStatus;
  /** The service's run id, once submitted. */
  readonly runId?: string;
  readonly progress?: RunProgress;
  /** Transaction hashes seen so far. */
  readonly txHashes: readonly string[];
  /** Decrypted, interpreted results (kept in this browser only). */
  readonly results?: readonly StatisticResult[];
  /** How the plan differs from what the recipe literally says (window alignment…). */
  readonly notes?: readonly PlanNote[];
  /** The window the run covered. */
  readonly window?: { fromIndex: number; toIndex: number; firstTimestamp?: number; lastTimestamp?: number };
  /** Why it failed, in words; `hint` says what to do. */
  readonly error?: { message: string; hint?: string; code?: string };
  /** This page's first decryption is under way (it loads the fhevm library and makes a key pair first). */
  readonly firstDecryption?: boolean;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /**
   * A run made before this page was opened (the cell's history): its results are on-chain handles
   * that this browser decrypts only when asked (the wallet signs the decryption request).
   */
  readonly restored?: RunDto;
}

/** A cell that never ran. */
export const IDLE: CellExecution = Object.freeze({ status: "idle", txHashes: [] });

/** Whether a run is in flight (the cell cannot run again until it ends). */
export function isBusy(status: CellStatus): boolean {
  return status === "queued" || status === "running" || status === "decrypting";
}

/** Whether the run ended because the buyer cancelled it. */
export function isCancelled(execution: CellExecution): boolean {
  return execution.status === "error" && execution.error?.code === "CANCELLED";
}

/** The status line of a cell, e.g. "Running — step 2 of 5". */
export function statusText(execution: CellExecution): string {
  switch (execution.status) {
    case "idle":
      return "";
    case "queued":
      return "Queued";
    case "running": {
      const p = execution.progress;
      return p && p.of > 0 ? `Running — step ${Math.min(p.step, p.of)} of ${p.of}` : "Running";
    }
    case "decrypting":
      return execution.firstDecryption
        ? "Decrypting in your browser — the first time, it loads the fhevm library and makes your key pair (usually under a minute; a few minutes on a slow machine)"
        : "Decrypting in your browser";
    case "done":
      return "Done";
    case "error":
      return isCancelled(execution) ? "Cancelled" : "Failed";
  }
}

/** The next execution after an event, keeping what earlier events established. */
export function advance(current: CellExecution, change: Partial<CellExecution> & { status: CellStatus }): CellExecution {
  const txHashes = change.txHashes ?? current.txHashes;
  return { ...current, ...change, txHashes: [...new Set(txHashes)] };
}
