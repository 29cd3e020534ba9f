import type { Selectable } from "kysely";
import type { Db } from "../db";
import { affected, fromJson, inTransaction } from "../db";
import type { Page, PageRequest, ScheduleAttemptRecord, ScheduleRecord, ScheduleRepeat, ScheduleReportRecord, ScheduleStatus } from "../records";
import type { ScheduleAttemptsTable, ScheduleReportsTable, SchedulesTable } from "../schema";

/** A tick attempt to record (from the worker's queue). */
export type NewScheduleAttempt = Omit<ScheduleAttemptRecord, "scheduleId" | "createdAt"> & { at: Date };

/** How many of the latest attempts decide how many failed in a row. */
const FAILURE_WINDOW = 50;

/** What the API stores when a buyer creates a schedule from a signed standing authorization. */
export type NewSchedule = Pick<
  ScheduleRecord,
  | "id"
  | "owner"
  | "notebookId"
  | "cellId"
  | "datasetId"
  | "programHash"
  | "program"
  | "source"
  | "cadenceSeconds"
  | "expiry"
  | "maxRuns"
  | "authorizationDigest"
  | "authorization"
  | "signature"
> & {
  /** Where the first window starts. */
  fromIndex: number;
  params?: Record<string, string | number> | null;
  repeat?: ScheduleRepeat | null;
  at: Date;
};

/** The statuses of a schedule that can still run. */
const LIVE: readonly ScheduleStatus[] = ["active", "paused"];

/** Recurring encrypted reports and the runs that produced them. Reads and owner actions name the owner. */
export class ScheduleRepository {
  constructor(private readonly db: Db) {}

