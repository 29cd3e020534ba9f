/**
 * Several service instances on one store and one Redis behave as one service: a session made on
 * one serves on the other; a client's rate limit is counted once across them; a run submitted on
 * one is followed over server-sent events on the other, step by step; of their chain indexers one
 * reads the chain while the other follows the store, and when the leader stops the follower takes
 * over, writing each reading once. (One job scheduler per schedule: worker/test/schedules.test.ts.
 * Everything together, with real processes and kill -9, is in scale-out.test.ts.)
 */
import { randomUUID } from "node:crypto";
import { Wallet } from "ethers";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { WorkerRuntime } from "@iotdm/worker";
import type { App } from "../app";
import type { Store } from "../store/store";
import { as, createTestApp, deleteQueueKeys, expectError, signIn, siweMessage, TEST_QUEUE_PREFIX } from "./support/app";
import { describeEachBackend } from "./support/backends";
import { startMarketFixture, temperatures, type MarketFixture } from "@iotdm/worker/testing";
import { readEventStream, startTestWorker, startWorkbenchApp } from "./support/workbench";

describeEachBackend("two service instances", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it("sign a user in across instances (the nonce from one, the signature checked by the other) and out of both at once", async () => {
    const queue = `instances-${randomUUID()}`;
    const apps = [await createTestApp({ store, env: { QUEUE_NAME: queue } }), await createTestApp({ store, env: { QUEUE_NAME: queue } })] as const;
    try {
      const wallet = Wallet.createRandom();
      const nonce = await apps[0].inject({ method: "POST", url: "/api/auth/nonce" });
      const message = siweMessage({ address: wallet.address, nonce: nonce.json().nonce });
      const verified = await apps[1].inject({ method: "POST", url: "/api/auth/verify", payload: { message, signature: await wallet.signMessage(message) } });
      expect(verified.statusCode, verified.body).toBe(200);
      // The nonce is spent for both: the same signed message signs nobody in again, on either.
      for (const app of apps) expectError(await app.inject({ method: "POST", url: "/api/auth/verify", payload: { message, signature: await wallet.signMessage(message) } }), 401, "ERR_AUTH_NONCE_INVALID");
      const headers = { authorization: `Bearer ${verified.json().token}` };
      expect((await apps[0].inject({ method: "GET", url: "/api/auth/me", headers })).json()).toMatchObject({ address: wallet.address });
      expect((await apps[1].inject({ method: "POST", url: "/api/auth/sign-out", headers, payload: {} })).statusCode).toBe(204);
      for (const app of apps) expectError(await app.inject({ method: "GET", url: "/api/auth/me", headers }), 401, "ERR_AUTH_SESSION_EXPIRED");
    } finally {
      for (const app of apps) await app.close();
      await deleteQueueKeys(TEST_QUEUE_PREFIX, queue);
    }
  });

  it("share sessions, and count a client's requests once against its rate limit", async () => {
    const queue = `instances-${randomUUID()}`;
    const env = { QUEUE_NAME: queue, RATE_LIMIT_MAX: "6", RATE_LIMIT_WINDOW_MS: "60000" };
    const apps = [await createTestApp({ store, env }), await createTestApp({ store, env })];
    try {
      const user = await signIn(apps[0]!);
      const me = await apps[1]!.inject({ method: "GET", url: "/api/auth/me", headers: user.headers });
      expect(me.statusCode, me.body).toBe(200);
      expect(me.json()).toMatchObject({ address: user.address });

      // The session check was 1 of the 6 requests allowed (sign-in has a limit of its own); 5 are left
      // for both instances together, where each alone would have let 6 more through.
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push((await apps[i % 2]!.inject({ method: "GET", url: "/api/templates" })).statusCode);
      expect(answers).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expectError(await apps[0]!.inject({ method: "GET", url: "/api/templates" }), 429, "ERR_RATE_LIMITED");
    } finally {
      for (const app of apps) await app.close();
      await deleteQueueKeys(TEST_QUEUE_PREFIX, queue);
    }
  });
});

