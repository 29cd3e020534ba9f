/**
 * The run processor: one signed run request → a started run → steps to its end → result handles.
 *
 * 1. Find the run: the job's own record, else the contract's `runIdOf(digest)` (a previous attempt,
 *    or another worker, may have started it before dying).
 * 2. If there is none: check the buyer's signature, compile the recipe against the dataset, check
 *    that it is the program the buyer signed, and start the run with `startRunFor`.
 * 3. Step it to the end from the on-chain cursor ({@link stepRunToEnd}).
 * 4. Return the result handles (allowed to the buyer alone) and every transaction of the run.
 */
import type { Job } from "bullmq";
import type { MarketGateway, ProgramOp } from "../chain/market-gateway";
import { runRequestDigest } from "../consent";
import { RunRejectedError } from "../errors";
import type { JobName, JobResult, MarketRef, RunJobData, RunProgress, RunResult, RunState } from "../job-schemas";
import { compileProgram } from "../recipe-compiler";
import type { ProcessorContext } from "../run-worker";
import type { TransactionSender } from "../tx-sender";
import { finishedRunResult, saveState, stepRunToEnd, throwIfCancelled } from "./step-run";
import type { RunQueue } from "../queues";

/** What the run processor works with. */
export interface RunProcessorDeps {
  gateway: MarketGateway;
  sender: TransactionSender;
  /** The market this worker serves; jobs signed for another are rejected. */
  market: MarketRef;
  /** The queue, to see a buyer's cancellation between steps (none: runs cannot be cancelled). */
  runs?: Pick<RunQueue, "isCancelRequested">;
}

/** Rejects a job signed for another market or chain than the one this worker serves. */
export function assertSameMarket(served: MarketRef, signedFor: MarketRef): void {
  if (served.chainId !== signedFor.chainId || served.address.toLowerCase() !== signedFor.address.toLowerCase()) {
    throw new RunRejectedError({
      code: "REQUEST_MISMATCH",
      reason: `The request is signed for market ${signedFor.address} on chain ${signedFor.chainId}; this worker serves ${served.address} on chain ${served.chainId}`,
    });
  }
}

async function progress(job: Job<RunJobData, JobResult, JobName>, value: RunProgress): Promise<void> {
  await job.updateProgress(value);
}

/** Creates the processor of `run` jobs. */
export function createRunProcessor(deps: RunProcessorDeps) {
  const { gateway, sender } = deps;

  return async function processRun({ job, data, signal, logger }: ProcessorContext<RunJobData>): Promise<RunResult> {
    assertSameMarket(deps.market, data.market);
    const { request, signature, recipe } = data;
    const state: RunState = { txHashes: [], ...data.state };
    const digest = runRequestDigest({ market: data.market, request });
    const cancelRequested = deps.runs ? () => deps.runs!.isCancelRequested(job.id ?? digest) : undefined;
    await progress(job, { phase: "planning", step: 0, of: 0 });

    let runId = state.runId ? BigInt(state.runId) : await gateway.runIdOf(digest);
    let ops: readonly ProgramOp[] | undefined;

    if (runId === 0n) {
      const signed = await gateway.checkRunRequestSignature({ market: data.market, request, signature });
      if (!signed.ok) throw new RunRejectedError({ code: "BAD_SIGNATURE", reason: `The run was refused: ${signed.reason}` });

      const dataset = await gateway.datasetInfo(BigInt(request.datasetId));
      const compiled = compileProgram({ recipe, dataset });
      if (!compiled.ok) throw new RunRejectedError({ code: "RECIPE_INVALID", reason: compiled.reason });
      if (compiled.programHash.toLowerCase() !== request.programHash.toLowerCase()) {
        throw new RunRejectedError({
          code: "REQUEST_MISMATCH",
          reason: `The recipe compiles to program ${compiled.programHash}, but the buyer signed program ${request.programHash}`,
        });
      }
      ops = compiled.ops;

      await throwIfCancelled({ cancelRequested, done: 0, total: 0 });
      await progress(job, { phase: "starting", step: 0, of: 0 });
      try {
        const sent = await sender.send({ action: "starting the run", tx: gateway.startRunForTx({ request, ops, signature }), signal });
        runId = gateway.runIdFromReceipt(sent.receipt);
        state.txHashes.push(sent.hash);
      } catch (error) {
        // Another worker holding the same job (after a takeover) may have started it first: the
        // nonce is then used and runIdOf knows the run.
        runId = await gateway.runIdOf(digest);
        if (runId === 0n) throw error;
        logger.warn({ runId: runId.toString() }, "run was started by another attempt");
      }
      state.runId = runId.toString();
      await saveState(job, state);
      logger.info({ runId: state.runId }, "run started");
    } else if (!state.runId) {
      state.runId = runId.toString();
      await saveState(job, state);
      logger.info({ runId: state.runId }, "continuing a run started by an earlier attempt");
    }

    const started = await gateway.runInfo(runId);
    ops ??= await gateway.program(started.programHash);
    const { run, total } = await stepRunToEnd({ runId, ops, gateway, sender, job, state, signal, logger, ...(cancelRequested && { cancelRequested }) });
    const result = await finishedRunResult({ run, ops, steps: total, gateway });
    await progress(job, { phase: "done", step: total, of: total, runId: result.runId, txHash: result.txHashes.at(-1) });
    return result;
  };
}
