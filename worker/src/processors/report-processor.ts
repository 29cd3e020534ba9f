/**
 * The report processor: one tick of a recurring report's job scheduler → one scheduled run over
 * the readings since the previous report → a report kept for the buyer.
 *
 * The chain is the source of truth for where the schedule stands (`standingAuthorizationState`:
 * runs so far, the latest run, where the next window starts, revocation), so a tick:
 * 1. finishes and reports the schedule's latest run if it is unfinished or unreported (a previous
 *    tick died mid-run): that is this tick's report;
 * 2. ends the schedule when the authorization is revoked, expired or used up;
 * 3. waits (moves itself to delayed, once) when the cadence does not allow a run yet;
 * 4. plans the window from where the contract requires it to start (the authorization's `fromIndex`
 *    for the first report, where the previous one ended for the others, rounded up to k) to the last
 *    whole bucket; with less than one whole bucket of new readings it completes as skipped (a
 *    skipped tick does not count towards maxRuns);
 * 5. starts the run with `startScheduledRun` (after checking the buyer's balance holds the report's maximum
 *    payment, which the start locks: a short balance pauses the schedule with that reason), steps it to the end
 *    and keeps the report.
 * Rejections no later tick can fix (bad signature, recipe errors, another program, revocation) end
 * the schedule. One tick works on a schedule at a time (a lease in Redis).
 */
import { DelayedError, WaitingError } from "bullmq";
import { formatEther } from "ethers";
import { scheduledWindowStart } from "@iotdm/contracts-client";
import type { ProgramOp } from "../chain/market-gateway";
import { failureOf, RunRejectedError } from "../errors";
import type { ReportAttempt, ReportJobData, ReportResult, RunProgress, RunState, ScheduleRecord, SkippedReport } from "../job-schemas";
import type { RunQueue } from "../queues";
import { planReport } from "../recipe-compiler";
import { JobReleasedError, type ProcessorContext } from "../run-worker";
import { assertSameMarket, type RunProcessorDeps } from "./run-processor";
import { finishedRunResult, saveState, stepRunToEnd } from "./step-run";

/** What the report processor works with. */
export interface ReportProcessorDeps extends RunProcessorDeps {
  /** The schedules and their reports (the producer API over the same queue). */
  runs: RunQueue;
  /** How long a tick's lease on its schedule lasts unless renewed (default 30 s: the job lock's duration). */
  leaseMs?: number;
}

/** Rejections after which no later tick can succeed: they end the schedule. */
const ENDS_SCHEDULE = new Set(["BAD_SIGNATURE", "RECIPE_INVALID", "REQUEST_MISMATCH", "SCHEDULE_GONE"]);

/** Creates the processor of `report` jobs. */
export function createReportProcessor(deps: ReportProcessorDeps) {
  const { runs } = deps;

  /**
   * One tick, and its attempt kept in the schedule's history whatever came of it: a report, a skip
   * or a failure with its reason. A tick put back to wait for the cadence, or released on shutdown,
   * has not finished its attempt.
   */
  return async function processReport(context: ProcessorContext<ReportJobData>): Promise<ReportResult | SkippedReport> {
    const { job, data, logger } = context;
    const attempt = { key: `${job.id}:${job.attemptsMade + 1}`, scheduleId: data.scheduleId };
    const record = (entry: Omit<ReportAttempt, "key" | "scheduleId" | "at">) =>
      runs.recordAttempt({ ...attempt, at: Date.now(), ...entry }).catch((err: unknown) => logger.warn({ err }, "could not record the tick attempt"));
    try {
      const result = await tick(context);
      if ("skipped" in result) await record({ outcome: "skipped", reason: result.reason });
      else await record({ outcome: "report", runId: result.runId });
      return result;
    } catch (error) {
      if (error instanceof DelayedError || error instanceof WaitingError || error instanceof JobReleasedError || context.signal.aborted) throw error;
      const failure = failureOf(error);
      const willRetry = !failure && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      await record({
        outcome: "failed",
        reason: failure?.reason ?? (error instanceof Error ? error.message : String(error)),
        ...(failure && { code: failure.code }),
        willRetry,
      });
      throw error;
    }
  };

  async function tick(context: ProcessorContext<ReportJobData>): Promise<ReportResult | SkippedReport> {
    const { job, data, logger } = context;
    const scheduleId = data.scheduleId;
    const record = await runs.schedules.get(scheduleId);
    if (!record) {
      await runs.queue.removeJobScheduler(scheduleId);
      throw new RunRejectedError({ code: "SCHEDULE_GONE", reason: `Schedule ${scheduleId} no longer exists` });
    }
    const reportTick = new ReportTick(deps, context, record);
    if (record.status !== "active") return reportTick.skip(`the schedule is ${record.status}`);
    assertSameMarket(deps.market, record.market);

    // A tick that comes while another is still running (a long run, or ticks faster than runs)
    // leaves the schedule to it. The lease of a tick whose worker died expires, and the next tick
    // takes its run over.
    const lease = { id: scheduleId, owner: job.id!, ttlMs: deps.leaseMs ?? 30_000 };
    if (!(await runs.schedules.acquireLease(lease))) return reportTick.skip("another tick of this schedule is running");
    const renewal = setInterval(() => {
      runs.schedules.renewLease(lease).catch((err: unknown) => logger.warn({ err }, "could not renew the schedule lease"));
    }, lease.ttlMs / 3);
    try {
      return await reportTick.run();
    } finally {
      clearInterval(renewal);
      await runs.schedules.releaseLease(lease);
    }
  }
}

