/**
 * Private datasets through the service (issue 11): a plan on a private dataset carries its privacy
 * figures (the ε it charges to which readings, the buyer's budget before and after it from the
 * contract's `privacySpent`, each statistic's ± at 95 %); the budget route pictures what the buyer
 * has left over time as the contract accounts it; a signed run the budget cannot pay for is refused
 * with the contract's sentence before anything is enqueued; bad input is a 4xx with a sentence.
 * A local Hardhat node with the fhevm mock and the market; no worker (nothing here needs a run to
 * finish: the contract charges a run's ε when it starts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Comparator, encodeProgram, op, PrivacyMode, RecipeKind, type Op } from "@iotdm/contracts-client";
import type { App } from "../app";
import { createStore, type Store } from "../store/store";
import { as, expectError, signIn, type TestUser } from "./support/app";
import { startMarketFixture, temperatures, type MarketFixture, type TestDataset } from "@iotdm/worker/testing";
import { startWorkbenchApp, testQueueName } from "./support/workbench";

/** Readings clamped into [−40, 60] °C, a budget of ε 10 per reading, ε 0.1 … 2 per statistic. */
const PRIVACY = { mode: PrivacyMode.PRIVATE, lowerBound: 1000n, upperBound: 11000n, budget: 10_000, minEpsilon: 100, maxEpsilon: 2000 };
const RECIPE = 'from "greenhouse" window all\nmean(temperature) privacy 2\ncount(temperature > 25) privacy 0.5';

