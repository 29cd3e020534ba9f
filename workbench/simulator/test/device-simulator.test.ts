/**
 * The device simulator against a real local chain (Hardhat node with the fhevm mock): batches land
 * with the device as appender, definite refusals stop it with the contract's reason, a pause is
 * waited out, and a chain restart is survived.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JsonRpcProvider } from "ethers";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import { freePort, startLocalChain, type LocalChain } from "@iotdm/contracts-client/local-chain";
import { connectMarket, EXACT_PRIVACY, readDatasetInfo, type IoTDataMarket } from "@iotdm/contracts-client";
import { devWallet } from "../../demo/accounts";
import { DeviceSimulator, SimulatorError, type DeviceSimulatorOptions, type SimulatorEvent } from "../device-simulator";

const SELLER = 2;
const DEVICE = 10;
const STRANGER = 15;

/** Deploys the market and creates dataset 1 (a thermometer) with DEVICE registered. */
async function deployWithDataset(rpcUrl: string): Promise<{ address: string; asSeller: IoTDataMarket; provider: JsonRpcProvider }> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1, pollingInterval: 50 });
  const { address } = await deployMarket({ signer: devWallet(0, provider), operator: devWallet(1).address });
  const asSeller = connectMarket(address, devWallet(SELLER, provider));
  const params = { name: "greenhouse", field: "temperature", unit: "°C", scale: 2, offset: -5000n, pricePerPeriod: 1000n, periodSeconds: 3600, bucketSize: 4n, privacy: EXACT_PRIVACY, rollups: 0 };
  await (await asSeller.createDataset(params)).wait();
  await (await asSeller.registerDevice(1n, devWallet(DEVICE).address)).wait();
  return { address, asSeller, provider };
}

