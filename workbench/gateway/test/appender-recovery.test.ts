/**
 * The appender's two crash windows, made exactly rather than by chance: a gateway that died after
 * recording its signed append but before broadcasting it, and one that died after the append was
 * mined but before the queue forgot the batch. A restarted appender must put each reading on the
 * chain once, with the one proof that transaction carried (the market refuses a proof used before).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, type JsonRpcProvider } from "ethers";
import { Redis } from "ioredis";
import { appendGasLimit, connectMarket, createFhevmInstance, EXACT_PRIVACY, encryptReadings, type IoTDataMarket } from "@iotdm/contracts-client";
import { freePort, startLocalChain, type LocalChain } from "@iotdm/contracts-client/local-chain";
import { devWallet } from "../../demo/accounts";
import { readChainIdentity } from "../../simulator/rpc";
import { Appender, type AppendedBatch } from "../appender";
import { ReadingQueue, type QueueItem } from "../reading-queue";
import { GATEWAY, deployGatewayMarket, eventually, proofsOf, readingsOnChain } from "./support";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("appender after a crash", () => {
  let chain: LocalChain;
  let market: { address: string; asSeller: IoTDataMarket; provider: JsonRpcProvider };
  let redis: Redis;
  const gateway = devWallet(GATEWAY);
  let nextTimestamp = Math.floor(Date.now() / 1000) - 600;

  beforeAll(async () => {
    chain = await startLocalChain({ port: await freePort() });
    market = await deployGatewayMarket(chain.rpcUrl);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });

  afterAll(async () => {
    redis?.disconnect();
    market?.provider.destroy();
    await chain?.stop();
  });

  /** A fresh queue holding `values` from one device, and the signed append the appender would have recorded for them. */
  async function queuedAndSigned(values: number[]) {
    const queue = new ReadingQueue({ redis, prefix: `iotdm-test:{gateway:recovery-${randomBytes(4).toString("hex")}}` });
    // Timestamps after the previous test's, and in the past: the market takes them as they are.
    const start = nextTimestamp;
    nextTimestamp += values.length;
    const items: QueueItem[] = values.map((value, i) => ({ kind: "plain", deviceId: "d1", seq: i + 1, t: start + i, value, queuedAt: Date.now() }));
    expect(await queue.accept({ datasetId: "1", deviceId: "d1", items, minTimestamp: 0 })).toEqual({ status: "queued" });

    const wallet = gateway.connect(market.provider);
    const [encrypted] = await encryptReadings({
      instance: await createFhevmInstance({ provider: market.provider }),
      market: market.address,
      appender: gateway.address,
      values: values.map(BigInt),
    });
    const request = await connectMarket(market.address, wallet).appendReadings!.populateTransaction(1n, encrypted!.handles, encrypted!.inputProof, items.map((item) => BigInt((item as { t: number }).t)));
    const populated = await wallet.populateTransaction({ ...request, gasLimit: appendGasLimit(values.length, EXACT_PRIVACY) });
    const raw = await wallet.signTransaction(populated);
    const { genesisHash } = await readChainIdentity({ url: chain.rpcUrl });
    const record = { items: values.length, hash: keccak256(raw), raw, nonce: Number(populated.nonce), genesisHash };
    await queue.setInFlight("1", record);
    return { queue, record };
  }

  /** Runs a fresh appender until the queue is empty; the batches it reports. */
  async function recover(queue: ReadingQueue): Promise<AppendedBatch[]> {
    const appended: AppendedBatch[] = [];
    const appender = new Appender({ queue, rpcUrl: chain.rpcUrl, market: market.address, privateKey: gateway.privateKey, onEvent: (e) => e.type === "appended" && appended.push(e.batch) });
    const running = appender.run();
    try {
      await eventually("the queue emptied", async () => (await queue.length("1")) === 0 && !(await queue.inFlight("1")), 60_000);
    } finally {
      appender.stop();
      await running;
    }
    return appended;
  }

  it("broadcasts a recorded append that never left as that same transaction, once", async () => {
    const before = (await readingsOnChain({ provider: market.provider, market: market.asSeller, datasetId: 1n })).length;
    const { queue, record } = await queuedAndSigned([11, 12, 13]);
    try {
      const appended = await recover(queue);
      expect(appended.map((b) => b.txHash)).toEqual([record.hash]);
      const onChain = (await readingsOnChain({ provider: market.provider, market: market.asSeller, datasetId: 1n })).slice(before);
      expect(onChain.map((r) => Number(r.value))).toEqual([11, 12, 13]);
      expect(await queue.counters()).toMatchObject({ queued: 3, appended: 3, batches: 1 });
    } finally {
      await queue.destroy();
    }
  });

  it("does not append again a batch that was mined before its completion was recorded", async () => {
    const before = (await readingsOnChain({ provider: market.provider, market: market.asSeller, datasetId: 1n })).length;
    const { queue, record } = await queuedAndSigned([21, 22, 23, 24]);
    try {
      // The gateway broadcast it and died before the receipt: the chain has it, the queue still holds the batch.
      const sent = await market.provider.broadcastTransaction(record.raw);
      expect((await sent.wait())!.status).toBe(1);
      expect(await queue.length("1")).toBe(4);

      const appended = await recover(queue);
      expect(appended.map((b) => b.txHash)).toEqual([record.hash]);
      const onChain = (await readingsOnChain({ provider: market.provider, market: market.asSeller, datasetId: 1n })).slice(before);
      expect(onChain.map((r) => Number(r.value))).toEqual([21, 22, 23, 24]);
      const all = await readingsOnChain({ provider: market.provider, market: market.asSeller, datasetId: 1n });
      const proofs = proofsOf(all);
      expect(proofs.distinctProofs).toBe(proofs.appends);
    } finally {
      await queue.destroy();
    }
  });
});
