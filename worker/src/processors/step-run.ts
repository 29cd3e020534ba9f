/**
 * Drives a started run to its end from the on-chain cursor: the part the run and report processors
 * share, and what makes them crash safe. Nothing here trusts local memory about how far the run
 * got: each step is planned from the cursor the chain reports, so a second worker that picks the
 * job up after a crash (or a concurrent one that raced it) continues the same run to the same
 * result.
 */
import type { Job } from "bullmq";
import { contractOpToJSON } from "@iotdm/recipes/plan-json";
import type { Logger } from "pino";
import type { MarketGateway, ProgramOp, RunView } from "../chain/market-gateway";
import { RunRejectedError } from "../errors";
import type { JobName, JobResult, RunProgress, RunResult, RunState } from "../job-schemas";
import { noiseUnitCosts, planNoiseCalls } from "../noise-plan";
import { planRolledUpStepSizes, planStepSizes } from "../recipe-compiler";
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

/** The sizes of the steps that consume readings [from, to) of a run. */
type StepSizer = (from: number, to: number) => number[];

/**
 * The step sizes of a run: over the dataset's rollups when the contract says they serve it (the
 * planner's nodes, checked by the contract's own HCU rule on each step), else {@link readingStepSizer}.
 */
async function stepSizer(options: Pick<StepRunOptions, "ops" | "gateway" | "logger">, run: RunView): Promise<StepSizer> {
  if (!run.rolledUp) {
    const sizes = await readingStepSizer(options);
    return (from, to) => sizes(to - from);
  }
  const { rollupBlockSize } = await options.gateway.datasetInfo(run.datasetId);
  return (from, to) => planRolledUpStepSizes({ ops: options.ops, blockSize: Number(rollupBlockSize), from, to });
}

/**
 * The step sizes the contract will accept for a run over readings: the planner's, checked once
 * against the contract's own `maxStepSize`. If they disagree the contract wins (and the mismatch is
 * logged, since it means recipes/ and contracts/ drifted apart).
 */
async function readingStepSizer(options: Pick<StepRunOptions, "ops" | "gateway" | "logger">) {
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
 * Sends `step` transactions until the run's window is consumed and, on a private dataset, then
 * `addNoise` transactions until every noise draw is added (the last one releases the results),
 * reporting "step i of n" after each transaction (noise calls count as steps), and returns the
 * finished run. Between transactions it stops (JobReleasedError) if the job was asked to.
 */
export async function stepRunToEnd(options: StepRunOptions): Promise<{ run: RunView; total: number }> {
  const { runId, gateway, sender, job, state, signal, logger } = options;
  let run = await gateway.runInfo(runId);
  const sizes = await stepSizer(options, run);
  const stepCount = sizes(Number(run.fromIndex), Number(run.toIndex)).length;
  const noise = noisePlanner(options, run);
  let total = stepCount + noise.plan(0).length;

  while (!run.finished) {
    throwIfReleased(signal);
    const noising = run.cursor === run.toIndex;
    // Steps left, then the noise calls left after them.
    const remaining = noising ? [] : sizes(Number(run.cursor), Number(run.toIndex));
    const noiseLeft = noise.plan(noising ? run.noiseCursor : 0);
    const number = total - remaining.length - noiseLeft.length + 1;
    await throwIfCancelled({ cancelRequested: options.cancelRequested, done: number - 1, total });
    let txHash: string;
    try {
      if (noising) {
        const count = BigInt(noiseLeft[0] ?? run.noiseUnits - run.noiseCursor);
        const action = `noise ${run.noiseCursor + 1}–${run.noiseCursor + Number(count)} of ${run.noiseUnits} (step ${number} of ${total}) of run ${runId}`;
        const sent = await sender.send({ action, tx: gateway.addNoiseTx({ runId, count }), signal });
        txHash = sent.hash;
        logger.info(
          { runId: runId.toString(), step: number, of: total, noise: Number(count), txHash, gasUsed: sent.receipt.gasUsed.toString() },
          "noise added",
        );
      } else {
        const n = BigInt(remaining[0]!);
        const finalizes = remaining.length === 1;
        const action = `step ${number} of ${total} of run ${runId}`;
        // A rolled-up step's gas depends on its window's nodes, not only on n: estimated each time.
        const gasKey = run.rolledUp ? undefined : `step:${gateway.address}:${run.programHash}:${n}:${finalizes}`;
        const sent = await sender.send({ action, tx: gateway.stepTx({ runId, n }), signal, gasKey });
        txHash = sent.hash;
        logger.info(
          { runId: runId.toString(), step: number, of: total, n: Number(n), txHash, gasUsed: sent.receipt.gasUsed.toString() },
          "step sent",
        );
      }
    } catch (error) {
      if (error instanceof RunRejectedError) {
        // The contract says how many noise draws fit one transaction: it wins over the estimate.
        if (noising && error.contractError === "NoiseOutOfRange") {
          const maxFit = Number(error.contractArgs?.[2] ?? 0);
          if (maxFit > 0 && noise.override(maxFit)) {
            logger.warn({ runId: runId.toString(), maxFit }, "noise calls differ from the contract's; using the contract's");
            total = number - 1 + noise.plan(run.noiseCursor).length;
            continue;
          }
        }
        // If the cursor moved meanwhile, another worker stepped this run too (a takeover that raced
        // a slow worker): the rejection is about a stale step size. Re-plan from the new cursor.
        const now = await gateway.runInfo(runId);
        if (now.cursor !== run.cursor || now.noiseCursor !== run.noiseCursor || now.finished) {
          logger.warn({ runId: runId.toString(), from: run.cursor.toString(), to: now.cursor.toString() }, "run advanced elsewhere; re-planning");
          run = now;
          continue;
        }
      }
      throw error;
    }
    state.txHashes.push(txHash);
    await saveState(job, state);
    await job.updateProgress({ phase: "stepping", step: number, of: total, txHash, runId: runId.toString() } satisfies RunProgress);
    run = await gateway.runInfo(runId);
  }
  return { run, total };
}

/**
 * The `addNoise` calls of a run: none on an exact dataset; on a private one the sizes the contract's
 * cost rule gives, until the contract says otherwise (then at most its `maxFit` per call).
 */
function noisePlanner(options: Pick<StepRunOptions, "ops" | "logger">, run: RunView) {
  let costs: number[] = [];
  if (run.noiseUnits > 0) {
    try {
      costs = noiseUnitCosts({ ops: options.ops, lowerBound: run.lowerBound, upperBound: run.upperBound });
    } catch (error) {
      options.logger.warn({ err: error }, "could not estimate the run's noise calls; asking the contract");
    }
    if (costs.length !== run.noiseUnits) costs = Array.from({ length: run.noiseUnits }, () => 0);
  }
  let cap: number | undefined;
  return {
    /** The sizes of the calls that add the units from `from` on. */
    plan(from: number): number[] {
      const sizes = planNoiseCalls({ costs, from });
      if (cap === undefined) return sizes;
      const capped: number[] = [];
      for (let left = costs.length - from; left > 0; left -= cap) capped.push(Math.min(cap, left));
      return capped;
    },
    /** Caps every later call at `maxFit` units; false if that changes nothing (the contract refused it anyway). */
    override(maxFit: number): boolean {
      if (cap !== undefined && maxFit >= cap) return false;
      cap = maxFit;
      return true;
    },
  };
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
    ops: options.ops.map(contractOpToJSON),
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
