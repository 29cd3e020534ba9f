/**
 * The report processor: one tick of a recurring report's job scheduler → one scheduled run over
 * the readings since the previous report → a report kept for the buyer.
 *
 * The chain is the source of truth for where the schedule stands (`standingAuthorizationState`:
 * runs so far, the latest run, where the next window starts, revocation), so a tick:
 * 1. finishes and reports the schedule's latest run if it is unfinished or unreported (a previous
 *    tick died mid-run): that is this tick's report;
 * 2. ends the schedule when the authorization is revoked, expired or used up;
 * 3. waits (moves itself to delayed) when the cadence does not allow a run yet;
 * 4. plans the window since the previous report; with less than one whole bucket of new readings it
 *    completes as skipped (a skipped tick does not count towards maxRuns);
 * 5. starts the run with `startScheduledRun`, steps it to the end and keeps the report.
 * Rejections no later tick can fix (bad signature, recipe errors, another program) end the schedule.
 */
import { DelayedError } from "bullmq";
import type { ProgramOp } from "../chain/market-gateway";
import { checkStandingAuthorizationSignature } from "../consent";
import { RunRejectedError } from "../errors";
import type { ReportJobData, ReportResult, RunProgress, RunState, SkippedReport } from "../job-schemas";
import type { RunQueue } from "../queues";
import { planReport } from "../recipe-compiler";
import type { ProcessorContext } from "../run-worker";
import { assertSameMarket, type RunProcessorDeps } from "./run-processor";
import { finishedRunResult, saveState, stepRunToEnd } from "./step-run";

/** What the report processor works with. */
export interface ReportProcessorDeps extends RunProcessorDeps {
  /** The schedules and their reports (the producer API over the same queue). */
  runs: RunQueue;
}

/** Rejections after which no later tick can succeed: they end the schedule. */
const ENDS_SCHEDULE = new Set(["BAD_SIGNATURE", "RECIPE_INVALID", "REQUEST_MISMATCH", "SCHEDULE_GONE"]);

