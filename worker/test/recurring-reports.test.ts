/**
 * Recurring encrypted reports on the chain: a standing authorization becomes a job scheduler whose
 * ticks start scheduled runs over consecutive windows; each report's handles are kept and decrypt
 * (as the buyer) to the plaintext statistics of its window; maxRuns ends the schedule.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { interpretResults } from "@iotdm/recipes";
import type { ReportResult } from "../src/job-schemas";
import { startWorker, type WorkerRuntime } from "../src/start-worker";
import { planRecipe, plainStats, signAuthorization, temperatures } from "./support/buyer";
import { startMarketFixture, type MarketFixture, type TestDataset } from "./support/market-fixture";
import { openTestQueue, type TestQueue } from "./support/redis-queue";
import { waitFor } from "./support/wait";

const RECIPE = {
  source: ['# Each report covers the readings since the previous one.', 'from "greenhouse" window since last report', "mean(temperature)", "max(temperature)"].join("\n"),
  params: {},
};

describe("recurring reports on the chain", () => {
  let fixture: MarketFixture;
  let dataset: TestDataset;
  let q: TestQueue;
  let runtime: WorkerRuntime | undefined;

  beforeAll(async () => {
    fixture = await startMarketFixture();
    dataset = await fixture.purchasedDataset({ k: 8, readings: temperatures(16, 11) });
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  beforeEach(async () => {
    q = openTestQueue("chain-reports");
    runtime = await startWorker({ config: fixture.workerConfig({ queueName: q.name, queuePrefix: q.prefix, logLevel: process.env.WORKER_TEST_LOG ?? "silent" }) });
  });

  afterEach(async () => {
    await runtime?.close({ release: false });
    await q.dispose();
  });

  const reportsOf = (id: string, count: number) =>
    waitFor(async () => {
      const reports = await q.runs.listReports(id);
      return reports.length >= count ? reports : undefined;
    }, { timeoutMs: 60_000, what: `${count} reports` });

  it("produces consecutive reports over consecutive windows until maxRuns ends the schedule", async () => {
    const { buyer } = fixture.accounts;
    const signed = await signAuthorization({ fixture, dataset, recipe: RECIPE, buyer, authorization: { cadence: "1", maxRuns: 3 } });
    const schedule = await q.runs.upsertSchedule({ market: fixture.market, ...signed, recipe: RECIPE, repeat: { every: 1_500 } });

    const [first] = await reportsOf(schedule.id, 1);
    // Ticks without a whole new bucket of readings are skipped and do not count.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(await q.runs.listReports(schedule.id)).toHaveLength(1);
    await fixture.appendReadings(dataset, temperatures(8, 12));
    await reportsOf(schedule.id, 2);
    await fixture.appendReadings(dataset, temperatures(20, 13));
    const reports = await reportsOf(schedule.id, 3);

    expect(reports.map((r) => [r.sequence, r.window.fromIndex, r.window.toIndex])).toEqual([
      [1, "0", "16"],
      [2, "16", "24"],
      // 20 new readings: the last 4 wait for a complete bucket of k = 8.
      [3, "24", "40"],
    ]);
    expect(first!.scheduleId).toBe(schedule.id);
    for (const report of reports) await expectReportMatchesPlaintext(report);

    await waitFor(async () => ((await q.runs.getSchedule(schedule.id))?.status === "ended" ? true : undefined), { what: "the end" });
    expect(await q.runs.getSchedule(schedule.id)).toMatchObject({ status: "ended", endedReason: "all runs done", reportCount: 3 });
    expect(await q.runs.queue.getJobScheduler(schedule.id)).toBeUndefined();
  });

  it("starts the first report where the authorization says, rounded up to k: the readings from then on", async () => {
    const { buyer } = fixture.accounts;
    const own = await fixture.createDataset({ k: 8 });
    await fixture.appendReadings(own, temperatures(20, 41));
    await fixture.purchaseAccess(own, buyer);
    // Signed when the dataset had 13 readings: the report starts at the next bucket, 16.
    const signed = await signAuthorization({ fixture, dataset: own, recipe: RECIPE, buyer, authorization: { fromIndex: "13", cadence: "1", maxRuns: 2 } });
    const schedule = await q.runs.upsertSchedule({ market: fixture.market, ...signed, recipe: RECIPE, repeat: { every: 1_500 } });
    // 20 readings: not one whole bucket from 16 yet, so ticks are skipped.
    await waitFor(async () => ((await q.runs.listAttempts(schedule.id)).some((a) => a.outcome === "skipped") ? true : undefined), { what: "a skipped tick" });
    expect(await q.runs.listReports(schedule.id)).toHaveLength(0);
    await fixture.appendReadings(own, temperatures(12, 42));
    const [first] = await reportsOf(schedule.id, 1);
    expect(first).toMatchObject({ sequence: 1, window: { fromIndex: "16", toIndex: "32" } });
    await expectReportMatchesPlaintext(first!, own);
  });

  it("ends the schedule when the buyer revokes the authorization", async () => {
    const { buyer } = fixture.accounts;
    const signed = await signAuthorization({ fixture, dataset, recipe: RECIPE, buyer, authorization: { cadence: "1", maxRuns: 5 } });
    await (await fixture.as(buyer).revokeStandingAuthorization(toStruct(signed.authorization))).wait();
    const schedule = await q.runs.upsertSchedule({ market: fixture.market, ...signed, recipe: RECIPE, repeat: { every: 1_000 } });

    const ended = await waitFor(async () => {
      const view = await q.runs.getSchedule(schedule.id);
      return view?.status === "ended" ? view : undefined;
    }, { timeoutMs: 30_000, what: "the schedule to end" });
    expect(ended.endedReason).toMatch(/revoked/);
    expect(ended.reportCount).toBe(0);
  });

  it("finishes the run a dead worker left unfinished as the tick's report, then goes on", async () => {
    const { buyer, relayer } = fixture.accounts;
    const own = await fixture.createDataset({ k: 8 });
    await fixture.appendReadings(own, temperatures(24, 21));
    await fixture.purchaseAccess(own, buyer);
    const signed = await signAuthorization({ fixture, dataset: own, recipe: RECIPE, buyer, authorization: { cadence: "1", maxRuns: 2 } });
    // A worker started the first scheduled run, stepped 8 of its 24 readings, and died.
    const plan = await planRecipe({ fixture, dataset: own, recipe: RECIPE });
    const market = fixture.as(relayer);
    const auth = toStruct(signed.authorization);
    const ops = plan.ops.map((o) => ({ ...o, bounds: [...o.bounds] }));
    const runId: bigint = await market.startScheduledRun.staticCall(auth, ops, signed.signature, 0, 24);
    await (await market.startScheduledRun(auth, ops, signed.signature, 0, 24)).wait();
    await (await market.step(runId, 8)).wait();

    const schedule = await q.runs.upsertSchedule({ market: fixture.market, ...signed, recipe: RECIPE, repeat: { every: 1_500 } });
    const [first] = await reportsOf(schedule.id, 1);
    expect(first).toMatchObject({ sequence: 1, runId: runId.toString(), window: { fromIndex: "0", toIndex: "24" } });
    await expectReportMatchesPlaintext(first!, own);

    await fixture.appendReadings(own, temperatures(8, 22));
    const reports = await reportsOf(schedule.id, 2);
    expect(reports[1]).toMatchObject({ sequence: 2, window: { fromIndex: "24", toIndex: "32" } });
    await expectReportMatchesPlaintext(reports[1]!, own);
  });

  it("keeps ticks that come faster than the cadence from starting runs early or piling up", async () => {
    const { buyer } = fixture.accounts;
    const own = await fixture.createDataset({ k: 8 });
    await fixture.appendReadings(own, temperatures(16, 31));
    await fixture.purchaseAccess(own, buyer);
    const signed = await signAuthorization({ fixture, dataset: own, recipe: RECIPE, buyer, authorization: { cadence: "3", maxRuns: 2 } });
    // Every second, with a cadence of 3 s: most ticks are too early.
    const schedule = await q.runs.upsertSchedule({
      market: fixture.market,
      ...signed,
      recipe: RECIPE,
      repeat: { pattern: "* * * * * *", tz: "UTC" },
    });
    await reportsOf(schedule.id, 1);
    await fixture.appendReadings(own, temperatures(8, 32));
    const reports = await reportsOf(schedule.id, 2);

    const market = fixture.as(fixture.accounts.admin);
    const [a, b] = await Promise.all(reports.map((r) => market.runInfo(BigInt(r.runId))));
    expect(Number(b.startedAt - a.startedAt)).toBeGreaterThanOrEqual(3);
    expect(await q.runs.queue.getFailedCount()).toBe(0);
    await waitFor(async () => ((await q.runs.getSchedule(schedule.id))?.status === "ended" ? true : undefined), { what: "the end" });
    expect(await q.runs.queue.getDelayedCount()).toBeLessThanOrEqual(1);
  });

  function toStruct(authorization: Awaited<ReturnType<typeof signAuthorization>>["authorization"]) {
    return {
      ...authorization,
      datasetId: BigInt(authorization.datasetId),
      fromIndex: BigInt(authorization.fromIndex),
      cadence: BigInt(authorization.cadence),
      expiry: BigInt(authorization.expiry),
      nonce: BigInt(authorization.nonce),
    };
  }

  async function expectReportMatchesPlaintext(report: ReportResult, of: TestDataset = dataset) {
    const from = Number(report.window.fromIndex);
    const to = Number(report.window.toIndex);
    // The plan the buyer's browser makes to read a report: the recipe over the report's window.
    const plan = await planRecipe({ fixture, dataset: of, recipe: { source: RECIPE.source.replace("since last report", "all"), params: {} } });
    const windowPlan = { ...plan, window: { ...plan.window, fromIndex: from, toIndex: to, length: to - from } };
    const decrypted = await fixture.decryptResults({ buyer: fixture.accounts.buyer, plan: windowPlan, handles: report.handles });
    const [mean, max] = interpretResults({ plan: windowPlan, decrypted });
    const plain = plainStats(of.values, from, to);
    expect((mean as { value: { number: number } }).value.number).toBeCloseTo(plain.mean, 3);
    expect((max as { value: { number: number } }).value.number).toBe(plain.max);
  }
});
