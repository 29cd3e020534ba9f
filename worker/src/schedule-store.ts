/**
 * Schedule records and their reports, kept in the queue's Redis beside BullMQ's own keys.
 *
 * BullMQ's job scheduler only knows *when* to tick; the record knows *what* to run (authorization,
 * signature, recipe) and whether the schedule is active, paused or ended. Keeping it apart from the
 * scheduler's template is what makes pause/resume possible (a paused schedule has no BullMQ
 * scheduler at all) and lets every tick read the current record.
 *
 * Keys (`<prefix>:<queue>:` omitted): `sched:ids` (set of ids), `sched:<id>` (record JSON),
 * `sched:<id>:reports` (hash runId → report JSON, so a retried tick overwrites instead of
 * duplicating), `sched:<id>:attempts` (list of the latest {@link ATTEMPTS_KEPT} tick attempts, newest
 * first), `sched:<id>:lease` (the job id of the tick working on it, with a TTL).
 */
import type { Redis } from "ioredis";
import {
  reportAttemptSchema,
  reportResultSchema,
  scheduleRecordSchema,
  type ReportAttempt,
  type ReportResult,
  type ScheduleRecord,
  type ScheduleStatus,
} from "./job-schemas";
import { leaseSteps, type LeaseKey } from "./lease";

/**
 * Tick attempts kept per schedule in Redis. The service copies them into its store as they come
 * (and at every catch-up), so this only has to cover the time the service may be away.
 */
export const ATTEMPTS_KEPT = 200;

/** Reads and writes schedule records and reports of one queue. */
export class ScheduleStore {
  readonly #redis: Redis;
  readonly #base: string;

  constructor(options: { redis: Redis; prefix: string; queueName: string }) {
    this.#redis = options.redis;
    this.#base = `${options.prefix}:${options.queueName}:sched`;
  }

  #recordKey(id: string): string {
    return `${this.#base}:${id.toLowerCase()}`;
  }

  #reportsKey(id: string): string {
    return `${this.#base}:${id.toLowerCase()}:reports`;
  }

  #attemptsKey(id: string): string {
    return `${this.#base}:${id.toLowerCase()}:attempts`;
  }

  /** Keeps one tick attempt of schedule `attempt.scheduleId` (the latest {@link ATTEMPTS_KEPT}). */
  async addAttempt(attempt: ReportAttempt): Promise<void> {
    const valid = reportAttemptSchema.parse(attempt);
    const key = this.#attemptsKey(valid.scheduleId);
    await this.#redis.multi().lpush(key, JSON.stringify(valid)).ltrim(key, 0, ATTEMPTS_KEPT - 1).exec();
  }

  /** The kept tick attempts of schedule `id`, newest first. */
  async attempts(id: string): Promise<ReportAttempt[]> {
    const all = await this.#redis.lrange(this.#attemptsKey(id), 0, -1);
    return all.flatMap((json) => {
      const parsed = reportAttemptSchema.safeParse(JSON.parse(json));
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** The record of schedule `id`, or undefined. */
  async get(id: string): Promise<ScheduleRecord | undefined> {
    const json = await this.#redis.get(this.#recordKey(id));
    return json === null ? undefined : scheduleRecordSchema.parse(JSON.parse(json));
  }

  /** Stores `record` (insert or replace). */
  async put(record: ScheduleRecord): Promise<void> {
    const valid = scheduleRecordSchema.parse(record);
    await this.#redis
      .multi()
      .set(this.#recordKey(valid.id), JSON.stringify(valid))
      .sadd(`${this.#base}:ids`, valid.id.toLowerCase())
      .exec();
  }

  /**
   * Changes the status of schedule `id`, with why it ended or was paused (`reason`); returns the updated record, or
   * undefined if absent. A change without a reason clears the previous one.
   */
  async setStatus(id: string, status: ScheduleStatus, reason?: string): Promise<ScheduleRecord | undefined> {
    const record = await this.get(id);
    if (!record) return undefined;
    const updated: ScheduleRecord = { ...record, status, updatedAt: Date.now() };
    delete updated.endedReason;
    delete updated.pausedReason;
    if (reason !== undefined && status === "ended") updated.endedReason = reason;
    if (reason !== undefined && status === "paused") updated.pausedReason = reason;
    await this.put(updated);
    return updated;
  }

  /** Every record, oldest first. */
  async list(): Promise<ScheduleRecord[]> {
    const ids = await this.#redis.smembers(`${this.#base}:ids`);
    if (ids.length === 0) return [];
    const values = await this.#redis.mget(ids.map((id) => this.#recordKey(id)));
    return values
      .filter((json): json is string => json !== null)
      .map((json) => scheduleRecordSchema.parse(JSON.parse(json)))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Deletes the record, and its reports unless `keepReports`; false if there was no record. */
  async delete(options: { id: string; keepReports: boolean }): Promise<boolean> {
    const { id, keepReports } = options;
    const tx = this.#redis.multi().del(this.#recordKey(id)).srem(`${this.#base}:ids`, id.toLowerCase());
    if (!keepReports) tx.del(this.#reportsKey(id));
    tx.del(this.#attemptsKey(id));
    const [[, removed] = [null, 0]] = (await tx.exec()) ?? [];
    return removed === 1;
  }

  /**
   * Takes the lease of schedule `id` for `owner` (a tick's job id) for `ttlMs`, so that one tick at
   * a time works on a schedule. Succeeds if nobody holds it or `owner` already does (a retry of the
   * same tick); a dead holder's lease simply expires.
   */
  async acquireLease(options: { id: string; owner: string; ttlMs: number }): Promise<boolean> {
    return leaseSteps.acquire({ ...this.#leaseKey(options), ttlMs: options.ttlMs });
  }

  /** Extends the lease while `owner` holds it; false if it was lost. */
  async renewLease(options: { id: string; owner: string; ttlMs: number }): Promise<boolean> {
    return leaseSteps.renew({ ...this.#leaseKey(options), ttlMs: options.ttlMs });
  }

  /** Gives the lease up if `owner` holds it. */
  async releaseLease(options: { id: string; owner: string }): Promise<void> {
    await leaseSteps.release(this.#leaseKey(options));
  }

  #leaseKey(options: { id: string; owner: string }): LeaseKey {
    return { redis: this.#redis, key: `${this.#recordKey(options.id)}:lease`, value: options.owner };
  }

  /** Deletes every record and report of this queue (tests and teardown). */
  async clear(): Promise<void> {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await this.#redis.scan(cursor, "MATCH", `${this.#base}:*`, "COUNT", 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    if (keys.length > 0) await this.#redis.del(...keys);
  }

  /** Keeps a finished report (idempotent per chain run id). */
  async addReport(report: ReportResult): Promise<void> {
    const valid = reportResultSchema.parse(report);
    await this.#redis.hset(this.#reportsKey(valid.scheduleId), valid.runId, JSON.stringify(valid));
  }

  /** Whether the report of chain run `runId` is kept for schedule `id`. */
  async hasReport(id: string, runId: string): Promise<boolean> {
    return (await this.#redis.hexists(this.#reportsKey(id), runId)) === 1;
  }

  /** The reports of schedule `id`, in sequence order. */
  async reports(id: string): Promise<ReportResult[]> {
    const all = await this.#redis.hvals(this.#reportsKey(id));
    return all.map((json) => reportResultSchema.parse(JSON.parse(json))).sort((a, b) => a.sequence - b.sequence);
  }

  /** Number of reports kept for schedule `id`. */
  async reportCount(id: string): Promise<number> {
    return this.#redis.hlen(this.#reportsKey(id));
  }
}
