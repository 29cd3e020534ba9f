/**
 * The chain indexer against a local Hardhat node: it follows the market's events into the store,
 * resumes after a restart from the last block it wrote, and recognises a NEW chain (the local node
 * starts anew on every `npm start`) by its genesis hash: the old chain's datasets go, the runs and
 * schedules that pointed at them end with a reason (schedulers removed from the queue), and the new
 * chain is indexed from the market's deployment block. On both store backends.
 */
import { randomUUID } from "node:crypto";
import { Wallet } from "ethers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { encodeProgram, op, PrivacyMode, RecipeKind, signStandingAuthorization, standingAuthorizationDigest } from "@iotdm/contracts-client";
import { ROLLUP } from "@iotdm/recipes";
import type { App } from "../app";
import { domainOf } from "../chain/market-deployment";
import { applyEvents } from "../indexer/apply-events";
import type { IndexedEvent } from "../indexer/market-events";
import type { Store } from "../store/store";
import { as, signIn } from "./support/app";
import { describeEachBackend } from "./support/backends";
import { startMarketFixture, temperatures, type TestDataset, type MarketFixture } from "@iotdm/worker/testing";
import { startWorkbenchApp, testQueueName } from "./support/workbench";

describeEachBackend("chain indexer", (backend) => {
  let fixture: MarketFixture;
  let store: Store;
  let cleanup: () => Promise<void>;
  let queue: ReturnType<typeof testQueueName>;
  let app: App | undefined;
  let greenhouse: TestDataset;
  let office: TestDataset;

  beforeAll(async () => {
    fixture = await startMarketFixture();
    ({ store, cleanup } = await backend.open());
    queue = testQueueName("workbench-indexer");
  });

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
    await queue?.dispose();
    await fixture?.stop();
  });

  const start = async (env: Record<string, string> = {}) => {
    ({ app } = await startWorkbenchApp({ store, fixture, queueName: queue.name, env: { INDEXER_BLOCK_RANGE: "5", ...env } }));
    return app!;
  };

  it("catches up with the datasets, every change to them, reading timestamps and access", async () => {
    greenhouse = await fixture.createDataset({ name: "Greenhouse north", k: 8, rollups: ROLLUP.SUM | ROLLUP.MIN });
    office = await fixture.createDataset({ name: "Office", k: 4, approvedKinds: 0b1 });
    const seller = fixture.as(fixture.accounts.seller);
    await (await seller.setPrice(greenhouse.id, 5000n)).wait();
    await (await seller.pauseDataset(office.id)).wait();
    await fixture.appendReadings(greenhouse, temperatures(40), { startTime: 1_700_000_000, stepSeconds: 60 });
    await fixture.purchaseAccess(greenhouse, fixture.accounts.buyer);
    const expiry = Number(await seller.accessExpiry(greenhouse.id, fixture.accounts.buyer.address));

    const app = await start();
    await app.indexer.whenCaughtUp();
    const buyer = await signIn(app, fixture.accounts.buyer);
    const page = (await as(app, buyer, { method: "GET", url: "/api/datasets" })).json();
    expect(page.total).toBe(2);
    expect(page.items[0]).toMatchObject({
      id: greenhouse.id.toString(),
      seller: fixture.accounts.seller.address,
      name: "Greenhouse north",
      field: "temperature",
      unit: "°C",
      scale: 2,
      offset: "-5000",
      priceWei: "5000",
      k: 8,
      readingCount: 40,
      firstTimestamp: 1_700_000_000,
      lastTimestamp: 1_700_000_000 + 39 * 60,
      approvedKinds: ["COUNT", "SUM", "MEAN", "MIN", "MAX", "COUNT_IF", "SUM_IF", "VARIANCE", "ALERT"],
      paused: false,
      privacy: { mode: "exact", protects: "Exact results: a determined buyer who paid can learn the values of each 8-reading bucket, not their order." },
      // RollupsChosen: the rollups plans combine instead of the readings.
      rollups: ROLLUP.SUM | ROLLUP.MIN,
      rollupNames: ["SUM", "MIN"],
      rollupBlockSize: 8,
      accessExpiresAt: expiry,
    });
    expect(page.items[1]).toMatchObject({
      id: office.id.toString(),
      paused: true,
      approvedKinds: ["COUNT"],
      accessExpiresAt: null,
      readingCount: 0,
      rollups: 0,
      rollupNames: [],
      rollupBlockSize: 0,
    });
    expect(await store.datasets.readingTimestamps(greenhouse.id.toString())).toEqual(greenhouse.timestamps);

    // Searching and filtering the catalogue; anonymous callers see no access.
    const search = async (query: string) => (await app.inject({ method: "GET", url: `/api/datasets?${query}` })).json().items.map((d: { id: string }) => d.id);
    expect(await search("q=north%20GREEN")).toEqual([greenhouse.id.toString()]);
    expect(await search("kind=mean,alert")).toEqual([greenhouse.id.toString()]);
    expect(await search("paused=true")).toEqual([office.id.toString()]);
    expect((await app.inject({ method: "GET", url: `/api/datasets/${greenhouse.id}` })).json()).toMatchObject({ accessExpiresAt: null });
    expect((await as(app, buyer, { method: "GET", url: "/api/datasets?access=true" })).json().items).toHaveLength(1);
    expect((await app.inject({ method: "GET", url: "/api/chain" })).json()).toMatchObject({
      chainId: 31337,
      marketAddress: fixture.address,
      indexer: { caughtUp: true },
    });
  });

  it("resumes after a restart from the last block it wrote", async () => {
    const before = app!.indexer.status();
    await app!.close();
    app = undefined;

    const seller = fixture.as(fixture.accounts.seller);
    await (await seller.unpauseDataset(office.id)).wait();
    await (await seller.approveRecipeKinds(office.id, 0b110)).wait();
    await fixture.appendReadings(greenhouse, temperatures(8, 40), { stepSeconds: 60 });
    // From the next reading on, greenhouse results are private: −40 °C to 60 °C, ε 0.1 to 2, budget ε 4.
    const privacy = { mode: PrivacyMode.PRIVATE, lowerBound: 1000n, upperBound: 11000n, budget: 4000, minEpsilon: 100, maxEpsilon: 2000 };
    await (await seller.setPrivacy(greenhouse.id, privacy)).wait();

    // Not polling, so that every range it writes is seen: whenCaughtUp drives the passes.
    const restarted = await start({ INDEXER_ENABLED: "false" });
    const ranges: [number, number][] = [];
    let resets = 0;
    restarted.indexer.on("range", ({ fromBlock, toBlock }) => ranges.push([fromBlock, toBlock]));
    restarted.indexer.on("reset", () => resets++);
    const status = await restarted.indexer.whenCaughtUp();

    expect(resets).toBe(0);
    expect(ranges[0]![0]).toBe(before.lastIndexedBlock + 1);
    // Consecutive ranges of at most INDEXER_BLOCK_RANGE blocks, up to the head.
    ranges.forEach(([from, to], i) => {
      expect(to - from).toBeLessThan(5);
      if (i > 0) expect(from).toBe(ranges[i - 1]![1] + 1);
    });
    expect(ranges.at(-1)![1]).toBe(status.lastIndexedBlock);
    expect(status.lastIndexedBlock).toBe(await fixture.provider.getBlockNumber());
    expect(await store.datasets.get(office.id.toString())).toMatchObject({ pausedBlock: null, approvedMask: 0b111 });
    expect(await store.datasets.get(greenhouse.id.toString())).toMatchObject({ readingCount: 48, lastTimestamp: greenhouse.timestamps.at(-1) });
    expect((await restarted.inject({ method: "GET", url: `/api/datasets/${greenhouse.id}` })).json().privacy).toEqual({
      mode: "private",
      lowerBound: "1000",
      upperBound: "11000",
      budget: 4000,
      minEpsilon: 100,
      maxEpsilon: 2000,
      privateFrom: 48,
      protects:
        "Private results: readings are clamped to −40 °C to 60 °C and every result carries encrypted noise (ε 0.1 to ε 2 per statistic); each buyer may spend at most ε 4 on any one reading over all of their runs.",
    });
    expect(await store.datasets.readingTimestamps(greenhouse.id.toString())).toEqual(greenhouse.timestamps);
  });

  it("sums the seller's share of every settled run into its dataset's run earnings, once however often applied", async () => {
    const running = app!;
    const { seller, buyer } = fixture.accounts;
    const kiosk = await fixture.createDataset({ name: "Kiosk", k: 4 });
    await fixture.appendReadings(kiosk, temperatures(8), { stepSeconds: 60 });
    await fixture.purchaseAccess(kiosk, buyer);
    const runPrice = 3n * 10n ** 14n;
    await (await fixture.as(seller).setRunPrice(kiosk.id, runPrice)).wait();
    await (await fixture.as(buyer).deposit({ value: 10n ** 16n })).wait();
    const market = fixture.as(buyer);
    const program = encodeProgram([op({ kind: RecipeKind.SUM })]);
    // Two runs started directly by the buyer (each locks the run price) and stepped to their end; a third left unfinished.
    for (const to of [4, 8, 8]) await (await market.startRun(kiosk.id, program, 0, to)).wait();
    const last = await market.runCount();
    for (const runId of [last - 2n, last - 1n]) {
      const info = await market.runInfo(runId);
      await (await market.step(runId, info.toIndex - info.cursor)).wait();
    }

    const events: IndexedEvent[] = [];
    running.indexer.on("range", (range) => events.push(...range.events));
    await running.indexer.whenCaughtUp();
    const earnings = async () => (await running.inject({ method: "GET", url: `/api/datasets/${kiosk.id}` })).json().runEarnings;
    expect(await earnings()).toEqual({ settledRuns: 2, sellerWei: (2n * runPrice).toString() });
    expect((await running.inject({ method: "GET", url: `/api/datasets/${office.id}` })).json().runEarnings).toEqual({ settledRuns: 0, sellerWei: "0" });

    // The same range applied again (a re-index) credits no settlement twice.
    expect(events.filter((event) => event.type === "RunSettled")).toHaveLength(2);
    await store.transaction((tx) => applyEvents(tx, events, new Date()));
    expect(await earnings()).toEqual({ settledRuns: 2, sellerWei: (2n * runPrice).toString() });
  });

  it("re-indexes a new chain from its genesis and ends the runs and schedules of the old one", async () => {
    const running = app!;
    const buyer = fixture.accounts.buyer;
    const at = new Date();
    const notebook = await store.notebooks.create({ id: randomUUID(), owner: buyer.address, title: "old chain", at });
    const runOf = (status: string) => ({
      id: randomUUID(),
      buyer: buyer.address,
      notebookId: notebook.id,
      cellId: null,
      scheduleId: null,
      datasetId: greenhouse.id.toString(),
      programHash: `0x${"11".repeat(32)}`,
      program: [],
      source: `from "greenhouse" window all\nmean(temperature) as "${status}"`,
      fromIndex: 0,
      toIndex: 8,
      requestDigest: `0x${randomUUID().replace(/-/g, "").padEnd(64, "0")}`,
      request: { nonce: "1" },
      signature: "0x",
      at,
    });
    const queued = (await store.runs.create(runOf("queued"))).run;
    const done = (await store.runs.create(runOf("done"))).run;
    await store.runs.finish(done.id, { resultHandles: [`0x${"aa".repeat(32)}`], at });

    // A live schedule with its BullMQ job scheduler, as POST /api/schedules leaves it.
    const market = { chainId: 31337, address: fixture.address };
    const authorization = {
      buyer: buyer.address,
      datasetId: greenhouse.id,
      programHash: `0x${"22".repeat(32)}`,
      fromIndex: 0n,
      cadence: 3600n,
      expiry: BigInt(Math.floor(Date.now() / 1000) + 86_400),
      maxRuns: 5,
      nonce: 7n,
      maxPaymentPerRun: 0n,
    };
    const domain = domainOf({ chainId: 31337, address: fixture.address });
    const signature = await signStandingAuthorization({ signer: buyer, domain, authorization });
    const json = { ...authorization, datasetId: authorization.datasetId.toString(), fromIndex: "0", cadence: "3600", expiry: authorization.expiry.toString(), nonce: "7", maxPaymentPerRun: "0" };
    const digest = standingAuthorizationDigest(domain, json);
    await running.runQueue.upsertSchedule({ market, authorization: json, signature, recipe: { source: "x", params: {} }, repeat: { every: 3_600_000 } });
    const schedule = await store.schedules.create({
      id: randomUUID(),
      owner: buyer.address,
      notebookId: notebook.id,
      cellId: null,
      datasetId: greenhouse.id.toString(),
      programHash: json.programHash,
      program: [],
      source: "x",
      cadenceSeconds: 3600,
      expiry: Number(json.expiry),
      maxRuns: 5,
      authorizationDigest: digest,
      authorization: json,
      signature,
      fromIndex: 0,
      repeat: { every: 3_600_000 },
      at,
    });
    expect(await running.runQueue.getSchedule(digest)).toMatchObject({ status: "active" });

    const resets: string[] = [];
    running.indexer.on("reset", ({ reason }) => resets.push(reason));
    await fixture.restartChain();
    const fresh = await fixture.createDataset({ name: "Street PM2.5", k: 4 });
    await running.indexer.whenCaughtUp();

    expect(resets).toHaveLength(1);
    expect(resets[0]).toMatch(/^The chain was reset \(its genesis block is now 0x[0-9a-f]{8}…, it was 0x[0-9a-f]{8}…\)\.$/);
    const catalogue = (await running.inject({ method: "GET", url: "/api/datasets" })).json();
    expect(catalogue.items.map((d: { id: string; name: string }) => [d.id, d.name])).toEqual([[fresh.id.toString(), "Street PM2.5"]]);
    expect(await store.datasets.readingTimestamps(greenhouse.id.toString())).toEqual([]);
    expect(await store.indexer.list()).toEqual([expect.objectContaining({ genesisHash: (await fixture.provider.getBlock(0))!.hash })]);

    expect(await store.runs.get(queued.id)).toMatchObject({
      status: "error",
      error: { code: "CHAIN_RESET", message: expect.stringMatching(/^The chain was reset .* This run was started on the previous chain, so it cannot finish on this one\.$/) },
      staleReason: expect.stringContaining("This run was made on the previous chain: its results were never on this one and cannot be decrypted."),
    });
    expect(await store.runs.get(done.id)).toMatchObject({ status: "done", staleReason: expect.stringMatching(/^The chain was reset/) });
    expect(await store.schedules.get(schedule.id)).toMatchObject({
      status: "expired",
      endedReason: expect.stringMatching(/^The chain was reset .* This schedule's standing authorization was signed for the previous chain, so it cannot run on this one; schedule the cell again\.$/),
    });
    expect(await running.runQueue.getSchedule(digest)).toBeUndefined();
    expect(await running.runQueue.queue.getJobSchedulersCount()).toBe(0);

    // The owner sees why, through the API.
    const owner = await signIn(running, buyer as unknown as Wallet);
    const view = (await as(running, owner, { method: "GET", url: `/api/runs/${done.id}` })).json();
    expect(view.stale).toMatch(/^The chain was reset/);
  });
});
