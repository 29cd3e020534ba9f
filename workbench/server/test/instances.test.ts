/**
 * Several service instances on one store and one Redis behave as one service: a session made on
 * one serves on the other; a client's rate limit is counted once across them; of their chain
 * indexers one reads the chain while the other follows the store, and when the leader stops the
 * follower takes over, writing each reading once. (Everything together, with real processes, is in
 * scale-out.test.ts.)
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../app";
import type { Store } from "../store/store";
import { createTestApp, deleteQueueKeys, expectError, signIn, TEST_QUEUE_PREFIX } from "./support/app";
import { describeEachBackend } from "./support/backends";
import { startChainFixture, temperatures, type ChainFixture } from "./support/chain";
import { startWorkbenchApp } from "./support/workbench";

describeEachBackend("two service instances", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
  });
  afterAll(async () => {
    await cleanup?.();
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

describeEachBackend("two service instances' chain indexers", (backend) => {
  let fixture: ChainFixture;
  let store: Store;
  let cleanup: () => Promise<void>;
  const queue = `indexers-${randomUUID()}`;
  const apps: App[] = [];

  beforeAll(async () => {
    fixture = await startChainFixture();
    ({ store, cleanup } = await backend.open());
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await deleteQueueKeys(TEST_QUEUE_PREFIX, queue);
    await cleanup?.();
    await fixture?.stop();
  });

  it("read the chain from one instance at a time, the other following; the follower takes over when the leader stops", async () => {
    const dataset = await fixture.createDataset({ k: 8 });
    await fixture.appendReadings(dataset, temperatures(16));
    const logReads = [0, 0];
    for (let i = 0; i < 2; i++) {
      const { app } = await startWorkbenchApp({ store, fixture, queueName: queue });
      const getLogs = app.chain.provider.getLogs.bind(app.chain.provider);
      app.chain.provider.getLogs = (filter) => (logReads[i]!++, getLogs(filter));
      apps.push(app);
    }
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
