/**
 * Nothing about a schedule fails silently. The queue's Redis is a real redis-server of this test's
 * own, restarted empty (`SHUTDOWN NOSAVE`, as the launcher's private Redis, which keeps nothing on
 * disk, loses everything): the store is the source of truth, and the service restores every live
 * schedule's job scheduler, and every queued run's job, at start and periodically. Every tick
 * attempt, failed or skipped, is in the schedule's history with its reason, and a schedule that
 * keeps failing says so. Local fhevm chain, a real worker in this process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerRuntime } from "@iotdm/worker";
import type { App } from "../app";
import { createStore, type Store } from "../store/store";
import { as, type TestUser } from "./support/app";
import { ALL_BUT_HISTOGRAM, startMarketFixture, temperatures, type TestDataset, type MarketFixture } from "@iotdm/worker/testing";
import { startPrivateRedis, type PrivateRedis } from "./support/private-redis";
import { buyerWithNotebook, signScheduleAuthorization, startWorkbenchApp, testQueueName, workerConfig } from "./support/workbench";

const RECIPE = 'from "greenhouse" window all\nmean(temperature)';
/** MEAN's bit in a dataset's approved-kinds mask (recipes' KIND codes). */
const MEAN_BIT = 1 << 2;
/** Once a year: nothing ticks while the test runs. */
const YEARLY = { pattern: "0 0 1 1 *", tz: "UTC" };

