/**
 * Test support: the workbench over a chain fixture, with a real worker in this process (the worker's
 * own `startWorker`, as its process would run it) on a fresh queue of its own in the local Redis.
 */
import { randomUUID } from "node:crypto";
import { type WorkerConfig, startWorker, type WorkerRuntime } from "@iotdm/worker";
import { buildApp, type App } from "../../app";
import type { Store } from "../../store/store";
import { deleteQueueKeys, TEST_QUEUE_PREFIX, testConfig } from "./app";
import type { MarketFixture } from "@iotdm/worker/testing";

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

export { readEventsInto, readEventStream, type SseEvent } from "./sse";