/** Resolves when `predicate` holds for an event already seen or a later one. */
function eventLog() {
  const events: SimulatorEvent[] = [];
  const waiters: { predicate: (e: SimulatorEvent) => boolean; resolve: (e: SimulatorEvent) => void }[] = [];
  return {
    events,
    onEvent(event: SimulatorEvent) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    },
    next(predicate: (e: SimulatorEvent) => boolean, timeoutMs = 30_000, from = events.length): Promise<SimulatorEvent> {
      const seen = events.slice(from).find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event in ${timeoutMs} ms; saw ${events.map((e) => e.type).join(", ")}`)), timeoutMs);
        waiters.push({ predicate, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
  };
}

describe("device simulator on a local chain", () => {
  let chain: LocalChain;
  let port: number;
  let market: { address: string; asSeller: IoTDataMarket; provider: JsonRpcProvider };

  const simulator = (overrides: Partial<DeviceSimulatorOptions> = {}) => {
    const log = eventLog();
    const device = new DeviceSimulator({
      rpcUrl: chain.rpcUrl,
      market: market.address,
      datasetId: 1n,
      deviceKey: devWallet(DEVICE).privateKey,
      rate: 20,
      batchSize: 8,
      maxBatchDelayMs: 500,
      seed: "test",
      utcOffsetHours: 0,
      backoff: { initialMs: 200, maxMs: 1_000 },
      onEvent: log.onEvent,
      ...overrides,
    });
    return { device, log };
  };

  beforeAll(async () => {
    port = await freePort();
    chain = await startLocalChain({ port });
    market = await deployWithDataset(chain.rpcUrl);
  });

  afterAll(async () => {
    market?.provider.destroy();
    await chain?.stop();
  });

  it("appends encrypted batches as the registered device, at the configured rate, with progress", async () => {
    const before = (await readDatasetInfo(market.asSeller, 1n)).readingCount;
    const { device, log } = simulator();
    const running = device.run();
    await log.next((e) => e.type === "batch" && e.stats.readingsSent >= 24);
    const stats = await device.stop();
    await running;

    const connected = log.events.find((e) => e.type === "connected");
    expect(connected).toMatchObject({ kind: "temperature", device: devWallet(DEVICE).address });
    const info = await readDatasetInfo(market.asSeller, 1n);
    expect(info.readingCount - before).toBe(BigInt(stats.readingsSent));
    expect(stats.batchesSent).toBeGreaterThanOrEqual(3);
    expect(stats.lastTxHash).toMatch(/^0x[0-9a-f]{64}$/);
    // At 20 readings/s, 8 per batch: no batch carries more than the batch size.
    for (const event of log.events) if (event.type === "batch") expect(event.readings).toBeLessThanOrEqual(8);

    const logs = await market.asSeller.queryFilter(market.asSeller.filters.ReadingsAppended(1n));
    const ours = logs.filter((entry) => "args" in entry && entry.args.appender === devWallet(DEVICE).address);
    const stamps = ours.flatMap((entry) => ("args" in entry ? [...(entry.args.timestamps as bigint[])] : []));
    expect(stamps.length).toBe(stats.readingsSent);
    expect(stamps.every((t, i) => i === 0 || t >= stamps[i - 1]!)).toBe(true);
    expect(Number(stamps[stamps.length - 1]!)).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(log.events[log.events.length - 1]!.type).toBe("stopped");
  });

  it("stops with the reason when the device is not registered", async () => {
    const { device } = simulator({ deviceKey: devWallet(STRANGER).privateKey });
    const error = await device.run().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SimulatorError);
    expect(error).toMatchObject({ code: "NOT_A_DEVICE" });
    expect((error as Error).message).toContain(`${devWallet(STRANGER).address} is not a registered device of dataset 1 ("greenhouse")`);
  });

  it("stops with the contract's sentence when the dataset does not exist", async () => {
    const { device } = simulator({ datasetId: 99n });
    await expect(device.run()).rejects.toMatchObject({ code: "DATASET_NOT_FOUND", message: "Dataset 99 does not exist." });
  });

  it("stops when there is no market at the address", async () => {
    const { device } = simulator({ market: devWallet(STRANGER).address });
    await expect(device.run()).rejects.toMatchObject({ code: "NO_MARKET" });
  });

  it("waits while the dataset is paused and carries on once it is unpaused", async () => {
    const { device, log } = simulator();
    const running = device.run();
    await log.next((e) => e.type === "batch");
    await (await market.asSeller.pauseDataset(1n)).wait();
    const waiting = await log.next((e) => e.type === "waiting");
    expect(waiting).toMatchObject({ reason: expect.stringContaining("paused by its seller") });
    const mark = log.events.length;
    await (await market.asSeller.unpauseDataset(1n)).wait();
    await log.next((e) => e.type === "batch", 30_000, mark);
    const stats = await device.stop();
    await running;
    expect(stats.readingsDropped).toBe(0);
  });

  it("survives a chain restart: reconnects, recognises the new genesis, and appends to the re-created dataset", async () => {
    const { device, log } = simulator({ rate: 10, maxBatchDelayMs: 300 });
    const running = device.run();
    await log.next((e) => e.type === "batch");
    const firstGenesis = (log.events.find((e) => e.type === "connected") as Extract<SimulatorEvent, { type: "connected" }>).genesisHash;

    const beforeRestart = log.events.length;
    market.provider.destroy();
    await chain.stop();
    await log.next((e) => e.type === "disconnected", 30_000, beforeRestart);
    chain = await startLocalChain({ port });
    market = await deployWithDataset(chain.rpcUrl);

    const reset = await log.next((e) => e.type === "chain-reset", 60_000, beforeRestart);
    expect(reset).toMatchObject({ previousGenesis: firstGenesis });
    await log.next((e) => e.type === "batch", 60_000, log.events.indexOf(reset));
    const stats = await device.stop();
    await running;

    const info = await readDatasetInfo(market.asSeller, 1n);
    expect(info.readingCount).toBeGreaterThan(0n);
    expect(stats.readingsSent).toBeGreaterThanOrEqual(Number(info.readingCount));
  });
});
