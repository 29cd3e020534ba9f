import { randomUUID } from "node:crypto";
import { getAddress } from "ethers";
import type { z } from "zod";
import type { StandingAuthorizationJson } from "@iotdm/contracts-client/wire";
import type { RunQueue, ScheduleView } from "@iotdm/worker/queues";
import type { MarketChain } from "../chain/market-chain";
import { AppError, createError } from "../errors";
import type { RecipeParamValues, RecipeTooling } from "../recipes/recipe-tooling";
import { checkSignedRecipe } from "../runs/signed-recipe";
import type { ProgressRecorder } from "../runs/progress-recorder";
import { toRun } from "../runs/service";
import type { Page, PageRequest, ScheduleAttemptRecord, ScheduleRecord, ScheduleRepeat, ScheduleStatus } from "../store/records";
import type { Repositories, Store } from "../store/store";
import { reconcileSchedule } from "./reconcile";
import type { Attempt, Report, Schedule } from "./schemas";

/** What the service needs. */
export interface ScheduleServiceOptions {
  store: Store;
  chain: MarketChain;
  recipes: RecipeTooling;
  runQueue: RunQueue;
  recorder: ProgressRecorder;
  now: () => Date;
}

/** A schedule to create: the recipe, where it came from, the signed authorization and how often it runs. */
export interface ScheduleSubmission {
  notebookId: string;
  cellId: string;
  datasetId: string;
  source: string;
  params?: RecipeParamValues;
  authorization: StandingAuthorizationJson;
  signature: string;
  repeat: ScheduleRepeat;
}

/**
 * Recurring encrypted reports from a buyer's signed standing authorization: checked the way the
 * contract will check each scheduled run, recorded in the store and armed as the worker's BullMQ job
 * scheduler in one step; paused, resumed and deleted in both. Reports arrive through the progress
 * recorder. Private to their owner.
 */
export class ScheduleService {
  constructor(private readonly options: ScheduleServiceOptions) {}

