/**
 * When `npm start` restarts a child that exited on its own, and when it gives up: each crash in a
 * row waits twice as long as the one before (1 s, 2 s, 4 s, 8 s, at most 30 s); a child that ran a
 * minute before it crashed was healthy, so its crash starts a new series; the fifth crash in a row
 * means restarts keep failing (a configuration error, a missing service) and the launcher stops.
 */
import type { ChildExit } from "./child-process";

/** How a supervised child is restarted. */
export interface RestartPolicy {
  /** The wait before the first restart of a series; doubled for each further crash in a row. */
  firstDelayMs: number;
  /** The longest wait. */
  maxDelayMs: number;
  /** A child that ran this long before it exited was healthy: its crash starts a new series. */
  healthyAfterMs: number;
  /** Crashes in a row (none after a healthy run) at which the supervisor gives up. */
  maxCrashesInARow: number;
}

/** npm start's policy for the worker and the service. */
export const RESTART_POLICY: RestartPolicy = { firstDelayMs: 1_000, maxDelayMs: 30_000, healthyAfterMs: 60_000, maxCrashesInARow: 5 };

/** What to do after a child exited on its own. */
export type RestartDecision = { kind: "restart"; crashesInARow: number; delayMs: number } | { kind: "give-up"; crashesInARow: number };

/**
 * Decides on a crash: `crashesInARow` is the count before this one, `uptimeMs` how long the child
 * that just exited had run.
 */
export function decideRestart(options: { policy: RestartPolicy; crashesInARow: number; uptimeMs: number }): RestartDecision {
  const { policy } = options;
  const crashesInARow = (options.uptimeMs >= policy.healthyAfterMs ? 0 : options.crashesInARow) + 1;
  if (crashesInARow >= policy.maxCrashesInARow) return { kind: "give-up", crashesInARow };
  return { kind: "restart", crashesInARow, delayMs: Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (crashesInARow - 1)) };
}

/** `code 1` or `signal SIGKILL`: how a child ended, for the log. */
export function describeExit(exit: ChildExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** A duration for the log: `800 ms`, `2 s`, `12.5 s`, `3.2 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms >= 120_000) return `${(ms / 60_000).toFixed(1)} min`;
  const seconds = ms / 1_000;
  return `${Number.isInteger(seconds) || seconds >= 100 ? Math.round(seconds) : seconds.toFixed(1)} s`;
}
