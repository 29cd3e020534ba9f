/**
 * The gateway against a real broker (embedded, and the Mosquitto on 127.0.0.1:1883 when one
 * answers), real Redis and a local chain: readings of both modes land once, as the gateway's
 * account; refusals reach the device's status topic with a reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonRpcProvider } from "ethers";
import { createFhevmInstance, encryptReadings, type IoTDataMarket } from "@iotdm/contracts-client";
import { freePort, startLocalChain, type LocalChain } from "@iotdm/contracts-client/local-chain";
import { devWallet } from "../../demo/accounts";
import { MqttDevice, type DeviceEvent } from "../device-client";
import { startEmbeddedBroker, type EmbeddedBroker } from "../embedded-broker";
import { Gateway } from "../gateway";
import type { DeviceStatus } from "../protocol";
import { GATEWAY, deployGatewayMarket, eventually, readingsOnChain, testRegistry } from "./support";
import mqtt from "mqtt";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** True when an MQTT broker answers at `url` (anonymous login). */
async function brokerAnswers(url: string): Promise<boolean> {
  try {
    const client = await mqtt.connectAsync(url, { connectTimeout: 2_000, reconnectPeriod: 0 });
    await client.endAsync(true);
    return true;
  } catch {
    return false;
  }
}

describe("MQTT gateway", () => {
  let chain: LocalChain;
  let market: { address: string; asSeller: IoTDataMarket; provider: JsonRpcProvider };
  let embedded: EmbeddedBroker;
  const fixture = testRegistry([
    { id: "plain-a", mode: "plain" },
    { id: "plain-b", mode: "plain" },
    { id: "sealed-a", mode: "sealed" },
  ]);
  const { registry, passwords } = fixture;
  const [plainA, plainB, sealedA] = registry.devices.map((d) => d.id) as [string, string, string];

  beforeAll(async () => {
    chain = await startLocalChain({ port: await freePort() });
    market = await deployGatewayMarket(chain.rpcUrl);
    embedded = await startEmbeddedBroker({ registry: () => registry });
  });

  afterAll(async () => {
    await embedded?.close();
    market?.provider.destroy();
    await chain?.stop();
  });

  const startGateway = async (mqttUrl: string, name: string) => {
    const gateway = new Gateway({
      mqttUrl,
      registry: () => registry,
      password: fixture.gatewayPassword,
      redisUrl: REDIS_URL,
      redisPrefix: "iotdm-test",
      name,
      rpcUrl: chain.rpcUrl,
      market: market.address,
      privateKey: devWallet(GATEWAY).privateKey,
      maxBatchDelayMs: 300,
      maxReadingAgeSeconds: 3600,
      onEvent: (event) => process.env.GATEWAY_TEST_LOG && console.log(name, JSON.stringify(event, (_k, v) => (typeof v === "bigint" ? v.toString() : v)).slice(0, 300)),
    });
    await gateway.queue.destroy();
    await gateway.start();
    return gateway;
  };

  const device = (mqttUrl: string, id: string, onEvent?: (e: DeviceEvent) => void, extra: { sealFor?: string } = {}) => {
    const entry = registry.devices.find((d) => d.id === id)!;
    return new MqttDevice({
      mqttUrl,
      topicPrefix: registry.topicPrefix,
      datasetId: entry.datasetId,
      deviceId: id,
      password: passwords.get(id)!,
      mode: entry.mode,
      resendAfterMs: 3_000,
      ...(entry.mode === "sealed" ? { seal: sealFor(extra.sealFor ?? devWallet(GATEWAY).address) } : {}),
      onEvent,
    });
  };

  /** Mode a: the device encrypts for (market, gateway address) through the chain's mock relayer. */
  function sealFor(appender: string) {
    const instance = createFhevmInstance({ provider: market.provider });
    return async (readings: readonly { value: number }[]) => {
      const [batch] = await encryptReadings({ instance: await instance, market: market.address, appender, values: readings.map((r) => BigInt(r.value)) });
      return batch!;
    };
  }

  it("appends plain (mode b) and sealed (mode a) readings exactly once, with statuses, as the gateway's account", async () => {
    const gateway = await startGateway(embedded.url, `basic-${fixture.run}`);
    const statuses: DeviceStatus[] = [];
    const devices = [plainA, plainB, sealedA].map((id) => device(embedded.url, id, (e) => e.type === "status" && statuses.push(e.status)));
    try {
      await Promise.all(devices.map((d) => d.start()));
      const now = Math.floor(Date.now() / 1000) - 60;
      devices.forEach((d, k) => {
        for (let i = 0; i < 20; i++) d.push({ t: now + i, value: 1000 * (k + 1) + i });
      });
      await Promise.all(devices.map((d) => d.whenConfirmed()));
      await eventually("every reading on the chain", () => devices.every((d) => d.awaitingChain === 0));

      const onChain = await readingsOnChain({ provider: market.provider, market: market.asSeller, datasetId: 1n });
      const values = onChain.map((r) => Number(r.value)).sort((a, b) => a - b);
      const expected = [1, 2, 3].flatMap((k) => Array.from({ length: 20 }, (_, i) => 1000 * k + i)).sort((a, b) => a - b);
      expect(values).toEqual(expected);
      expect(onChain.every((r, i) => i === 0 || r.timestamp >= onChain[i - 1]!.timestamp)).toBe(true);
      const appends = await market.asSeller.queryFilter(market.asSeller.filters.ReadingsAppended(1n));
      expect(appends.every((log) => (log as unknown as { args: { appender: string } }).args.appender === devWallet(GATEWAY).address)).toBe(true);
      expect(statuses.some((s) => s.status === "appended")).toBe(true);
      expect(await gateway.counters()).toMatchObject({ queued: 60, appended: 60, refused: 0 });
    } finally {
      await Promise.all(devices.map((d) => d.stop()));
      await gateway.stop();
    }
  });

  it("refuses out-of-order, too old, future and malformed readings on the device's status topic, and drops duplicates", async () => {
    const gateway = await startGateway(embedded.url, `refusals-${fixture.run}`);
    const statuses: DeviceStatus[] = [];
    const raw = await mqtt.connectAsync(embedded.url, { clientId: plainA, username: plainA, password: passwords.get(plainA)!, clean: true });
    try {
      const topics = { readings: `${registry.topicPrefix}/datasets/1/devices/${plainA}/readings`, status: `${registry.topicPrefix}/datasets/1/devices/${plainA}/status` };
      raw.on("message", (_topic, payload) => statuses.push(JSON.parse(payload.toString())));
      await raw.subscribeAsync(topics.status, { qos: 1 });
      const now = Math.floor(Date.now() / 1000);
      const send = (body: unknown) => raw.publishAsync(topics.readings, typeof body === "string" ? body : JSON.stringify(body), { qos: 1 });
      await send({ v: 1, mode: "plain", seq: 10, t: [now - 10], values: [1] });
      await send({ v: 1, mode: "plain", seq: 10, t: [now - 10], values: [1] });
      await send({ v: 1, mode: "plain", seq: 11, t: [now - 20], values: [2] });
      await send({ v: 1, mode: "plain", seq: 12, t: [now - 7200], values: [3] });
      await send({ v: 1, mode: "plain", seq: 13, t: [now + 3600], values: [4] });
      await send("not json");
      await send({ v: 1, mode: "plain", seq: 14, t: [now], values: ["warm"] });
      await send({ v: 1, mode: "sealed", seq: 15, t: [now], handles: [`0x${"11".repeat(32)}`], inputProof: "0x00" });
      await eventually("eight statuses", () => statuses.length >= 8, 30_000);
      expect(statuses.slice(0, 8)).toMatchObject([
        { status: "queued", seq: 10 },
        { status: "duplicate", seq: 10 },
        { status: "refused", seq: 11, code: "out-of-order", reason: expect.stringContaining("before the device's previous reading") },
        { status: "refused", seq: 12, code: "too-old" },
        { status: "refused", seq: 13, code: "in-the-future", reason: expect.stringContaining("check the device's clock") },
        { status: "refused", seq: null, code: "bad-payload", reason: "the payload is not JSON" },
        { status: "refused", seq: 14, code: "bad-payload", reason: expect.stringContaining("values") },
        { status: "refused", seq: 15, code: "wrong-mode" },
      ]);
    } finally {
      await raw.endAsync(true);
      await gateway.stop();
    }
  });

  it("stamps readings from a device clock ahead of the chain's no later than the block that carries them", async () => {
    const gateway = await startGateway(embedded.url, `ahead-${fixture.run}`);
    const plain = device(embedded.url, plainA);
    try {
      await plain.start();
      const before = (await readingsOnChain({ provider: market.provider, market: market.asSeller, datasetId: 1n })).length;
      // Within what the gateway accepts (300 s ahead of its clock), but after any block the chain has.
      const ahead = Math.floor(Date.now() / 1000) + 200;
      for (let i = 0; i < 3; i++) plain.push({ t: ahead + i, value: 7000 + i });
      await plain.whenConfirmed();
      await eventually("the readings on the chain", () => plain.awaitingChain === 0);
      const onChain = (await readingsOnChain({ provider: market.provider, market: market.asSeller, datasetId: 1n })).slice(before);
      expect(onChain.map((r) => Number(r.value))).toEqual([7000, 7001, 7002]);
      expect(onChain.filter((r) => r.timestamp > r.blockTimestamp)).toEqual([]);
    } finally {
      await plain.stop();
      await gateway.stop();
    }
  });

  it("refuses a sealed batch the device encrypted for another appender, with the market's reason", async () => {
    const gateway = await startGateway(embedded.url, `wrong-key-${fixture.run}`);
    const refusals: DeviceEvent[] = [];
    const sealed = device(embedded.url, sealedA, (e) => e.type === "refused" && refusals.push(e), { sealFor: devWallet(SELLER_OTHER).address });
    try {
      await sealed.start();
      sealed.push({ t: Math.floor(Date.now() / 1000) - 5, value: 7 });
      await eventually("the market's refusal", () => refusals.length > 0, 60_000);
      expect(refusals[0]).toMatchObject({ type: "refused", code: "rejected-by-market" });
    } finally {
      await sealed.stop();
      await gateway.stop();
    }
  });

  it("works through the Mosquitto on 127.0.0.1:1883 when one answers", async (context) => {
    const url = "mqtt://127.0.0.1:1883";
    if (!(await brokerAnswers(url))) return context.skip();
    const gateway = await startGateway(url, `mosquitto-${fixture.run}`);
    const plain = device(url, plainB);
    try {
      await plain.start();
      const before = (await readingsOnChain({ provider: market.provider, market: market.asSeller, datasetId: 1n })).length;
      const now = Math.floor(Date.now() / 1000);
      for (let i = 0; i < 5; i++) plain.push({ t: now, value: 5000 + i });
      await plain.whenConfirmed();
      await eventually("the readings on the chain", () => plain.awaitingChain === 0);
      const onChain = await readingsOnChain({ provider: market.provider, market: market.asSeller, datasetId: 1n });
      expect(onChain.slice(before).map((r) => Number(r.value))).toEqual([5000, 5001, 5002, 5003, 5004]);
    } finally {
      await plain.stop();
      await gateway.stop();
    }
  });
});

/** An account that is not the gateway: a batch sealed for it carries a proof the market refuses from the gateway. */
const SELLER_OTHER = 17;