  /** Creates the schedule (201), or finds the one this authorization already created (200). */
  async create(user: string, input: ScheduleSubmission): Promise<{ schedule: ScheduleRecord; created: boolean }> {
    const { store, chain, recipes } = this.options;
    const { authorization } = input;
    const buyer = getAddress(authorization.buyer);
    if ("every" in input.repeat && input.repeat.every < Number(authorization.cadence) * 1000) {
      throw createError("ERR_SCHEDULE_REPEAT_INVALID", {
        params: { reason: `every ${input.repeat.every} ms is more often than the authorization's cadence of ${authorization.cadence} s allows.` },
      });
    }
    const checked = await checkSignedRecipe(
      { store, chain, recipes },
      { ...input, user, consent: { kind: "schedule", authorization }, findExisting: (digest) => store.schedules.findByAuthorizationDigest(digest) },
    );
    const { digest, deployment } = checked;
    if (checked.existing !== undefined) {
      if (checked.existing.owner !== buyer) throw createError("ERR_SCHEDULE_NOT_FOUND", { params: { scheduleId: checked.existing.id } });
      return { schedule: checked.existing, created: false };
    }
    const { plan } = checked.planned;
    const { firstWindowStart } = checked;

    // Recorded and armed together: if the queue refuses, the record is rolled back.
    const schedule = await store.transaction(async (tx) => {
      const record = await tx.schedules.create({
        id: randomUUID(),
        owner: buyer,
        notebookId: input.notebookId,
        cellId: input.cellId,
        datasetId: input.datasetId,
        programHash: authorization.programHash.toLowerCase(),
        program: plan.ops,
        source: input.source,
        params: input.params ?? null,
        repeat: input.repeat,
        cadenceSeconds: Number(authorization.cadence),
        expiry: Number(authorization.expiry),
        maxRuns: authorization.maxRuns,
        authorizationDigest: digest,
        authorization,
        signature: input.signature,
        fromIndex: firstWindowStart,
        at: this.options.now(),
      });
      await this.#queue(() =>
        this.options.runQueue.upsertSchedule({
          market: { chainId: deployment.chainId, address: deployment.address },
          authorization,
          signature: input.signature,
          recipe: { source: input.source, params: input.params ?? {} },
          repeat: input.repeat,
          origin: { userId: buyer, notebookId: input.notebookId, cellId: input.cellId },
        }),
      );
      return record;
    });
    // The worker ends a schedule at once when no tick falls before the authorization's expiry.
    return { schedule: await this.options.recorder.syncScheduleStatus(schedule), created: true };
  }

  /** The owner's schedules, newest first. */
  async list(owner: string, filter: PageRequest & { notebookId?: string }): Promise<Page<ScheduleRecord>> {
    const page = await this.options.store.schedules.list(owner, filter);
    return { ...page, items: await Promise.all(page.items.map((schedule) => this.options.recorder.syncScheduleStatus(schedule))) };
  }

  /** The owner's schedule. */
  async get(owner: string, scheduleId: string): Promise<ScheduleRecord> {
    const schedule = await this.options.store.schedules.getOwned(scheduleId, owner);
    if (!schedule) throw notFound(scheduleId);
    return this.options.recorder.syncScheduleStatus(schedule);
  }

  /** The schedule's reports, newest first, each with its run. */
  async reports(owner: string, scheduleId: string, page: PageRequest): Promise<Page<z.output<typeof Report>>> {
    const { store } = this.options;
    const schedule = await this.get(owner, scheduleId);
    const reports = await store.schedules.listReports(schedule.id, page);
    const market = this.#marketAddress();
    const items = await Promise.all(
      reports.items.map(async (report) => {
        const run = await store.runs.getForBuyer(report.runId, owner);
        return { id: report.id, scheduleId: report.scheduleId, fromIndex: report.fromIndex, toIndex: report.toIndex, createdAt: report.createdAt, run: run ? toRun(run, market) : null };
      }),
    );
    return { items, total: reports.total };
  }

  /** Stops the reports until resumed. */
  pause(owner: string, scheduleId: string): Promise<ScheduleRecord> {
    return this.#transition(owner, scheduleId, { from: ["active"], to: "paused", action: "paused" }, (digest) => this.options.runQueue.pauseSchedule(digest));
  }

  /**
   * Restarts a paused schedule; its next report covers everything since the last one. Also rebuilds
   * its job scheduler from the store when the queue's Redis lost it (see reconcile.ts).
   */
  async resume(owner: string, scheduleId: string): Promise<ScheduleRecord> {
    const { store, runQueue, chain } = this.options;
    const resumed = await this.#transition(owner, scheduleId, { from: ["paused"], to: "active", action: "resumed" }, (digest) =>
      runQueue.resumeSchedule(digest),
    );
    await reconcileSchedule({ schedule: resumed, store, runQueue, chain });
    return this.options.recorder.syncScheduleStatus((await store.schedules.get(resumed.id)) ?? resumed);
  }

  /** The schedule's tick attempts (reports, skips, failures with their reason), newest first. */
  async attempts(owner: string, scheduleId: string, page: PageRequest): Promise<Page<ScheduleAttemptRecord>> {
    const schedule = await this.get(owner, scheduleId);
    return this.options.store.schedules.listAttempts(schedule.id, page);
  }

  /** Deletes the schedule and its job scheduler; its runs stay in the notebook's history. */
  async delete(owner: string, scheduleId: string): Promise<void> {
    const { store } = this.options;
    const schedule = await store.schedules.getOwned(scheduleId, owner);
    if (!schedule) throw notFound(scheduleId);
    await store.transaction(async (tx) => {
      if (!(await tx.schedules.delete(scheduleId, owner))) throw notFound(scheduleId);
      await this.#queue(() => this.options.runQueue.removeSchedule({ id: schedule.authorizationDigest, purgeReports: true }));
    });
  }

  /** The worker's view of a schedule (when it next ticks), if the queue answers. */
  async view(schedule: ScheduleRecord): Promise<ScheduleView | undefined> {
    if (schedule.status !== "active") return undefined;
    return this.options.runQueue.getSchedule(schedule.authorizationDigest).catch(() => undefined);
  }

  async #transition(
    owner: string,
    scheduleId: string,
    change: { from: ScheduleStatus[]; to: ScheduleStatus; action: string },
    inQueue: (digest: string) => Promise<unknown>,
  ): Promise<ScheduleRecord> {
    const { store } = this.options;
    const current = await this.get(owner, scheduleId);
    return store.transaction(async (tx: Repositories) => {
      const changed = await tx.schedules.setStatus(scheduleId, owner, { from: change.from, to: change.to, at: this.options.now() });
      if (!changed) {
        throw createError("ERR_SCHEDULE_STATE_CONFLICT", { params: { scheduleId, status: current.status, action: change.action } });
      }
      await this.#queue(() => inQueue(current.authorizationDigest));
      return changed;
    });
  }

  async #queue<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof AppError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      // BullMQ refuses a cron pattern it cannot parse; anything else is the queue being unavailable.
      if (/cron|pattern|invalid|repeat/i.test(message) && !/ECONNREFUSED|connection|timeout/i.test(message)) {
        throw createError("ERR_SCHEDULE_REPEAT_INVALID", { params: { reason: message }, cause: error });
      }
      throw createError("ERR_QUEUE_UNAVAILABLE", { cause: error });
    }
  }

  #marketAddress(): string | null {
    try {
      return this.options.chain.deployment()?.address ?? null;
    } catch {
      return null;
    }
  }
}

