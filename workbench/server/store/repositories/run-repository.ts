import type { Selectable } from "kysely";
import type { Db } from "../db";
import { affected, fromJson, inTransaction } from "../db";
import type { Page, PageRequest, RunError, RunRecord } from "../records";
import type { RunsTable } from "../schema";

/** What the API stores when it accepts a signed run request (before enqueueing it). */
export type NewRun = Pick<
  RunRecord,
  | "id"
  | "buyer"
  | "notebookId"
  | "cellId"
  | "scheduleId"
  | "datasetId"
  | "programHash"
  | "program"
  | "source"
  | "fromIndex"
  | "toIndex"
  | "requestDigest"
  | "request"
  | "signature"
> & {
  /** The recipe's parameter values (omitted: its defaults). */
  params?: RunRecord["params"];
  /** The plan the run follows (recipes/ `planToJSON`). */
  plan?: unknown;
  at: Date;
};

const TERMINAL = ["done", "error"] as const;
const MAX_APPEND_ATTEMPTS = 5;

/**
 * Recipe runs and their progress. The API creates them (`create`, idempotent on the request digest);
 * the worker moves them along `queued → running → done | error` with the transition methods, which
 * never touch a run that already finished.
 */
export class RunRepository {
  constructor(private readonly db: Db) {}

  /**
   * Stores a queued run, or finds the run already stored for the same signed request (a retried
   * submission). `created` tells which.
   */
  async create(input: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    const at = input.at.toISOString();
    const inserted = await this.db
      .insertInto("runs")
      .values({
        id: input.id,
        buyer: input.buyer,
        notebook_id: input.notebookId,
        cell_id: input.cellId,
        schedule_id: input.scheduleId,
        dataset_id: input.datasetId,
        program_hash: input.programHash,
        program_json: JSON.stringify(input.program),
        source: input.source,
        from_index: input.fromIndex,
        to_index: input.toIndex,
        request_digest: input.requestDigest,
        request_json: JSON.stringify(input.request),
        signature: input.signature,
        chain_run_id: null,
        status: "queued",
        steps_total: null,
        cursor_index: null,
        params_json: input.params ? JSON.stringify(input.params) : null,
        plan_json: input.plan === undefined ? null : JSON.stringify(input.plan),
        stale_reason: null,
        result_handles_json: null,
        tx_hashes_json: "[]",
        error_json: null,
        created_at: at,
        updated_at: at,
        started_at: null,
        finished_at: null,
      })
      .onConflict((oc) => oc.column("request_digest").doNothing())
      .executeTakeFirst();
    const run = (await this.findByRequestDigest(input.requestDigest))!;
    return { run, created: Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1 };
  }

  /** The run `id`. */
  async get(id: string): Promise<RunRecord | undefined> {
    const row = await this.db.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toRun(row);
  }

  /** The run `id` if `buyer` requested it (runs are private to their buyer). */
  async getForBuyer(id: string, buyer: string): Promise<RunRecord | undefined> {
    const row = await this.db.selectFrom("runs").selectAll().where("id", "=", id).where("buyer", "=", buyer).executeTakeFirst();
    return row && toRun(row);
  }

  /** The run stored for a signed request, by its EIP-712 digest. */
  async findByRequestDigest(requestDigest: string): Promise<RunRecord | undefined> {
    const row = await this.db.selectFrom("runs").selectAll().where("request_digest", "=", requestDigest).executeTakeFirst();
    return row && toRun(row);
  }

  /** A notebook's runs, newest first (the notebook's ownership is the caller's check). */
  async listByNotebook(notebookId: string, page: PageRequest): Promise<Page<RunRecord>> {
    return this.page("notebook_id", notebookId, page);
  }

  /** A cell's run history, newest first. */
  async listByCell(cellId: string, page: PageRequest): Promise<Page<RunRecord>> {
    return this.page("cell_id", cellId, page);
  }

  /** A buyer's runs, newest first. */
  async listByBuyer(buyer: string, page: PageRequest): Promise<Page<RunRecord>> {
    return this.page("buyer", buyer, page);
  }

  /** The worker started (or resumed) the run on-chain as `chainRunId`, planned in `stepsTotal` steps. */
  async markRunning(id: string, input: { chainRunId: string; stepsTotal: number; at: Date }): Promise<RunRecord | undefined> {
    const at = input.at.toISOString();
    const result = await this.db
      .updateTable("runs")
      .set((eb) => ({
        status: "running",
        chain_run_id: input.chainRunId,
        steps_total: input.stepsTotal,
        started_at: eb.fn.coalesce("started_at", eb.val(at)),
        updated_at: at,
      }))
      .where("id", "=", id)
      .where("status", "not in", TERMINAL)
      .executeTakeFirst();
    return affected(result) === 1 ? this.get(id) : undefined;
  }

