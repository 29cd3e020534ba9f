/**
 * Schedules end to end: a signed standing authorization becomes the worker's BullMQ job scheduler;
 * its reports come back as runs of the schedule whose result handles the buyer decrypts; pause,
 * resume and delete reach the queue; rejections write and schedule nothing. Local fhevm chain, real
 * Redis, a real worker in this process.
 */
import { parseEther } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STANDING_AUTHORIZATION_TYPES } from "@iotdm/contracts-client";
import { interpretResults, PlanSchema } from "@iotdm/recipes";
import type { WorkerRuntime } from "@iotdm/worker";
import type { App } from "../app";
import { createStore, type Store } from "../store/store";
import { as, expectError, signIn, type TestUser } from "./support/app";
import { snapshotStore } from "./support/backends";
import { startMarketFixture, temperatures, type TestDataset, type MarketFixture } from "@iotdm/worker/testing";
import { buyerWithNotebook, signScheduleAuthorization, startTestWorker, startWorkbenchApp, testQueueName } from "./support/workbench";

const RECIPE = 'from "greenhouse" window all\nmean(temperature)';

describe("schedules on the chain, end to end", () => {
  let fixture: MarketFixture;
  let dataset: TestDataset;
  let store: Store;
  let app: App;
  let worker: WorkerRuntime;
  let queue: ReturnType<typeof testQueueName>;
  let buyer: TestUser;
  let notebookId: string;
  let cellId: string;

  beforeAll(async () => {
    fixture = await startMarketFixture();
    dataset = await fixture.purchasedDataset({ k: 8, readings: temperatures(32) });
    store = createStore({ kind: "sqlite", path: ":memory:" });
    await store.migrate();
    queue = testQueueName("workbench-schedules");
    ({ app } = await startWorkbenchApp({ store, fixture, queueName: queue.name }));
    worker = await startTestWorker(fixture, queue.name);
    await app.indexer.whenCaughtUp();
    ({ buyer, notebookId, cellId } = await buyerWithNotebook(app, fixture, { dataset, title: "Reports", source: RECIPE }));
  });

  afterAll(async () => {
    await worker?.close({ release: false });
    await app?.close();
    await store?.close();
    await queue?.dispose();
    await fixture?.stop();
  });

  /** Signs a standing authorization for `RECIPE`'s program (from the plan), with `overrides`. */
  async function authorize(overrides: Record<string, string | number> = {}) {
    const plan = (await as(app, buyer, { method: "POST", url: "/api/runs/plan", payload: { datasetId: dataset.id.toString(), source: RECIPE } })).json();
    return signScheduleAuthorization({ fixture, buyer, plan, datasetId: dataset.id.toString(), overrides });
  }

  const create = (body: Record<string, unknown>) =>
    as(app, buyer, { method: "POST", url: "/api/schedules", payload: { notebookId, cellId, datasetId: dataset.id.toString(), source: RECIPE, ...body } });

  it("runs the reports of a signed authorization, which the buyer decrypts", async () => {
    const { authorization, signature } = await authorize({ maxRuns: 1 });
    const created = await create({ authorization, signature, repeat: { every: 1000 } });
    expect(created.statusCode, created.body).toBe(201);
    const schedule = created.json();
    expect(schedule).toMatchObject({ status: "active", maxRuns: 1, cadenceSeconds: 1, repeat: { every: 1000 }, notebookId, cellId, runsDone: 0 });

    let view = schedule;
    await expect
      .poll(
        async () => {
          view = (await as(app, buyer, { method: "GET", url: `/api/schedules/${schedule.id}` })).json();
          return view.status;
        },
        { timeout: 90_000, interval: 250 },
      )
      .toBe("completed");
    expect(view).toMatchObject({ runsDone: 1, nextFromIndex: 32, reportCount: 1 });
    const [report] = view.reports;
    expect(report).toMatchObject({ fromIndex: 0, toIndex: 32, run: { status: "done", scheduleId: schedule.id, notebookId, cellId } });

    const plan = PlanSchema.parse(report.run.plan);
    const decrypted = await fixture.decrypt({
      signer: fixture.accounts.buyer,
      handles: report.run.resultHandles.map((handle: string, i: number) => ({ handle, type: plan.handles[i]!.type })),
    });
    const [mean] = interpretResults({ plan, decrypted });
    expect((mean as { value: { number: number } }).value.number).toBeCloseTo(dataset.values.reduce((a, b) => a + b, 0) / 32, 3);

    // The report is also one of the notebook's runs; the same authorization again is the same schedule.
    const runs = (await as(app, buyer, { method: "GET", url: `/api/notebooks/${notebookId}/runs` })).json();
    expect(runs.items.map((r: { id: string }) => r.id)).toContain(report.run.id);
    const again = await create({ authorization, signature, repeat: { every: 1000 } });
    expect([again.statusCode, again.json().id]).toEqual([200, schedule.id]);

    const stranger = await signIn(app, fixture.accounts.otherBuyer);
    expectError(await as(app, stranger, { method: "GET", url: `/api/schedules/${schedule.id}` }), 404, "ERR_SCHEDULE_NOT_FOUND");
    expectError(await as(app, stranger, { method: "GET", url: `/api/schedules/${schedule.id}/reports` }), 404, "ERR_SCHEDULE_NOT_FOUND");
    expectError(await as(app, stranger, { method: "POST", url: `/api/schedules/${schedule.id}/pause`, payload: {} }), 404, "ERR_SCHEDULE_NOT_FOUND");
  });

  it("pauses, resumes and deletes a schedule, in the store and in the queue", async () => {
    const now = (await fixture.provider.getBlock("latest"))!.timestamp;
    // Once a year, so that nothing ticks during the test; the authorization outlives the next tick.
    // Signed from reading 13: the first report starts at the next bucket of k = 8, as the contract will require.
    const { authorization, signature } = await authorize({ maxRuns: 3, cadence: "60", expiry: String(now + 400 * 86_400), fromIndex: "13" });
    const schedule = (await create({ authorization, signature, repeat: { pattern: "0 0 1 1 *", tz: "Europe/Paris" } })).json();
    expect(schedule).toMatchObject({ status: "active", repeat: { pattern: "0 0 1 1 *", tz: "Europe/Paris" }, nextFromIndex: 16 });
    expect(Date.parse(schedule.nextRunAt)).toBeGreaterThan(Date.now());
    expect(await app.runQueue.getSchedule(schedule.authorizationDigest)).toMatchObject({ status: "active" });

    const paused = await as(app, buyer, { method: "POST", url: `/api/schedules/${schedule.id}/pause` });
    expect(paused.json()).toMatchObject({ status: "paused", nextRunAt: null });
    expect(await app.runQueue.getSchedule(schedule.authorizationDigest)).toMatchObject({ status: "paused" });
    const error = expectError(await as(app, buyer, { method: "POST", url: `/api/schedules/${schedule.id}/pause` }), 409, "ERR_SCHEDULE_STATE_CONFLICT");
    expect(error.message).toBe(`Schedule ${schedule.id} is paused, so it cannot be paused.`);

    const resumed = await as(app, buyer, { method: "POST", url: `/api/schedules/${schedule.id}/resume`, payload: {} });
    expect(resumed.json()).toMatchObject({ status: "active" });
    expect(await app.runQueue.getSchedule(schedule.authorizationDigest)).toMatchObject({ status: "active" });

    const list = (await as(app, buyer, { method: "GET", url: `/api/schedules?notebookId=${notebookId}` })).json();
    expect(list.items.map((s: { id: string }) => s.id)).toContain(schedule.id);

    expect((await as(app, buyer, { method: "DELETE", url: `/api/schedules/${schedule.id}` })).statusCode).toBe(204);
    expectError(await as(app, buyer, { method: "GET", url: `/api/schedules/${schedule.id}` }), 404, "ERR_SCHEDULE_NOT_FOUND");
    expect(await app.runQueue.getSchedule(schedule.authorizationDigest)).toBeUndefined();
  });

  describe("rejections: a 4xx with a sentence, and nothing written or scheduled", () => {
    async function expectRejected(body: Record<string, unknown>, status: number, code: Parameters<typeof expectError>[2], message: RegExp) {
      const before = await snapshotStore(store);
      const schedulers = await app.runQueue.queue.getJobSchedulersCount();
      const error = expectError(await create(body), status, code);
      expect(error.message).toMatch(message);
      expect(await snapshotStore(store)).toEqual(before);
      expect(await app.runQueue.queue.getJobSchedulersCount()).toBe(schedulers);
    }

    it("an authorization that has expired", async () => {
      const { authorization, signature } = await authorize({ expiry: "1000" });
      await expectRejected({ authorization, signature, repeat: { every: 1000 } }, 422, "ERR_SCHEDULE_AUTHORIZATION_EXPIRED", /expired at 1970-01-01T00:16:40.000Z/);
    });

    it("an authorization whose first window starts after the readings", async () => {
      const { authorization, signature } = await authorize({ fromIndex: "40" });
      await expectRejected(
        { authorization, signature, repeat: { every: 1000 } },
        422,
        "ERR_SCHEDULE_WINDOW_INVALID",
        /starts at reading 40, after the 32 readings appended so far/,
      );
    });

    it("a recipe that is not the program the buyer authorized", async () => {
      const { authorization, signature } = await authorize();
      await expectRejected(
        { authorization, signature, repeat: { every: 1000 }, source: 'from "greenhouse" window all\nmax(temperature)' },
        422,
        "ERR_SCHEDULE_PROGRAM_MISMATCH",
        /but the standing authorization covers program/,
      );
    });

    it("a signature that is not the buyer's", async () => {
      const { authorization } = await authorize();
      const forged = await fixture.accounts.otherBuyer.signTypedData(
        { name: "IoTDataMarket", version: "1", chainId: 31337, verifyingContract: fixture.address },
        STANDING_AUTHORIZATION_TYPES,
        authorization,
      );
      await expectRejected({ authorization, signature: forged, repeat: { every: 1000 } }, 400, "ERR_SCHEDULE_SIGNATURE_INVALID", /is not 0x[0-9a-fA-F]{40}'s EIP-712 signature/);
    });
  });

  it("pauses a schedule whose buyer's balance is short of a report's quote, with why, and runs it again after a deposit and a resume (issue 15)", async () => {
    const perReport = parseEther("0.002");
    const market = fixture.as(fixture.accounts.buyer);
    await (await market.deposit({ value: perReport - (await market.balanceOf(buyer.address)) })).wait();
    // From reading 32, the end of the readings: no report is due until more are appended.
    const { authorization, signature } = await authorize({ maxRuns: 3, fromIndex: "32", maxPaymentPerRun: perReport.toString() });
    const created = await create({ authorization, signature, repeat: { every: 1000 } });
    expect(created.statusCode, created.body).toBe(201);
    const schedule = created.json();
    expect(schedule).toMatchObject({ status: "active", pausedReason: null });

    // The buyer spends the balance elsewhere, then a report is due: the tick pauses the schedule instead of failing.
    await (await market.withdrawBalance(parseEther("0.001"))).wait();
    await fixture.appendReadings(dataset, temperatures(8));
    const view = async () => (await as(app, buyer, { method: "GET", url: `/api/schedules/${schedule.id}` })).json();
    await expect.poll(async () => (await view()).status, { timeout: 60_000, interval: 250 }).toBe("paused");
    expect((await view()).pausedReason).toBe("paused: balance 0.001 ETH is short of the report's 0.002 ETH quote; deposit to resume");
    expect(await app.runQueue.getSchedule(schedule.authorizationDigest)).toMatchObject({ status: "paused" });
    expect((await view()).runsDone).toBe(0);

    await (await market.deposit({ value: parseEther("0.001") })).wait();
    const resumed = await as(app, buyer, { method: "POST", url: `/api/schedules/${schedule.id}/resume`, payload: {} });
    expect(resumed.json()).toMatchObject({ status: "active", pausedReason: null });
    await expect.poll(async () => (await view()).runsDone, { timeout: 90_000, interval: 250 }).toBe(1);
    expect((await view()).reports[0]).toMatchObject({ fromIndex: 32, toIndex: 40, run: { status: "done" } });
    expect((await as(app, buyer, { method: "DELETE", url: `/api/schedules/${schedule.id}` })).statusCode).toBe(204);
  });
});