describe("schedules and queued runs survive a Redis that lost its data; failures are visible", () => {
  let fixture: MarketFixture;
  let dataset: TestDataset;
  let store: Store;
  let redis: PrivateRedis;
  let app: App;
  let worker: WorkerRuntime | undefined;
  let buyer: TestUser;
  let notebookId: string;
  let cellId: string;
  const queue = testQueueName("schedule-faults");
  /** Instances replaced by a fresh start, closed at the end (a close waits at most 20 s each). */
  const retired: App[] = [];

  const startApp = async () => (await startWorkbenchApp({ store, fixture, queueName: queue.name, env: { REDIS_URL: redis.url } })).app;
  const startTheWorker = () => startWorker({ config: { ...workerConfig(fixture, queue.name), redisUrl: redis.url } });

  beforeAll(async () => {
    redis = await startPrivateRedis();
    fixture = await startMarketFixture();
    dataset = await fixture.purchasedDataset({ k: 8, readings: temperatures(16) });
    store = createStore({ kind: "sqlite", path: ":memory:" });
    await store.migrate();
    app = await startApp();
    await app.indexer.whenCaughtUp();
    ({ buyer, notebookId, cellId } = await buyerWithNotebook(app, fixture, { dataset, title: "Reports", source: RECIPE }));
  });

  afterAll(async () => {
    await worker?.close({ release: false });
    for (const instance of [...retired, app]) {
      await Promise.race([instance?.close(), new Promise((resolve) => setTimeout(resolve, 20_000))]);
    }
    await store?.close();
    await fixture?.stop();
    await redis?.stop();
  });

  async function createSchedule(options: { on?: TestDataset; repeat: Record<string, unknown>; maxRuns?: number; cadence?: string }) {
    const on = options.on ?? dataset;
    const plan = (await as(app, buyer, { method: "POST", url: "/api/runs/plan", payload: { datasetId: on.id.toString(), source: RECIPE } })).json();
    const { authorization, signature } = await signScheduleAuthorization({
      fixture,
      buyer,
      plan,
      datasetId: on.id.toString(),
      validForSeconds: 400 * 86_400,
      overrides: { cadence: options.cadence ?? "1", maxRuns: options.maxRuns ?? 5 },
    });
    const created = await as(app, buyer, {
      method: "POST",
      url: "/api/schedules",
      payload: { notebookId, cellId, datasetId: on.id.toString(), source: RECIPE, authorization, signature, repeat: options.repeat },
    });
    expect(created.statusCode, created.body).toBe(201);
    return created.json();
  }

  const getSchedule = async (id: string) => (await as(app, buyer, { method: "GET", url: `/api/schedules/${id}` })).json();

  it("restores every live schedule's job scheduler from the store after Redis restarts empty, at start and periodically", async () => {
    const yearly = await createSchedule({ repeat: YEARLY });
    const paused = await createSchedule({ repeat: YEARLY });
    expect((await as(app, buyer, { method: "POST", url: `/api/schedules/${paused.id}/pause`, payload: {} })).json().status).toBe("paused");
    // No worker yet: this schedule's first report can only come after the restart.
    const reporting = await createSchedule({ repeat: { every: 1_000 }, maxRuns: 1 });
    expect(yearly.nextRunAt).not.toBeNull();

    await redis.restartEmpty();
    await expect.poll(async () => app.runQueue.getSchedule(yearly.authorizationDigest).catch(() => "down"), { timeout: 30_000 }).toBeUndefined();
    // What the issue saw: still "active", but nothing will ever tick.
    expect(await getSchedule(yearly.id)).toMatchObject({ status: "active", nextRunAt: null });

    // The periodic pass (every minute; called here rather than waited for).
    await app.progressRecorder.reconcile();
    expect(await getSchedule(yearly.id)).toMatchObject({ status: "active", schedulerProblem: null, failing: false });
    expect(Date.parse((await getSchedule(yearly.id)).nextRunAt)).toBeGreaterThan(Date.now());
    expect(await app.runQueue.getSchedule(paused.authorizationDigest)).toMatchObject({ status: "paused" });
    expect(await app.runQueue.queue.getJobScheduler(paused.authorizationDigest)).toBeUndefined();

    // Again, and this time a fresh service instance restores them by itself, at its start.
    await redis.restartEmpty();
    retired.push(app);
    app = await startApp();
    await expect.poll(async () => (await getSchedule(yearly.id)).nextRunAt, { timeout: 30_000, interval: 250 }).not.toBeNull();
    await expect.poll(async () => (await app.runQueue.getSchedule(reporting.authorizationDigest))?.status, { timeout: 30_000 }).toBe("active");

    // Resume works on a schedule Redis forgot; the restored schedule reports once a worker runs.
    const resumed = (await as(app, buyer, { method: "POST", url: `/api/schedules/${paused.id}/resume`, payload: {} })).json();
    expect(resumed).toMatchObject({ status: "active" });
    expect(resumed.nextRunAt).not.toBeNull();
    worker = await startTheWorker();
    await expect.poll(async () => (await getSchedule(reporting.id)).status, { timeout: 90_000, interval: 500 }).toBe("completed");
    expect(await getSchedule(reporting.id)).toMatchObject({ runsDone: 1, reportCount: 1 });
    await as(app, buyer, { method: "POST", url: `/api/schedules/${paused.id}/pause`, payload: {} });
    await as(app, buyer, { method: "POST", url: `/api/schedules/${yearly.id}/pause`, payload: {} });
  });

  it("keeps a queued run across a Redis restart: its job is enqueued again and it runs", async () => {
    await worker?.close({ release: false });
    worker = undefined;
    const planned = (await as(app, buyer, { method: "POST", url: "/api/runs/plan", payload: { datasetId: dataset.id.toString(), source: RECIPE } })).json();
    const signature = await buyer.wallet.signTypedData(planned.typedData.domain, planned.typedData.types, planned.request);
    const submitted = await as(app, buyer, {
      method: "POST",
      url: "/api/runs",
      payload: { notebookId, cellId, datasetId: dataset.id.toString(), source: RECIPE, request: planned.request, signature },
    });
    expect(submitted.statusCode, submitted.body).toBe(201);
    const run = submitted.json();
    const { requestDigest } = (await store.runs.getForBuyer(run.id, run.buyer))!;
    expect(await app.runQueue.getRun(requestDigest)).toMatchObject({ state: "waiting" });

    await redis.restartEmpty();
    await expect.poll(async () => app.runQueue.getRun(requestDigest).catch(() => "down"), { timeout: 30_000 }).toBeUndefined();
    await app.progressRecorder.reconcile();
    worker = await startTheWorker();
    await expect.poll(async () => (await as(app, buyer, { method: "GET", url: `/api/runs/${run.id}` })).json().status, { timeout: 90_000, interval: 500 }).toBe("done");
  });

  it("shows every failed or skipped tick with its reason, and marks a schedule that keeps failing", async () => {
    worker ??= await startTheWorker();
    const own = await fixture.purchasedDataset({ k: 8, approvedKinds: ALL_BUT_HISTOGRAM, readings: temperatures(8) });
    await app.indexer.whenCaughtUp();
    const schedule = await createSchedule({ on: own, repeat: { every: 1_500 }, maxRuns: 5, cadence: "1" });
    // The first report, then ticks with no new bucket of readings: skipped, with the reason.
    await expect.poll(async () => (await getSchedule(schedule.id)).runsDone, { timeout: 90_000, interval: 500 }).toBe(1);
    await expect
      .poll(async () => (await getSchedule(schedule.id)).attempts.filter((a: { outcome: string }) => a.outcome === "skipped").length, { timeout: 60_000, interval: 500 })
      .toBeGreaterThan(0);

    // The seller withdraws MEAN: every later tick is refused by the contract.
    await (await fixture.as(fixture.accounts.seller).revokeRecipeKinds(own.id, MEAN_BIT)).wait();
    await fixture.appendReadings(own, temperatures(8));
    let last: unknown;
    await expect
      .poll(
        async () => {
          last = await getSchedule(schedule.id);
          return (last as { failing: boolean }).failing;
        },
        { timeout: 90_000, interval: 500 },
      )
      .toBe(true)
      .catch((error: Error) => {
        throw new Error(`${error.message}; the schedule: ${JSON.stringify(last)}`);
      });

    const view = await getSchedule(schedule.id);
    expect(view).toMatchObject({ status: "active", runsDone: 1, lastFailure: { reason: expect.stringMatching(/approv/i) } });
    expect(view.failuresInARow).toBeGreaterThanOrEqual(2);
    const outcomes = view.attempts.map((a: { outcome: string }) => a.outcome);
    expect(outcomes).toContain("report");
    expect(outcomes).toContain("skipped");
    const failed = view.attempts.filter((a: { outcome: string }) => a.outcome === "failed");
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed[0]).toMatchObject({ code: "CONTRACT_REJECTED", reason: expect.stringMatching(/approv/i), willRetry: false });
    for (const attempt of view.attempts) if (attempt.outcome !== "report") expect(attempt.reason).toEqual(expect.any(String));

    // The list marks it too.
    const list = (await as(app, buyer, { method: "GET", url: `/api/schedules?notebookId=${notebookId}` })).json();
    expect(list.items.find((s: { id: string }) => s.id === schedule.id)).toMatchObject({ failing: true, lastFailure: { reason: expect.stringMatching(/approv/i) } });
    await as(app, buyer, { method: "DELETE", url: `/api/schedules/${schedule.id}` });
  });
});