  /**
   * One step went through: progress, the on-chain cursor and the step's transaction hash. Progress
   * never moves back: a step that another service instance recorded after a later one (each hears
   * every step, in order, but at its own pace) leaves the later one's progress, and is a no-op
   * when its hash is already there. Undefined once the run has ended.
   */
  async recordStep(
    id: string,
    input: { stepsDone: number; cursorIndex: number; txHash: string; at: Date },
  ): Promise<RunRecord | undefined> {
    // Append to the JSON list with compare-and-set, so concurrent writers cannot drop a hash.
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
      const current = await this.db
        .selectFrom("runs")
        .select(["tx_hashes_json", "steps_done"])
        .where("id", "=", id)
        .where("status", "not in", TERMINAL)
        .executeTakeFirst();
      if (!current) return undefined;
      const hashes = fromJson<string[]>(current.tx_hashes_json);
      const advances = input.stepsDone > Number(current.steps_done);
      if (!advances && hashes.includes(input.txHash)) return this.get(id);
      if (!hashes.includes(input.txHash)) hashes.push(input.txHash);
      const result = await this.db
        .updateTable("runs")
        .set({
          ...(advances && { steps_done: input.stepsDone, cursor_index: input.cursorIndex }),
          tx_hashes_json: JSON.stringify(hashes),
          updated_at: input.at.toISOString(),
        })
        .where("id", "=", id)
        .where("tx_hashes_json", "=", current.tx_hashes_json)
        .where("status", "not in", TERMINAL)
        .executeTakeFirst();
      if (affected(result) === 1) return this.get(id);
    }
    throw new Error(`run ${id}: too many concurrent updates of its transaction hashes`);
  }

  /**
   * The run finished; its result handles (allowed to the buyer only) are in op order. `txHashes`,
   * when given, is the run's complete transaction list in chain order (start and steps, whichever
   * worker sent them) and replaces the one recorded step by step.
   */
  async finish(id: string, input: { resultHandles: string[]; txHashes?: string[]; at: Date }): Promise<RunRecord | undefined> {
    const at = input.at.toISOString();
    const result = await this.db
      .updateTable("runs")
      .set({
        status: "done",
        result_handles_json: JSON.stringify(input.resultHandles),
        ...(input.txHashes ? { tx_hashes_json: JSON.stringify(input.txHashes) } : {}),
        finished_at: at,
        updated_at: at,
      })
      .where("id", "=", id)
      .where("status", "not in", TERMINAL)
      .executeTakeFirst();
    return affected(result) === 1 ? this.get(id) : undefined;
  }

  /** The run failed for good (a contract rejection, an unrecoverable worker error). */
  async fail(id: string, input: { error: RunError; at: Date }): Promise<RunRecord | undefined> {
    const at = input.at.toISOString();
    const result = await this.db
      .updateTable("runs")
      .set({ status: "error", error_json: JSON.stringify(input.error), finished_at: at, updated_at: at })
      .where("id", "=", id)
      .where("status", "not in", TERMINAL)
      .executeTakeFirst();
    return affected(result) === 1 ? this.get(id) : undefined;
  }

  /** Runs not finished yet (queued or running), oldest first: what a restarted service catches up on. */
  async listUnfinished(limit?: number): Promise<RunRecord[]> {
    const rows = await this.db
      .selectFrom("runs")
      .selectAll()
      .where("status", "in", ["queued", "running"])
      .orderBy("created_at")
      .orderBy("id")
      .$if(limit !== undefined, (q) => q.limit(limit!))
      .execute();
    return rows.map(toRun);
  }

  /**
   * The chain was reset: every unfinished run fails with `error`, and every run gets `staleReason`
   * (its dataset and result handles no longer exist). Returns the runs that were unfinished.
   */
  async endForChainReset(input: { error: RunError; staleReason: string; at: Date }): Promise<RunRecord[]> {
    return inTransaction(this.db, async (trx) => {
      const at = input.at.toISOString();
      const unfinished = await new RunRepository(trx).listUnfinished();
      await trx
        .updateTable("runs")
        .set({ status: "error", error_json: JSON.stringify(input.error), finished_at: at, updated_at: at })
        .where("status", "not in", TERMINAL)
        .execute();
      await trx
        .updateTable("runs")
        .set({ stale_reason: input.staleReason, updated_at: at })
        .where("stale_reason", "is", null)
        .execute();
      return unfinished;
    });
  }

  private async page(column: "notebook_id" | "cell_id" | "buyer", value: string, page: PageRequest): Promise<Page<RunRecord>> {
    const rows = await this.db
      .selectFrom("runs")
      .selectAll()
      .where(column, "=", value)
      .orderBy("created_at", "desc")
      .orderBy("id")
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    const { total } = await this.db
      .selectFrom("runs")
      .select((eb) => eb.fn.countAll<number>().as("total"))
      .where(column, "=", value)
      .executeTakeFirstOrThrow();
    return { items: rows.map(toRun), total: Number(total) };
  }
}

function toRun(row: Selectable<RunsTable>): RunRecord {
  return {
    id: row.id,
    buyer: row.buyer,
    notebookId: row.notebook_id,
    cellId: row.cell_id,
    scheduleId: row.schedule_id,
    datasetId: row.dataset_id,
    programHash: row.program_hash,
    program: fromJson(row.program_json),
    source: row.source,
    fromIndex: Number(row.from_index),
    toIndex: Number(row.to_index),
    requestDigest: row.request_digest,
    request: fromJson(row.request_json),
    signature: row.signature,
    chainRunId: row.chain_run_id,
    status: row.status,
    progress: {
      stepsDone: Number(row.steps_done),
      stepsTotal: row.steps_total === null ? null : Number(row.steps_total),
      cursorIndex: row.cursor_index === null ? null : Number(row.cursor_index),
    },
    params: row.params_json === null ? null : fromJson<Record<string, string | number>>(row.params_json),
    plan: row.plan_json === null ? null : fromJson(row.plan_json),
    staleReason: row.stale_reason,
    resultHandles: row.result_handles_json === null ? null : fromJson<string[]>(row.result_handles_json),
    txHashes: fromJson<string[]>(row.tx_hashes_json),
    error: row.error_json === null ? null : fromJson<RunError>(row.error_json),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