/** A schedule as the API shows it. */
export function toSchedule(schedule: ScheduleRecord, view?: ScheduleView): z.output<typeof Schedule> {
  return {
    id: schedule.id,
    owner: schedule.owner,
    notebookId: schedule.notebookId,
    cellId: schedule.cellId,
    datasetId: schedule.datasetId,
    source: schedule.source,
    params: schedule.params,
    repeat: schedule.repeat,
    programHash: schedule.programHash,
    authorizationDigest: schedule.authorizationDigest,
    cadenceSeconds: schedule.cadenceSeconds,
    expiry: schedule.expiry,
    maxRuns: schedule.maxRuns,
    status: schedule.status,
    endedReason: schedule.endedReason,
    pausedReason: schedule.pausedReason,
    failing: isFailing(schedule),
    failuresInARow: schedule.failuresInARow,
    lastFailure: schedule.lastFailure,
    schedulerProblem: schedule.schedulerProblem,
    runsDone: schedule.runsDone,
    nextFromIndex: schedule.nextFromIndex,
    lastRunAt: schedule.lastRunAt,
    nextRunAt: view?.nextRunAt ? new Date(view.nextRunAt).toISOString() : null,
    createdAt: schedule.createdAt,
    updatedAt: schedule.updatedAt,
  };
}

/** Failed tick attempts in a row after which a live schedule is shown as failing. */
export const FAILING_AFTER = 2;

/**
 * A live schedule that keeps failing: its latest {@link FAILING_AFTER} attempts (skips aside) failed,
 * or its job scheduler could not be restored.
 */
function isFailing(schedule: ScheduleRecord): boolean {
  if (schedule.status !== "active" && schedule.status !== "paused") return false;
  return schedule.schedulerProblem !== null || schedule.failuresInARow >= FAILING_AFTER;
}

/** A tick attempt as the API shows it. */
export function toAttempt(attempt: ScheduleAttemptRecord): z.output<typeof Attempt> {
  return {
    outcome: attempt.outcome,
    reason: attempt.reason,
    code: attempt.code,
    willRetry: attempt.willRetry,
    chainRunId: attempt.chainRunId,
    at: attempt.createdAt,
  };
}

function notFound(scheduleId: string) {
  return createError("ERR_SCHEDULE_NOT_FOUND", { params: { scheduleId } });
}
