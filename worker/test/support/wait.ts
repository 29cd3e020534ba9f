/**
 * Test support: polling until a condition holds, with a readable timeout.
 */
import type { RunQueue, RunState, RunStatus } from "../../src/queues";

/** Polls `probe` every `intervalMs` until it returns a value other than undefined. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? "condition"}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

/** Waits until job `jobId` is in one of `states` (default: completed or failed). */
export function waitForJob(
  runs: RunQueue,
  jobId: string,
  options: { states?: RunState[]; timeoutMs?: number } = {},
): Promise<RunStatus> {
  const states = options.states ?? ["completed", "failed"];
  return waitFor(
    async () => {
      const status = await runs.getRun(jobId);
      return status && states.includes(status.state) ? status : undefined;
    },
    { timeoutMs: options.timeoutMs, what: `job ${jobId} to be ${states.join(" or ")}` },
  );
}
