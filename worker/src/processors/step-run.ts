/**
 * Drives a started run to its end from the on-chain cursor: the part the run and report processors
 * share, and what makes them crash safe. Nothing here trusts local memory about how far the run
 * got: each step is planned from the cursor the chain reports, so a second worker that picks the
 * job up after a crash (or a concurrent one that raced it) continues the same run to the same
 * result.
 */
import type { Job } from "bullmq";
import type { Logger } from "pino";
import type { MarketGateway, ProgramOp, RunView } from "../chain/market-gateway";
import { RunRejectedError } from "../errors";
import type { JobName, JobResult, RunProgress, RunResult, RunState } from "../job-schemas";
import { planStepSizes } from "../recipe-compiler";
import { throwIfReleased } from "../run-worker";
import type { TransactionSender } from "../tx-sender";

/** What {@link stepRunToEnd} needs. */
export interface StepRunOptions {
  runId: bigint;
  /** The run's program (from the recipe, or the contract's program store). */
  ops: readonly ProgramOp[];
  gateway: MarketGateway;
  sender: TransactionSender;
  job: Job<{ state?: RunState }, JobResult, JobName>;
  /** This job's state so far; updated and written back with `job.updateData` after each step. */
  state: RunState;
  signal: AbortSignal;
  logger: Logger;
  /** Whether the buyer asked to cancel the run; asked before every step. */
  cancelRequested?: () => Promise<boolean>;
}

/** Stops a run the buyer cancelled, between two transactions (nothing is sent after this). */
export async function throwIfCancelled(options: { cancelRequested?: () => Promise<boolean>; done: number; total: number }): Promise<void> {
  if (!(await options.cancelRequested?.())) return;
  const reason =
    options.total === 0
      ? "You cancelled the run before it started; nothing was sent."
      : options.done === 0
      ? "You cancelled the run before its first step; the contract run stays unfinished and nothing more is sent."
      : `You cancelled the run after step ${options.done} of ${options.total}; the contract run stays unfinished and nothing more is sent.`;
  throw new RunRejectedError({ code: "CANCELLED", reason });
}

/** Writes the job's state so that a later attempt knows the run id and the transactions sent. */
export async function saveState(job: StepRunOptions["job"], state: RunState): Promise<void> {
  await job.updateData({ ...job.data, state: { ...state, txHashes: [...state.txHashes] } });
}

/**
 * The step sizes the contract will accept: the planner's, checked once against the contract's own
 * `maxStepSize`. If they disagree the contract wins (and the mismatch is logged, since it means
 * recipes/ and contracts/ drifted apart).
 */
async function stepSizer(options: Pick<StepRunOptions, "ops" | "gateway" | "logger">) {
  const [full, last] = await Promise.all([
    options.gateway.maxStepSize(options.ops, false),
    options.gateway.maxStepSize(options.ops, true),
  ]);
  const planner = (remaining: number) => planStepSizes({ ops: options.ops, remaining });
  // A program with no per-reading cost (COUNT only) has no bound: one step of any size.
  if (full >= BigInt(Number.MAX_SAFE_INTEGER)) return planner;
  const probe = planner(Number(full) + 1);
  const lastFits = planner(Number(last)).length === 1 && planner(Number(last) + 1).length >= 2;
  if (probe[0] === Number(full) && lastFits) return planner;
  options.logger.warn({ contract: { full, last }, planner: probe }, "planner step sizes differ from the contract's; using the contract's");
  return (remaining: number) => {
    const sizes: number[] = [];
    let left = remaining;
    while (left > Number(last)) {
      const size = Math.min(Number(full), left - 1);
      sizes.push(size);
      left -= size;
    }
    if (left > 0) sizes.push(left);
    return sizes;
  };
}

/**
 * Sends `step` transactions until the run is finished, reporting "step i of n" after each one, and
 * returns the finished run. Between steps it stops (JobReleasedError) if the job was asked to.
 */
export async function stepRunToEnd(options: StepRunOptions): Promise<{ run: RunView; total: number }> {
  const { runId, gateway, sender, job, state, signal, logger } = options;
  let run = await gateway.runInfo(runId);
  const sizes = await stepSizer(options);
  const total = sizes(Number(run.toIndex - run.fromIndex)).length;

  while (!run.finished) {
    throwIfReleased(signal);
    const remaining = sizes(Number(run.toIndex - run.cursor));
    const n = BigInt(remaining[0]!);
    const stepNumber = total - remaining.length + 1;
    await throwIfCancelled({ cancelRequested: options.cancelRequested, done: stepNumber - 1, total });
    const action = `step ${stepNumber} of ${total} of run ${runId}`;
    let txHash: string;
    try {
      const finalizes = remaining.length === 1;
      const gasKey = `step:${gateway.address}:${run.programHash}:${n}:${finalizes}`;
      const sent = await sender.send({ action, tx: gateway.stepTx({ runId, n }), signal, gasKey });
      txHash = sent.hash;
      logger.info(
        { runId: runId.toString(), step: stepNumber, of: total, n: Number(n), txHash, gasUsed: sent.receipt.gasUsed.toString() },
        "step sent",
      );
    } catch (error) {
      // If the cursor moved meanwhile, another worker stepped this run too (a takeover that raced
      // a slow worker): the rejection is about a stale step size. Re-plan from the new cursor.
      if (error instanceof RunRejectedError) {
        const now = await gateway.runInfo(runId);
        if (now.cursor !== run.cursor || now.finished) {
          logger.warn({ runId: runId.toString(), from: run.cursor.toString(), to: now.cursor.toString() }, "run advanced elsewhere; re-planning");
          run = now;
          continue;
        }
      }
      throw error;
    }
    state.txHashes.push(txHash);
    await saveState(job, state);
    await job.updateProgress({ phase: "stepping", step: stepNumber, of: total, txHash, runId: runId.toString() } satisfies RunProgress);
    run = await gateway.runInfo(runId);
  }
  return { run, total };
}

/** The result of a finished run: its handles, every transaction of it, its window with times. */
export async function finishedRunResult(options: {
  run: RunView;
  ops: readonly ProgramOp[];
  steps: number;
  gateway: MarketGateway;
}): Promise<RunResult> {
  const { run, gateway } = options;
  const [handles, txHashes, timestamps] = await Promise.all([
    gateway.runResults(run.runId),
    gateway.runTransactions(run.runId),
    gateway.readingTimestamps(run.datasetId),
  ]);
  const fromTime = timestamps[Number(run.fromIndex)];
  const toTime = timestamps[Number(run.toIndex) - 1];
  return {
    runId: run.runId.toString(),
    datasetId: run.datasetId.toString(),
    buyer: run.buyer,
    programHash: run.programHash,
    ops: options.ops.map((op) => ({
      kind: op.kind,
      cmp: op.cmp,
      a: op.a.toString(),
      b: op.b.toString(),
      bounds: op.bounds.map(String),
    })),
    window: {
      fromIndex: run.fromIndex.toString(),
      toIndex: run.toIndex.toString(),
      ...(fromTime === undefined ? {} : { fromTime }),
      ...(toTime === undefined ? {} : { toTime }),
    },
    handles,
    txHashes,
    steps: options.steps,
    finishedAt: Date.now(),
  };
}