describeEachBackend("two service instances on one chain", (backend) => {
  let fixture: MarketFixture;
  let store: Store;
  let cleanup: () => Promise<void>;
  let worker: WorkerRuntime | undefined;
  const queue = `instances-chain-${randomUUID()}`;
  const apps: App[] = [];
  const addresses: string[] = [];
  /** How often each instance read the chain's logs. */
  const logReads = [0, 0];

  beforeAll(async () => {
    fixture = await startMarketFixture();
    ({ store, cleanup } = await backend.open());
    for (let i = 0; i < 2; i++) {
      const { app, address } = await startWorkbenchApp({ store, fixture, queueName: queue });
      const getLogs = app.chain.provider.getLogs.bind(app.chain.provider);
      app.chain.provider.getLogs = (filter) => (logReads[i]!++, getLogs(filter));
      apps.push(app);
      addresses.push(address);
    }
  });
  afterAll(async () => {
    await worker?.close({ release: false });
    for (const app of apps) await app.close();
    await deleteQueueKeys(TEST_QUEUE_PREFIX, queue);
    await cleanup?.();
    await fixture?.stop();
  });

  it("stream a run submitted on one instance from the other: queued, running, each step and done", async () => {
    const dataset = await fixture.purchasedDataset({ k: 8, readings: temperatures(16) });
    await expect.poll(async () => (await store.datasets.get(dataset.id.toString()))?.readingCount, { timeout: 30_000 }).toBe(16);
    const [a, b] = apps as [App, App];
    const buyer = await signIn(a, fixture.accounts.buyer);
    const source = `from "${dataset.name}" window all\nmean(temperature)`;
    const notebook = (await as(a, buyer, { method: "POST", url: "/api/notebooks", payload: { title: "Two instances" } })).json();
    const cell = (await as(a, buyer, { method: "POST", url: `/api/notebooks/${notebook.id}/cells`, payload: { kind: "recipe", source, datasetId: dataset.id.toString() } })).json();
    const plan = (await as(a, buyer, { method: "POST", url: "/api/runs/plan", payload: { datasetId: dataset.id.toString(), source } })).json();
    const signature = await buyer.wallet.signTypedData(plan.typedData.domain, plan.typedData.types, plan.request);
    const created = await as(a, buyer, {
      method: "POST",
      url: "/api/runs",
      payload: { notebookId: notebook.id, cellId: cell.id, datasetId: dataset.id.toString(), source, request: plan.request, signature },
    });
    expect(created.statusCode, created.body).toBe(201);

    // Followed on the other instance before any worker takes the run: all but `queued` reaches that
    // stream through its own instance's hearing of the queue's events.
    const response = await fetch(`${addresses[1]}/api/runs/${created.json().id}/events`, { headers: buyer.headers });
    expect(response.status).toBe(200);
    const stream = readEventStream(response, { timeoutMs: 60_000 });
    worker = await startTestWorker(fixture, queue);
    const { events } = await stream;
    expect(events.map((event) => event.event)).toEqual(["queued", "running", ...Array<string>(plan.steps).fill("step"), "done"]);
    expect(events.at(-1)!.data).toMatchObject({ id: created.json().id, status: "done" });
    expect((await as(b, buyer, { method: "GET", url: `/api/runs/${created.json().id}` })).json()).toMatchObject({ status: "done" });
  });

  it("read the chain from one instance at a time, the other following; the follower takes over when the leader stops", async () => {
    const dataset = await fixture.createDataset({ k: 8 });
    await fixture.appendReadings(dataset, temperatures(16));
    const readings = async () => (await store.datasets.get(dataset.id.toString()))?.readingCount;
    await expect.poll(readings, { timeout: 30_000 }).toBe(16);
    await expect.poll(() => apps.map((app) => app.indexer.status().leading).sort(), { timeout: 30_000 }).toEqual([false, true]);
    const leader = apps.findIndex((app) => app.indexer.status().leading);
    const follower = 1 - leader;
    const readsBefore = logReads[follower]!;
    await fixture.appendReadings(dataset, temperatures(8, 16));
    await expect.poll(readings, { timeout: 30_000 }).toBe(24);
    // The follower saw the leader's progress in the store, without reading the chain's logs.
    await expect.poll(() => apps[follower]!.indexer.status().caughtUp, { timeout: 30_000 }).toBe(true);
    expect(logReads[follower]).toBe(readsBefore);

    // The leader stops (gives its lease up): the follower indexes what comes next.
    await apps[leader]!.close();
    await fixture.appendReadings(dataset, temperatures(8, 24));
    await expect.poll(readings, { timeout: 30_000 }).toBe(32);
    expect(apps[follower]!.indexer.status().leading).toBe(true);
    expect(logReads[follower]).toBeGreaterThan(readsBefore);
    expect(await store.datasets.readingTimestamps(dataset.id.toString())).toHaveLength(32);
    apps.splice(leader, 1);
  });
});