/** Creates the processor of `report` jobs. */
export function createReportProcessor(deps: ReportProcessorDeps) {
  const { gateway, sender, runs } = deps;

  return async function processReport(context: ProcessorContext<ReportJobData>): Promise<ReportResult | SkippedReport> {
    const { job, data, token, signal, logger } = context;
    const scheduleId = data.scheduleId;
    const skipped = (reason: string): SkippedReport => {
      logger.info({ scheduleId, reason }, "report skipped");
      return { skipped: true, scheduleId, reason };
    };
    const end = async (reason: string) => {
      logger.info({ scheduleId, reason }, "schedule ended");
      await runs.endSchedule({ id: scheduleId, reason });
    };
    /** Puts this tick back until the chain allows the next scheduled run. */
    const waitUntil = async (chainSeconds: number, now: number): Promise<never> => {
      const delayMs = Math.max(0, chainSeconds - now) * 1000 + 250;
      logger.info({ scheduleId, delayMs }, "too early for the next scheduled run; tick delayed");
      await job.moveToDelayed(Date.now() + delayMs, token);
      throw new DelayedError();
    };

    const record = await runs.schedules.get(scheduleId);
    if (!record) {
      await runs.queue.removeJobScheduler(scheduleId);
      throw new RunRejectedError({ code: "SCHEDULE_GONE", reason: `Schedule ${scheduleId} no longer exists` });
    }
    if (record.status !== "active") return skipped(`the schedule is ${record.status}`);
    assertSameMarket(deps.market, record.market);
    const { authorization, signature, recipe } = record;
    const state: RunState = { txHashes: [], ...data.state };

    /** Steps run `runId` to its end and keeps it as report number `sequence`. */
    const finishReport = async (runId: bigint, sequence: number, known?: readonly ProgramOp[]): Promise<ReportResult> => {
      const started = await gateway.runInfo(runId);
      const ops = known ?? (await gateway.program(started.programHash));
      const { run, total } = await stepRunToEnd({ runId, ops, gateway, sender, job, state, signal, logger });
      const result = await finishedRunResult({ run, ops, steps: total, gateway });
      const report: ReportResult = { ...result, scheduleId, sequence };
      await runs.recordReport(report);
      await job.updateProgress({ phase: "done", step: total, of: total, runId: report.runId } satisfies RunProgress);
      logger.info({ scheduleId, sequence, runId: report.runId, window: report.window }, "report made");
      return report;
    };

    try {
      await job.updateProgress({ phase: "planning", step: 0, of: 0 } satisfies RunProgress);
      const chainState = await gateway.authorizationState(scheduleId);

      // 1. A run of this schedule that a dead worker left unfinished or unreported.
      if (chainState.lastRunId !== 0n) {
        const last = await gateway.runInfo(chainState.lastRunId);
        if (!last.finished || !(await runs.schedules.hasReport(scheduleId, last.runId.toString()))) {
          logger.info({ runId: last.runId.toString() }, "finishing the schedule's latest run first");
          return await finishReport(last.runId, chainState.runs);
        }
      }

      // 2. Is there anything left to run?
      if (chainState.revoked) {
        throw new RunRejectedError({ code: "SCHEDULE_GONE", reason: "The buyer revoked this standing authorization" });
      }
      if (chainState.runs >= authorization.maxRuns) {
        await end("all runs done");
        return skipped("all runs done");
      }
      const now = await gateway.chainTime();
      if (now >= Number(authorization.expiry)) {
        await end("authorization expired");
        return skipped("authorization expired");
      }
      // 3. The cadence: at most one run per `cadence` seconds of chain time.
      if (chainState.runs > 0) {
        const nextRunAt = Number(chainState.lastRunAt) + Number(authorization.cadence);
        if (now < nextRunAt) return await waitUntil(nextRunAt, now);
      }

      // 4. The window since the previous report.
      const signed = checkStandingAuthorizationSignature({ market: record.market, authorization, signature });
      if (!signed.ok) throw new RunRejectedError({ code: "BAD_SIGNATURE", reason: `The report was refused: ${signed.reason}` });
      const datasetId = BigInt(authorization.datasetId);
      const [dataset, timestamps] = await Promise.all([gateway.datasetInfo(datasetId), gateway.readingTimestamps(datasetId)]);
      const planned = planReport({
        recipe,
        dataset,
        timestamps,
        now,
        previousReportEnd: chainState.runs > 0 ? Number(chainState.nextFromIndex) : undefined,
      });
      if (!planned.ok) {
        if (planned.tooShort) return skipped(planned.reason);
        throw new RunRejectedError({ code: "RECIPE_INVALID", reason: planned.reason });
      }
      const { plan } = planned;
      if (plan.programHash.toLowerCase() !== authorization.programHash.toLowerCase()) {
        throw new RunRejectedError({
          code: "REQUEST_MISMATCH",
          reason: `The recipe compiles to program ${plan.programHash}, but the buyer authorized program ${authorization.programHash}`,
        });
      }

      // 5. Start the run, step it, keep the report.
      await job.updateProgress({ phase: "starting", step: 0, of: plan.steps.length } satisfies RunProgress);
      let runId: bigint;
      try {
        const sent = await sender.send({
          action: `starting report ${chainState.runs + 1}`,
          tx: gateway.startScheduledRunTx({
            authorization,
            ops: plan.ops,
            signature,
            fromIndex: BigInt(plan.window.fromIndex),
            toIndex: BigInt(plan.window.toIndex),
          }),
          signal,
        });
        runId = gateway.runIdFromReceipt(sent.receipt);
        state.txHashes.push(sent.hash);
      } catch (error) {
        if (error instanceof RunRejectedError && error.contractError === "ScheduleTooEarly") {
          return await waitUntil(Number(error.contractArgs?.[0] ?? now + 1), await gateway.chainTime());
        }
        throw error;
      }
      state.runId = runId.toString();
      await saveState(job, state);
      logger.info({ runId: state.runId, window: plan.window }, "scheduled run started");
      return await finishReport(runId, chainState.runs + 1, plan.ops);
    } catch (error) {
      if (error instanceof RunRejectedError && ENDS_SCHEDULE.has(error.code)) await end(error.message);
      throw error;
    }
  };
}