describe("private datasets through the service", () => {
  let fixture: MarketFixture;
  let dataset: TestDataset;
  let exact: TestDataset;
  let store: Store;
  let app: App;
  let queue: ReturnType<typeof testQueueName>;
  let buyer: TestUser;

  beforeAll(async () => {
    fixture = await startMarketFixture();
    dataset = await fixture.createDataset({ k: 8, privacy: PRIVACY });
    exact = await fixture.createDataset({ k: 8 });
    await fixture.appendReadings(dataset, temperatures(64));
    await fixture.purchaseAccess(dataset, fixture.accounts.buyer);
    store = createStore({ kind: "sqlite", path: ":memory:" });
    await store.migrate();
    queue = testQueueName("workbench-private");
    ({ app } = await startWorkbenchApp({ store, fixture, queueName: queue.name }));
    await app.indexer.whenCaughtUp();
    buyer = await signIn(app, fixture.accounts.buyer);
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await queue?.dispose();
    await fixture?.stop();
  });

  const plan = (source: string, datasetId = dataset.id) =>
    as(app, buyer, { method: "POST", url: "/api/runs/plan", payload: { datasetId: datasetId.toString(), source } });
  const budget = (query: string, datasetId = dataset.id) => as(app, buyer, { method: "GET", url: `/api/datasets/${datasetId}/budget${query}` });
  /** Starts a run as the buyer, directly on the chain: the contract charges its ε to [from, to) at once. */
  const spend = async (ops: Op[], from: number, to: number) =>
    (await (await fixture.as(fixture.accounts.buyer).startRun(dataset.id, encodeProgram(ops), from, to)).wait())!;

  it("plans a private run with the ε it charges, each statistic's ± at 95 % and the buyer's budget", async () => {
    const response = await plan(RECIPE);
    expect(response.statusCode, response.body).toBe(200);
    const { privacy, plan: json } = response.json();
    expect((json.ops as { epsilon: number }[]).map((o) => o.epsilon)).toEqual([2000, 500]);
    expect(privacy).toMatchObject({
      mode: "private",
      epsilonMilli: 2500,
      fromIndex: 0,
      toIndex: 64,
      budget: { budgetMilli: 10_000, spentMilli: 0, remainingAfterMilli: 7500, exceeded: false, runsAfter: 3 },
    });
    expect(privacy.statistics.map((s: { noise: { unit: string; interval: string } }) => [s.noise.unit, s.noise.interval])).toEqual([
      ["°C", "exact"],
      ["readings", "exact"],
    ]);
    expect(privacy.statistics[0].noise.text).toMatch(/^± [\d.]+ °C \(95 %\)$/);
    expect(privacy.schedule).toBeUndefined();
  });

  it("tells a schedule's plan how many reports the budget allows", async () => {
    const response = await as(app, buyer, { method: "POST", url: "/api/runs/plan", payload: { datasetId: dataset.id.toString(), source: RECIPE, scheduled: true } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().privacy.schedule).toMatchObject({ epsilonPerReportMilli: 2500, reportsAllowed: null, leftPerReadingMilli: 7500 });
  });

  it("refuses a statistic a private dataset does not offer, with the checker's sentence and quick fix", async () => {
    const error = expectError(await plan('from "greenhouse" window all\nmax(temperature)'), 422, "ERR_RECIPE_INVALID");
    expect(JSON.stringify(error.details)).toMatch(/a private dataset does not offer max/);
  });

  it("plans an exact dataset without privacy figures", async () => {
    await fixture.appendReadings(exact, temperatures(8));
    await fixture.purchaseAccess(exact, fixture.accounts.buyer);
    await app.indexer.whenCaughtUp();
    const response = await plan('from "greenhouse" window all\nmean(temperature)', exact.id);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().privacy).toBeNull();
  });

  it("pictures the buyer's budget over time ranges as the contract accounts it, and the next plan counts what was spent", async () => {
    await spend([op({ kind: RecipeKind.MEAN, epsilon: 2000 }), op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GT, a: 7500n, epsilon: 500 })], 0, 32);
    const response = await budget("?parts=2");
    expect(response.statusCode, response.body).toBe(200);
    const picture = response.json();
    expect(picture).toMatchObject({ datasetId: dataset.id.toString(), buyer: buyer.address, budgetMilli: 10_000, privateFrom: 0 });
    expect(picture.ranges.map((r: { fromIndex: number; toIndex: number; spentMilli: number; remainingMilli: number }) => [r.fromIndex, r.toIndex, r.spentMilli, r.remainingMilli])).toEqual([
      [0, 32, 2500, 7500],
      [32, 64, 0, 10_000],
    ]);
    expect((await plan(RECIPE)).json().privacy.budget).toMatchObject({ spentMilli: 2500, remainingAfterMilli: 5000, runsAfter: 2 });
  });

  it("refuses a signed run the budget cannot pay for, with the contract's sentence, and enqueues nothing", async () => {
    await spend([op({ kind: RecipeKind.SUM, epsilon: 2000 }), op({ kind: RecipeKind.MEAN, epsilon: 2000 }), op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GT, a: 0n, epsilon: 1000 })], 0, 32);
    const source = 'from "greenhouse" window all\nmean(temperature) privacy 2\ncount(temperature > 25) privacy 1';
    const planned = (await plan(source)).json();
    expect(planned.privacy.budget).toMatchObject({ spentMilli: 7500, remainingAfterMilli: -500, exceeded: true, runsAfter: 0 });
    const notebook = (await as(app, buyer, { method: "POST", url: "/api/notebooks", payload: { title: "Private" } })).json();
    const cell = (await as(app, buyer, { method: "POST", url: `/api/notebooks/${notebook.id}/cells`, payload: { kind: "recipe", source, datasetId: dataset.id.toString() } })).json();
    const signature = await buyer.wallet.signTypedData(planned.typedData.domain, planned.typedData.types, planned.request);
    const refused = await as(app, buyer, {
      method: "POST",
      url: "/api/runs",
      payload: { notebookId: notebook.id, cellId: cell.id, datasetId: dataset.id.toString(), source, request: planned.request, signature },
    });
    const error = expectError(refused, 422, "ERR_PRIVACY_BUDGET_EXCEEDED");
    expect(error.message).toBe(
      `This run would spend ε 3 on readings 0 to 63 of dataset ${dataset.id}, which already spent up to ε 7.5 of your budget of ε 10 per reading: the contract would refuse it. Choose a smaller ε, fewer statistics or other readings.`,
    );
    expect(error.details).toEqual({ contractError: "PrivacyBudgetExceeded", spentMilli: 7500, requestedMilli: 3000, budgetMilli: 10_000 });
    expect((await as(app, buyer, { method: "GET", url: `/api/notebooks/${notebook.id}/runs` })).json().items).toEqual([]);
  });

  describe("bad input to the budget route is a 4xx with a sentence", () => {
    it("refuses a range that ends before it starts, and a number of parts out of 1 … 64", async () => {
      expectError(await budget("?from=200&to=100"), 400, "ERR_REQUEST_VALIDATION");
      expectError(await budget("?parts=0"), 400, "ERR_REQUEST_VALIDATION");
      expectError(await budget("?parts=65"), 400, "ERR_REQUEST_VALIDATION");
      expectError(await budget("?from=-1"), 400, "ERR_REQUEST_VALIDATION");
    });

    it("says an exact dataset keeps no budget, an unknown one does not exist, and a stranger must sign in", async () => {
      expect(expectError(await budget("", exact.id), 409, "ERR_DATASET_NOT_PRIVATE").message).toBe(
        `Dataset ${exact.id} is exact: its results carry no noise, so it keeps no privacy budget.`,
      );
      expectError(await budget("", 999n), 404, "ERR_DATASET_NOT_FOUND");
      expectError(await app.inject({ method: "GET", url: `/api/datasets/${dataset.id}/budget` }), 401, "ERR_AUTH_REQUIRED");
    });
  });
});
