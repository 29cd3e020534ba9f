/**
 * Test support: the workbench over a chain fixture, with a real worker in this process (the worker's
 * own `startWorker`, as its process would run it) on a fresh queue of its own in the local Redis.
 */
import { randomUUID } from "node:crypto";
import type { TypedDataDomain } from "ethers";
import { expect } from "vitest";
import { STANDING_AUTHORIZATION_TYPES } from "@iotdm/contracts-client";
import { type WorkerConfig, startWorker, type WorkerRuntime } from "@iotdm/worker";
import type { MarketFixture, TestDataset } from "@iotdm/worker/testing";
import { buildApp, type App } from "../../app";
import type { Store } from "../../store/store";
import { as, deleteQueueKeys, signIn, TEST_QUEUE_PREFIX, testConfig, type TestUser } from "./app";

/** A queue name of its own, and a way to delete every key of it afterwards. */
export function testQueueName(label: string): { name: string; dispose(): Promise<void> } {
  const name = `${label}-${randomUUID()}`;
  return { name, dispose: () => deleteQueueKeys(TEST_QUEUE_PREFIX, name) };
}

/** The environment of a workbench serving the fixture's market on `queueName`. */
export function chainEnv(fixture: MarketFixture, queueName: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    CHAIN_RPC_URL: fixture.chain.rpcUrl,
    MARKET_ADDRESS: fixture.address,
    MARKET_FROM_BLOCK: String(fixture.deploymentBlock),
    QUEUE_NAME: queueName,
    INDEXER_ENABLED: "true",
    INDEXER_POLL_INTERVAL_MS: "100",
    SSE_KEEPALIVE_MS: "200",
    ...env,
  };
}

/** A workbench app on the fixture's chain, listening on a free loopback port. */
export async function startWorkbenchApp(options: {
  store: Store;
  fixture: MarketFixture;
  queueName: string;
  env?: Record<string, string>;
}): Promise<{ app: App; address: string }> {
  const level = process.env.WORKBENCH_TEST_LOG;
  const app = await buildApp({
    config: testConfig(chainEnv(options.fixture, options.queueName, options.env)),
    store: options.store,
    // WORKBENCH_TEST_LOG=debug shows the service's logs while a test runs.
    logger: level ? { level } : false,
  });
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  return { app, address };
}

/** The worker's configuration for the fixture's market on `queueName`, under the service tests' queue prefix. */
export function workerConfig(fixture: MarketFixture, queueName: string): WorkerConfig {
  return fixture.workerConfig({ queueName, queuePrefix: TEST_QUEUE_PREFIX, logLevel: process.env.WORKER_TEST_LOG ?? "silent" });
}

/** Starts a real worker in this process. */
export function startTestWorker(fixture: MarketFixture, queueName: string): Promise<WorkerRuntime> {
  return startWorker({ config: workerConfig(fixture, queueName) });
}

/** The fixture's buyer signed in to `app`, with a notebook `title` holding one recipe cell of `source` on `dataset`. */
export async function buyerWithNotebook(
  app: App,
  fixture: MarketFixture,
  options: { dataset: TestDataset; title: string; source: string },
): Promise<{ buyer: TestUser; notebookId: string; cellId: string }> {
  const buyer = await signIn(app, fixture.accounts.buyer);
  const notebookId = (await as(app, buyer, { method: "POST", url: "/api/notebooks", payload: { title: options.title } })).json().id as string;
  const cell = await as(app, buyer, {
    method: "POST",
    url: `/api/notebooks/${notebookId}/cells`,
    payload: { kind: "recipe", source: options.source, datasetId: options.dataset.id.toString() },
  });
  expect(cell.statusCode, cell.body).toBe(201);
  return { buyer, notebookId, cellId: cell.json().id as string };
}

/**
 * A standing authorization of a plan's program signed by `buyer` in the plan's EIP-712 domain:
 * from index 0, a cadence of 1 s, one run, valid `validForSeconds` (an hour) from the chain's clock,
 * a random nonce, no payment; `overrides` changes any field.
 */
export async function signScheduleAuthorization(options: {
  fixture: MarketFixture;
  buyer: TestUser;
  plan: { programHash: string; typedData: { domain: TypedDataDomain } };
  datasetId: string;
  validForSeconds?: number;
  overrides?: Record<string, string | number>;
}): Promise<{ authorization: Record<string, string | number>; signature: string }> {
  const now = (await options.fixture.provider.getBlock("latest"))!.timestamp;
  const authorization = {
    buyer: options.buyer.address,
    datasetId: options.datasetId,
    programHash: options.plan.programHash,
    fromIndex: "0",
    cadence: "1",
    expiry: String(now + (options.validForSeconds ?? 3600)),
    maxRuns: 1,
    nonce: String(Math.floor(Math.random() * 2 ** 48)),
    maxPaymentPerRun: "0",
    ...options.overrides,
  };
  const signature = await options.buyer.wallet.signTypedData(options.plan.typedData.domain, STANDING_AUTHORIZATION_TYPES, authorization);
  return { authorization, signature };
}

export { readEventsInto, readEventStream, type SseEvent } from "./sse";