  /** Stores an active schedule. */
  async create(input: NewSchedule): Promise<ScheduleRecord> {
    const at = input.at.toISOString();
    await this.db
      .insertInto("schedules")
      .values({
        id: input.id,
        owner: input.owner,
        notebook_id: input.notebookId,
        cell_id: input.cellId,
        dataset_id: input.datasetId,
        program_hash: input.programHash,
        program_json: JSON.stringify(input.program),
        source: input.source,
        cadence_seconds: input.cadenceSeconds,
        expiry: input.expiry,
        max_runs: input.maxRuns,
        authorization_digest: input.authorizationDigest.toLowerCase(),
        authorization_json: JSON.stringify(input.authorization),
        signature: input.signature,
        status: "active",
        next_from_index: input.fromIndex,
        last_run_at: null,
        params_json: input.params ? JSON.stringify(input.params) : null,
        repeat_json: input.repeat ? JSON.stringify(input.repeat) : null,
        ended_reason: null,
        paused_reason: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    return (await this.get(input.id))!;
  }

  /** The schedule `id` (for the worker; API reads use `getOwned`). */
  async get(id: string): Promise<ScheduleRecord | undefined> {
    const row = await this.db.selectFrom("schedules").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toSchedule(row);
  }

  /** The schedule `id` if `owner` owns it. */
  async getOwned(id: string, owner: string): Promise<ScheduleRecord | undefined> {
    const row = await this.db.selectFrom("schedules").selectAll().where("id", "=", id).where("owner", "=", owner).executeTakeFirst();
    return row && toSchedule(row);
  }

  /** The schedule created from the standing authorization with EIP-712 digest `digest`. */
  async findByAuthorizationDigest(digest: string): Promise<ScheduleRecord | undefined> {
    const row = await this.db
      .selectFrom("schedules")
      .selectAll()
      .where("authorization_digest", "=", digest.toLowerCase())
      .executeTakeFirst();
    return row && toSchedule(row);
  }

  /** The owner's schedules, newest first, optionally of one notebook. */
  async list(owner: string, filter: PageRequest & { notebookId?: string }): Promise<Page<ScheduleRecord>> {
    const base = this.db
      .selectFrom("schedules")
      .where("owner", "=", owner)
      .$if(filter.notebookId !== undefined, (q) => q.where("notebook_id", "=", filter.notebookId!));
    const rows = await base.selectAll().orderBy("created_at", "desc").orderBy("id").limit(filter.limit).offset(filter.offset).execute();
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow();
    return { items: rows.map(toSchedule), total: Number(total) };
  }

  /**
   * Changes the status of the owner's schedule (pause, resume, revoke...) when it is currently one of
   * `from`; undefined when it is not theirs or not in one of those states.
   */
  async setStatus(
    id: string,
    owner: string,
    change: { from: readonly ScheduleStatus[]; to: ScheduleStatus; at: Date; endedReason?: string; pausedReason?: string },
  ): Promise<ScheduleRecord | undefined> {
    const result = await this.db
      .updateTable("schedules")
      .set({
        status: change.to,
        updated_at: change.at.toISOString(),
        ...(change.endedReason === undefined ? {} : { ended_reason: change.endedReason }),
        // A reason belongs to the pause it explains: any other change (a resume) clears it.
        paused_reason: change.to === "paused" ? (change.pausedReason ?? null) : null,
      })
      .where("id", "=", id)
      .where("owner", "=", owner)
      .where("status", "in", change.from)
      .executeTakeFirst();
    return affected(result) === 1 ? this.get(id) : undefined;
  }

  /** Schedules that can still run (active or paused), of every owner. */
  async listLive(): Promise<ScheduleRecord[]> {
    const rows = await this.db.selectFrom("schedules").selectAll().where("status", "in", LIVE).orderBy("created_at").execute();
    return rows.map(toSchedule);
  }

  /**
   * Ends every schedule that can still run (the chain was reset: its authorization and dataset no
   * longer exist) as `expired` with `reason`. Returns the schedules it ended.
   */
  async endAllLive(input: { reason: string; at: Date }): Promise<ScheduleRecord[]> {
    return inTransaction(this.db, async (trx) => {
      const live = await new ScheduleRepository(trx).listLive();
      await trx
        .updateTable("schedules")
        .set({ status: "expired", ended_reason: input.reason, updated_at: input.at.toISOString() })
        .where("status", "in", LIVE)
        .execute();
      return live;
    });
  }

  /** Deletes the owner's schedule and its reports (its runs stay, detached); false when not theirs. */
  async delete(id: string, owner: string): Promise<boolean> {
    return affected(await this.db.deleteFrom("schedules").where("id", "=", id).where("owner", "=", owner).executeTakeFirst()) === 1;
  }

  /**
   * Records a scheduled run over `[fromIndex, toIndex)`: adds the report, counts the run, advances the
   * next window to `toIndex`, and completes the schedule after its last allowed run. Atomic.
   */
  async recordRun(
    id: string,
    input: { reportId: string; runId: string; fromIndex: number; toIndex: number; at: Date },
  ): Promise<{ schedule: ScheduleRecord; report: ScheduleReportRecord }> {
    return inTransaction(this.db, async (trx) => {
      const at = input.at.toISOString();
      const report = {
        id: input.reportId,
        schedule_id: id,
        run_id: input.runId,
        from_index: input.fromIndex,
        to_index: input.toIndex,
        created_at: at,
      };
      await trx.insertInto("schedule_reports").values(report).execute();
      const updated = await trx
        .updateTable("schedules")
        .set((eb) => ({
          runs_done: eb("runs_done", "+", 1),
          next_from_index: input.toIndex,
          last_run_at: at,
          updated_at: at,
        }))
        .where("id", "=", id)
        .returning(["runs_done", "max_runs"])
        .executeTakeFirst();
      if (!updated) throw new Error(`schedule ${id} does not exist`);
      if (Number(updated.runs_done) >= Number(updated.max_runs)) {
        await trx.updateTable("schedules").set({ status: "completed" }).where("id", "=", id).execute();
      }
      return { schedule: (await new ScheduleRepository(trx).get(id))!, report: toReport(report) };
    });
  }

  /**
   * Records tick attempts of schedule `scheduleId` (each once, by its key) and updates how many of
   * the latest failed in a row and the latest failure. Returns how many were new.
   */
  async recordAttempts(scheduleId: string, attempts: readonly NewScheduleAttempt[]): Promise<number> {
    if (attempts.length === 0) return 0;
    return inTransaction(this.db, async (trx) => {
      let added = 0;
      for (const attempt of attempts) {
        const result = await trx
          .insertInto("schedule_attempts")
          .values({
            id: attempt.id,
            schedule_id: scheduleId,
            attempt_key: attempt.attemptKey,
            outcome: attempt.outcome,
            reason: attempt.reason,
            code: attempt.code,
            will_retry: attempt.willRetry ? 1 : 0,
            chain_run_id: attempt.chainRunId,
            created_at: attempt.at.toISOString(),
          })
          .onConflict((oc) => oc.columns(["schedule_id", "attempt_key"]).doNothing())
          .executeTakeFirst();
        added += affectedInsert(result);
      }
      if (added === 0) return 0;
      const latest = await trx
        .selectFrom("schedule_attempts")
        .select(["outcome", "reason", "created_at"])
        .where("schedule_id", "=", scheduleId)
        .where("outcome", "!=", "skipped")
        .orderBy("created_at", "desc")
        .orderBy("attempt_key", "desc")
        .limit(FAILURE_WINDOW)
        .execute();
      const inARow = latest.findIndex((row) => row.outcome !== "failed");
      const lastFailure = latest.find((row) => row.outcome === "failed");
      await trx
        .updateTable("schedules")
        .set({
          failures_in_a_row: inARow === -1 ? latest.length : inARow,
          last_failure: lastFailure ? (lastFailure.reason ?? "the tick failed") : null,
          last_failure_at: lastFailure?.created_at ?? null,
        })
        .where("id", "=", scheduleId)
        .execute();
      return added;
    });
  }

  /** A schedule's tick attempts, newest first (ownership is the caller's check). */
  async listAttempts(scheduleId: string, page: PageRequest): Promise<Page<ScheduleAttemptRecord>> {
    const base = this.db.selectFrom("schedule_attempts").where("schedule_id", "=", scheduleId);
    const rows = await base
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("attempt_key", "desc")
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow();
    return { items: rows.map(toAttempt), total: Number(total) };
  }

  /** Says why schedule `id`'s job scheduler cannot be restored (null: it ticks again). */
  async setSchedulerProblem(id: string, problem: string | null): Promise<void> {
    await this.db.updateTable("schedules").set({ scheduler_problem: problem }).where("id", "=", id).execute();
  }

  /** A schedule's reports, newest first (ownership is the caller's check). */
  async listReports(scheduleId: string, page: PageRequest): Promise<Page<ScheduleReportRecord>> {
    const base = this.db.selectFrom("schedule_reports").where("schedule_id", "=", scheduleId);
    const rows = await base.selectAll().orderBy("created_at", "desc").orderBy("id").limit(page.limit).offset(page.offset).execute();
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow();
    return { items: rows.map(toReport), total: Number(total) };
  }
}

function toSchedule(row: Selectable<SchedulesTable>): ScheduleRecord {
  return {
    id: row.id,
    owner: row.owner,
    notebookId: row.notebook_id,
    cellId: row.cell_id,
    datasetId: row.dataset_id,
    programHash: row.program_hash,
    program: fromJson(row.program_json),
    source: row.source,
    cadenceSeconds: Number(row.cadence_seconds),
    expiry: Number(row.expiry),
    maxRuns: Number(row.max_runs),
    authorizationDigest: row.authorization_digest,
    authorization: fromJson(row.authorization_json),
    signature: row.signature,
    status: row.status,
    runsDone: Number(row.runs_done),
    nextFromIndex: Number(row.next_from_index),
    lastRunAt: row.last_run_at,
    params: row.params_json === null ? null : fromJson<Record<string, string | number>>(row.params_json),
    repeat: row.repeat_json === null ? null : fromJson<ScheduleRepeat>(row.repeat_json),
    endedReason: row.ended_reason,
    pausedReason: row.paused_reason,
    schedulerProblem: row.scheduler_problem,
    failuresInARow: Number(row.failures_in_a_row),
    lastFailure: row.last_failure !== null && row.last_failure_at !== null ? { reason: row.last_failure, at: row.last_failure_at } : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toReport(row: Selectable<ScheduleReportsTable>): ScheduleReportRecord {
  return {
    id: row.id,
    scheduleId: row.schedule_id,
    runId: row.run_id,
    fromIndex: Number(row.from_index),
    toIndex: Number(row.to_index),
    createdAt: row.created_at,
  };
}

function toAttempt(row: Selectable<ScheduleAttemptsTable>): ScheduleAttemptRecord {
  return {
    id: row.id,
    scheduleId: row.schedule_id,
    attemptKey: row.attempt_key,
    outcome: row.outcome,
    reason: row.reason,
    code: row.code,
    willRetry: Number(row.will_retry) === 1,
    chainRunId: row.chain_run_id,
    createdAt: row.created_at,
  };
}

/** Rows an insert … on conflict do nothing wrote (0 or 1). */
function affectedInsert(result: { numInsertedOrUpdatedRows?: bigint }): number {
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}
