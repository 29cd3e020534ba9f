import { randomUUID } from "node:crypto";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { Redis } from "ioredis";
import { JsonRpcProvider, Wallet } from "ethers";
import { expect } from "vitest";
import { buildApp, type App } from "../../app";
import { createMarketChain, type MarketChain } from "../../chain/market-chain";
import { loadConfig, type Config } from "../../config";
import { createError, type ErrorCode } from "../../errors";
import type { Store } from "../../store/store";
import { siweMessage, TEST_ORIGIN } from "./sign-in";

export { siweMessage, TEST_ORIGIN, type MessageFields } from "./sign-in";

/** The market address test apps without a chain are configured with (nothing answers for it). */
export const OFFLINE_MARKET = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/** Redis key prefix of the test apps' queues, apart from the application's. */
export const TEST_QUEUE_PREFIX = "iotdm-test";

/**
 * A configuration for tests: quiet, in-memory, generous sign-in limits, a fresh queue of its own, no
 * indexer, and a chain that does not answer (a port nothing listens on) unless a test sets its own.
 */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    SQLITE_PATH: ":memory:",
    AUTH_RATE_LIMIT_MAX: "1000",
    UI_DIR: "/nonexistent-ui",
    CHAIN_RPC_URL: "http://127.0.0.1:1",
    MARKET_ADDRESS: OFFLINE_MARKET,
    INDEXER_ENABLED: "false",
    QUEUE_PREFIX: TEST_QUEUE_PREFIX,
    QUEUE_NAME: `workbench-${randomUUID()}`,
    ...env,
  });
}

/** An app over `store`; close it after the test (the store stays open). */
export async function createTestApp(options: {
  store: Store;
  env?: Record<string, string>;
  now?: () => Date;
  chain?: MarketChain;
}): Promise<App> {
  const config = testConfig(options.env);
  const chain = options.chain ?? offlineChain(config);
  const app = await buildApp({ config, store: options.store, logger: false, now: options.now, chain });
  if (!options.chain) app.addHook("onClose", async () => chain.close());
  // The queue's few keys (BullMQ's meta) go with the app: every test app has a queue of its own.
  app.addHook("onClose", async () => deleteQueueKeys(config.queue.prefix, config.queue.name));
  await app.ready();
  return app;
}

/**
 * The chain of the configuration, which does not answer, except that it knows every account to be
 * an EOA: sign-in asks the chain only about a signature that is not its address's ECDSA one (a
 * contract wallet might accept it under ERC-1271), and a test app without a chain says no to it.
 */
function offlineChain(config: Config): MarketChain {
  const chain = createMarketChain(config.chain);
  chain.provider.getCode = async () => "0x";
  return chain;
}

/** Deletes every Redis key of a test queue. */
export async function deleteQueueKeys(prefix: string, name: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 3 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:${name}:*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** A signed-in user of the test app. */
export interface TestUser {
  wallet: Wallet;
  address: string;
  token: string;
  /** `Authorization` header for inject. */
  headers: { authorization: string };
}

/** Signs in with a fresh (or the given) wallet through the real nonce → sign → verify round trip. */
export async function signIn(app: App, wallet: Wallet = Wallet.createRandom() as unknown as Wallet): Promise<TestUser> {
  const nonce = await app.inject({ method: "POST", url: "/api/auth/nonce" });
  expect(nonce.statusCode).toBe(200);
  const message = siweMessage({ address: wallet.address, nonce: nonce.json().nonce });
  const signature = await wallet.signMessage(message);
  const verify = await app.inject({ method: "POST", url: "/api/auth/verify", payload: { message, signature } });
  expect(verify.statusCode, verify.body).toBe(200);
  const { token } = verify.json();
  return { wallet, address: wallet.address, token, headers: { authorization: `Bearer ${token}` } };
}

/** Sends a request as `user`. */
export function as(app: App, user: TestUser, options: InjectOptions): Promise<LightMyRequestResponse> {
  return app.inject({ ...options, headers: { ...user.headers, ...(options.headers ?? {}) } });
}

/** Asserts an error response: status, code, and the one error shape. */
export function expectError(response: LightMyRequestResponse, status: number, code: ErrorCode): { code: string; message: string; details?: unknown } {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
  const body = response.json();
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(Object.keys(body.error).every((key) => ["code", "message", "details"].includes(key))).toBe(true);
  return body.error;
}

/**
 * A chain reader that answers readiness (and nothing else: every read rejects as unavailable), for
 * tests of the app's plumbing without a node.
 */
export function answeringChain(): MarketChain {
  const unavailable = () => Promise.reject(createError("ERR_CHAIN_UNAVAILABLE"));
  const deployment = { chainId: 31337, address: OFFLINE_MARKET, fromBlock: 0, source: "environment" as const };
  return {
    chainId: 31337,
    rpcUrl: "http://127.0.0.1:1",
    provider: new JsonRpcProvider("http://127.0.0.1:1", 31337, { staticNetwork: true }),
    deployment: () => deployment,
    requireDeployment: () => deployment,
    ping: async () => undefined,
    chainTime: unavailable,
    datasetInfo: unavailable,
    accessExpiry: unavailable,
    isNonceUsed: unavailable,
    privacySpent: unavailable,
    runTerms: unavailable,
    close: () => undefined,
  };
}