/** One tick of one schedule. */
class ReportTick {
  readonly #deps: ReportProcessorDeps;
  readonly #context: ProcessorContext<ReportJobData>;
  readonly #record: ScheduleRecord;
  readonly #state: RunState;

  constructor(deps: ReportProcessorDeps, context: ProcessorContext<ReportJobData>, record: ScheduleRecord) {
    this.#deps = deps;
    this.#context = context;
    this.#record = record;
    this.#state = { txHashes: [], ...context.data.state };
  }

  get #scheduleId(): string {
    return this.#record.id;
  }

  /** Completes the tick without a report. */
  skip(reason: string): SkippedReport {
    this.#context.logger.info({ scheduleId: this.#scheduleId, reason }, "report skipped");
    return { skipped: true, scheduleId: this.#scheduleId, reason };
  }

  async run(): Promise<ReportResult | SkippedReport> {
    const { gateway } = this.#deps;
    const { job, logger } = this.#context;
    const { authorization } = this.#record;
    try {
      await job.updateProgress({ phase: "planning", step: 0, of: 0 } satisfies RunProgress);
      const chainState = await gateway.authorizationState(this.#scheduleId);

      // 1. A run of this schedule that a dead worker left unfinished or unreported.
      if (chainState.lastRunId !== 0n) {
        const last = await gateway.runInfo(chainState.lastRunId);
        if (!last.finished || !(await this.#deps.runs.schedules.hasReport(this.#scheduleId, last.runId.toString()))) {
          logger.info({ runId: last.runId.toString() }, "finishing the schedule's latest run first");
          return await this.#finishReport(last.runId, chainState.runs);
        }
      }

      // 2. Is there anything left to run?
      if (chainState.revoked) {
        throw new RunRejectedError({ code: "SCHEDULE_GONE", reason: "The buyer revoked this standing authorization" });
      }
      if (chainState.runs >= authorization.maxRuns) {
        await this.#end("all runs done");
        return this.skip("all runs done");
      }
      const now = await gateway.chainTime();
      if (now >= Number(authorization.expiry)) {
        await this.#end("authorization expired");
        return this.skip("authorization expired");
      }
      // 3. The cadence: at most one run per `cadence` seconds of chain time.
      if (chainState.runs > 0) {
        const nextRunAt = Number(chainState.lastRunAt) + Number(authorization.cadence);
        if (now < nextRunAt) return await this.#waitUntil(nextRunAt, now);
      }

      // 4. The window since the previous report, and 5. the run.
      return await this.#startReport({ now, runs: chainState.runs, nextFromIndex: chainState.nextFromIndex });
    } catch (error) {
      if (error instanceof RunRejectedError && ENDS_SCHEDULE.has(error.code)) await this.#end(error.message);
      throw error;
    }
  }

  async #startReport(chain: { now: number; runs: number; nextFromIndex: bigint }): Promise<ReportResult | SkippedReport> {
    const { gateway, sender } = this.#deps;
    const { job, signal, logger } = this.#context;
    const { authorization, signature, recipe, market } = this.#record;

    const signed = await gateway.checkStandingAuthorizationSignature({ market, authorization, signature });
    if (!signed.ok) throw new RunRejectedError({ code: "BAD_SIGNATURE", reason: `The report was refused: ${signed.reason}` });
    const datasetId = BigInt(authorization.datasetId);
    const [dataset, timestamps] = await Promise.all([gateway.datasetInfo(datasetId), gateway.readingTimestamps(datasetId)]);
    // The contract fixes where each window starts: the authorization's fromIndex for the first,
    // where the previous one ended for the others, rounded up to the current k (and to where
    // private runs may start). The report covers the readings from there to the last whole bucket.
    const start = scheduledWindowStart(dataset, chain.runs > 0 ? chain.nextFromIndex : BigInt(authorization.fromIndex));
    if (start + dataset.bucketSize > dataset.readingCount) {
      return this.skip(
        `the next report starts at reading ${start.toLocaleString("en-US")} and needs a whole bucket of ${dataset.bucketSize.toLocaleString("en-US")} readings from there; the dataset has ${dataset.readingCount.toLocaleString("en-US")}`,
      );
    }
    const planned = planReport({ recipe, dataset, timestamps, now: chain.now, previousReportEnd: Number(start) });
    if (!planned.ok) {
      if (planned.tooShort) return this.skip(planned.reason);
      throw new RunRejectedError({ code: "RECIPE_INVALID", reason: planned.reason });
    }
    const { plan } = planned;
    if (plan.programHash.toLowerCase() !== authorization.programHash.toLowerCase()) {
      throw new RunRejectedError({
        code: "REQUEST_MISMATCH",
        reason: `The recipe compiles to program ${plan.programHash}, but the buyer authorized program ${authorization.programHash}`,
      });
    }

    // Each report locks the authorization's maximum from the buyer's balance: a short balance pauses the schedule
    // (with why) instead of failing tick after tick; the buyer deposits and resumes it.
    const locked = BigInt(authorization.maxPaymentPerRun);
    const balance = await gateway.balanceOf(authorization.buyer);
    if (balance < locked) return this.#pauseForBalance(balance, locked);

    await job.updateProgress({ phase: "starting", step: 0, of: plan.steps.length } satisfies RunProgress);
    let runId: bigint;
    try {
      const sent = await sender.send({
        action: `starting report ${chain.runs + 1}`,
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
      this.#state.txHashes.push(sent.hash);
    } catch (error) {
      if (error instanceof RunRejectedError && error.contractError === "ScheduleTooEarly") {
        return await this.#waitUntil(Number(error.contractArgs?.[0] ?? chain.now + 1), await gateway.chainTime());
      }
      // InsufficientBalance(buyer, balance, amount): spent elsewhere between the check and the start.
      if (error instanceof RunRejectedError && error.contractError === "InsufficientBalance") {
        return this.#pauseForBalance(BigInt(error.contractArgs?.[1] as bigint), BigInt(error.contractArgs?.[2] as bigint));
      }
      throw error;
    }
    this.#state.runId = runId.toString();
    await saveState(job, this.#state);
    logger.info({ runId: this.#state.runId, window: plan.window }, "scheduled run started");
    return this.#finishReport(runId, chain.runs + 1, plan.ops);
  }

  /** Steps run `runId` to its end and keeps it as report number `sequence`. */
  async #finishReport(runId: bigint, sequence: number, known?: readonly ProgramOp[]): Promise<ReportResult> {
    const { gateway, sender, runs } = this.#deps;
    const { job, signal, logger } = this.#context;
    const started = await gateway.runInfo(runId);
    const ops = known ?? (await gateway.program(started.programHash));
    const { run, total } = await stepRunToEnd({ runId, ops, gateway, sender, job, state: this.#state, signal, logger });
    const result = await finishedRunResult({ run, ops, steps: total, gateway });
    const report: ReportResult = { ...result, scheduleId: this.#scheduleId, sequence };
    await runs.recordReport(report);
    await job.updateProgress({ phase: "done", step: total, of: total, runId: report.runId } satisfies RunProgress);
    logger.info({ scheduleId: this.#scheduleId, sequence, runId: report.runId, window: report.window }, "report made");
    return report;
  }

  /**
   * Puts this tick back until the chain allows the next scheduled run: a tick that arrives a little
   * early (its interval equals the cadence, and the previous run started late) still makes its
   * report. A tick waits once; if it is still too early it is skipped, so ticks that come much
   * faster than the cadence (a cron pattern) cannot pile up.
   */
  async #waitUntil(chainSeconds: number, now: number): Promise<SkippedReport> {
    if (this.#state.waitedForCadence) {
      return this.skip(`the cadence allows the next run at ${new Date(chainSeconds * 1000).toISOString()}`);
    }
    const { job, token, logger } = this.#context;
    const delayMs = Math.max(0, chainSeconds - now) * 1000 + 250;
    logger.info({ scheduleId: this.#scheduleId, delayMs }, "too early for the next scheduled run; tick delayed");
    this.#state.waitedForCadence = true;
    await saveState(job, this.#state);
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }

  /** Pauses the schedule because the buyer's balance cannot lock a report's maximum, and completes the tick so. */
  async #pauseForBalance(balance: bigint, locked: bigint): Promise<SkippedReport> {
    const reason = `paused: balance ${formatEther(balance)} ETH is short of the report's ${formatEther(locked)} ETH quote; deposit to resume`;
    this.#context.logger.info({ scheduleId: this.#scheduleId, balance: balance.toString(), locked: locked.toString() }, "schedule paused: balance short");
    await this.#deps.runs.pauseSchedule(this.#scheduleId, reason);
    return this.skip(reason);
  }

  async #end(reason: string): Promise<void> {
    this.#context.logger.info({ scheduleId: this.#scheduleId, reason }, "schedule ended");
    await this.#deps.runs.endSchedule({ id: this.#scheduleId, reason });
  }
}
