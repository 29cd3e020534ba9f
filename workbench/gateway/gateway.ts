/**
 * The MQTT gateway: subscribes to every device's readings topic with a persistent session (QoS 1),
 * checks each message (registered device, its mode, payload, order, age), queues it durably in
 * Redis and only then lets the broker have its acknowledgement; the appender takes the queue to the
 * chain in batches. Each device hears on its status topic what became of each message: queued, a
 * duplicate, refused (with the reason), appended (with the transaction).
 *
 * A gateway killed at any point loses nothing: an unacknowledged message is redelivered by the
 * broker (or resent by the device) and recognised by its sequence number if it was queued already;
 * the appender resumes its recorded transaction (appender.ts).
 */
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import { Redis } from "ioredis";
import { readChainIdentity } from "../simulator/rpc";
import type { FhevmNetwork } from "../simulator/fhevm-network";
import { Appender, type AppenderEvent } from "./appender";
import { findDevice, type DeviceRegistry } from "./device-registry";
import {
  DeviceMessage,
  deviceTopics,
  gatewayInfoTopic,
  parseReadingsTopic,
  readingsWildcard,
  seqRange,
  type DeviceStatus,
  type GatewayInfo,
  type RefusalCode,
} from "./protocol";
import { ReadingQueue, type QueueCounters, type QueueItem } from "./reading-queue";

/** Options of {@link Gateway}. */
export interface GatewayOptions {
  mqttUrl: string;
  /** The devices and the gateway's login; read on every message (a file may change). */
  registry: () => DeviceRegistry;
  /** The gateway's broker password (its hash is in the registry). */
  password: string;
  redisUrl: string;
  /** Namespaces the gateway's Redis keys; one gateway process per name. */
  name: string;
  /** Redis key prefix (default `iotdm`). */
  redisPrefix?: string;
  rpcUrl: string;
  market: string;
  privateKey: string;
  network?: FhevmNetwork;
  maxBatchDelayMs?: number;
  /** Readings older than this are refused (default 7 days). */
  maxReadingAgeSeconds?: number;
  /** Readings stamped further ahead of the gateway's clock are refused (default 300 s). */
  maxClockAheadSeconds?: number;
  onEvent?: (event: GatewayEvent) => void;
}

/** What the gateway reports. */
export type GatewayEvent =
  | AppenderEvent
  | { type: "broker"; state: "connected" | "offline" | "reconnecting"; url: string }
  | { type: "message"; datasetId: string; deviceId: string; status: DeviceStatus }
  | { type: "error"; message: string };

/** See the module comment. */
export class Gateway {
  readonly #options: GatewayOptions;
  readonly #redis: Redis;
  readonly #queue: ReadingQueue;
  readonly #appender: Appender;
  #client: MqttClient | undefined;
  #appending: Promise<void> | undefined;
  #stopping = false;

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.#redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    this.#redis.on("error", () => undefined);
    // One hash slot for every key of a gateway: its Lua scripts touch several (Redis Cluster).
    this.#queue = new ReadingQueue({ redis: this.#redis, prefix: `${options.redisPrefix ?? "iotdm"}:{gateway:${options.name}}` });
    this.#appender = new Appender({
      queue: this.#queue,
      rpcUrl: options.rpcUrl,
      market: options.market,
      privateKey: options.privateKey,
      network: options.network,
      maxBatchDelayMs: options.maxBatchDelayMs,
      onEvent: (event) => this.#onAppenderEvent(event),
    });
  }

  /** The gateway's account (the appender mode a devices encrypt for). */
  get address(): string {
    return this.#appender.address;
  }

  /** The durable queue (counters, tests). */
  get queue(): ReadingQueue {
    return this.#queue;
  }

  /** Connects to Redis, the chain and the broker, then serves until `stop()`. */
  async start(): Promise<void> {
    if (this.#redis.status === "wait") await this.#redis.connect();
    const { chainId } = await readChainIdentity({ url: this.#options.rpcUrl, timeoutMs: 15_000 });
    const registry = this.#options.registry();
    const info = (online: boolean): string => JSON.stringify({ address: this.address, market: this.#options.market, chainId: String(chainId), online } satisfies GatewayInfo);
    const infoTopic = gatewayInfoTopic(registry.topicPrefix);
    this.#appending = this.#appender.run();

    const client = mqtt.connect(this.#options.mqttUrl, {
      // A fixed client id and no clean session: the broker keeps the subscription and queues QoS 1 messages while the gateway is away.
      clientId: registry.gateway.username,
      username: registry.gateway.username,
      password: this.#options.password,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
      will: { topic: infoTopic, payload: Buffer.from(info(false)), qos: 1, retain: true },
    });
    this.#client = client;
    // Messages one at a time, acknowledged (PUBACK) only once `callback` runs: after Redis has them.
    client.handleMessage = (packet, callback) => {
      this.#onMessage(packet).then(
        () => callback(),
        (err: unknown) => {
          if (!this.#stopping) this.#emit({ type: "error", message: `message on ${packet.topic} not acknowledged: ${(err as Error).message}` });
          callback(err as Error);
        },
      );
    };
    client.on("connect", () => {
      this.#emit({ type: "broker", state: "connected", url: this.#options.mqttUrl });
      client.publish(infoTopic, info(true), { qos: 1, retain: true });
      client.subscribe(readingsWildcard(registry.topicPrefix), { qos: 1 }, (err, granted) => {
        if (err || granted?.some((grant) => grant.qos > 2)) this.#emit({ type: "error", message: `cannot subscribe to the readings: ${err?.message ?? "refused by the broker"}` });
      });
    });
    client.on("offline", () => this.#emit({ type: "broker", state: "offline", url: this.#options.mqttUrl }));
    client.on("reconnect", () => this.#emit({ type: "broker", state: "reconnecting", url: this.#options.mqttUrl }));
    client.on("error", (err) => this.#emit({ type: "error", message: `broker: ${err.message}` }));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no broker answered at ${this.#options.mqttUrl} within 15 s`)), 15_000);
      client.once("connect", () => (clearTimeout(timer), resolve()));
    }).catch(async (err) => {
      await this.stop();
      throw err;
    });
  }

  /** Stops taking messages, lets the batch in flight settle, and disconnects; resolves with the last counters (undefined when Redis cannot say). */
  async stop(): Promise<QueueCounters | undefined> {
    this.#stopping = true;
    this.#appender.stop();
    await this.#appending?.catch(() => undefined);
    if (this.#client) {
      const registry = this.#options.registry();
      const client = this.#client;
      if (client.connected) {
        await client.publishAsync(gatewayInfoTopic(registry.topicPrefix), JSON.stringify({ address: this.address, market: this.#options.market, chainId: "", online: false }), { qos: 1, retain: true }).catch(() => undefined);
      }
      await client.endAsync(true).catch(() => undefined);
    }
    const counters = this.#redis.status === "ready" ? await this.#queue.counters().catch(() => undefined) : undefined;
    this.#redis.disconnect();
    return counters;
  }

  /** The queue's counters. */
  counters(): Promise<QueueCounters> {
    return this.#queue.counters();
  }

  async #onMessage(packet: IPublishPacket): Promise<void> {
    const registry = this.#options.registry();
    const where = parseReadingsTopic(registry.topicPrefix, packet.topic);
    if (!where) return;
    const { datasetId, deviceId } = where;
    const statusTopic = deviceTopics({ prefix: registry.topicPrefix, datasetId, deviceId }).status;
    const answer = (status: DeviceStatus) => {
      this.#client?.publish(statusTopic, JSON.stringify(status), { qos: 1 });
      this.#emit({ type: "message", datasetId, deviceId, status });
    };
    const refuse = async (code: RefusalCode, reason: string, seq: number | null, lastSeq: number | null = seq) => {
      await this.#withRedis(() => this.#queue.countRefused());
      answer({ status: "refused", seq, lastSeq, code, reason });
    };

    let json: unknown;
    try {
      json = JSON.parse(packet.payload.toString("utf8"));
    } catch {
      return refuse("bad-payload", "the payload is not JSON", null);
    }
    const parsed = DeviceMessage.safeParse(json);
    if (!parsed.success) {
      const seq = typeof (json as { seq?: unknown })?.seq === "number" ? (json as { seq: number }).seq : null;
      return refuse("bad-payload", `the payload is not a reading: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`, seq);
    }
    const message = parsed.data;
    const { seq, lastSeq } = seqRange(message);
    const device = findDevice(registry, datasetId, deviceId);
    if (!device) return refuse("unknown-device", `no device "${deviceId}" is registered with this gateway for dataset ${datasetId}`, seq, lastSeq);
    if (device.mode !== message.mode) {
      return refuse("wrong-mode", `device "${deviceId}" is registered for ${device.mode} readings, but sent ${message.mode} ones`, seq, lastSeq);
    }

    const now = Math.floor(Date.now() / 1000);
    const times = message.t;
    const ahead = this.#options.maxClockAheadSeconds ?? 300;
    if (times[times.length - 1]! > now + ahead) {
      return refuse("in-the-future", `timestamp ${times[times.length - 1]} is more than ${ahead} s ahead of the gateway's clock (${now}): check the device's clock`, seq, lastSeq);
    }
    const maxAge = this.#options.maxReadingAgeSeconds ?? 7 * 24 * 3600;
    const queuedAt = Date.now();
    const items: QueueItem[] =
      message.mode === "plain"
        ? message.values.map((value, i) => ({ kind: "plain", deviceId, seq: message.seq + i, t: message.t[i]!, value, queuedAt }))
        : [{ kind: "sealed", deviceId, seq: message.seq, t: message.t, handles: message.handles, inputProof: message.inputProof, queuedAt }];
    const outcome = await this.#withRedis(() => this.#queue.accept({ datasetId, deviceId, items, minTimestamp: now - maxAge }));
    switch (outcome.status) {
      case "queued":
        answer({ status: "queued", seq, lastSeq });
        this.#appender.wake();
        return;
      case "duplicate":
        answer({ status: "duplicate", seq, lastSeq });
        return;
      case "out-of-order":
        answer({ status: "refused", seq, lastSeq, code: "out-of-order", reason: `timestamp ${times[0]} is before the device's previous reading (${outcome.lastTimestamp})` });
        return;
      case "too-old":
        answer({ status: "refused", seq, lastSeq, code: "too-old", reason: `timestamp ${times[0]} is more than ${maxAge} s old` });
        return;
    }
  }

  /** Retries a Redis operation until it succeeds or the gateway stops: a message is acknowledged only after. */
  async #withRedis<T>(operation: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await operation();
      } catch (err) {
        if (this.#stopping) throw err;
        this.#emit({ type: "error", message: `Redis: ${(err as Error).message}; retrying` });
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 200 * 2 ** attempt)));
      }
    }
  }

  #onAppenderEvent(event: AppenderEvent): void {
    this.#emit(event);
    const registry = this.#options.registry();
    const publish = (datasetId: string, deviceId: string, status: DeviceStatus) =>
      this.#client?.publish(deviceTopics({ prefix: registry.topicPrefix, datasetId, deviceId }).status, JSON.stringify(status), { qos: 1 });
    if (event.type === "appended") {
      const { batch } = event;
      const ranges = new Map<string, { seq: number; lastSeq: number }>();
      for (const item of batch.items) {
        const last = item.kind === "plain" ? item.seq : item.seq + item.handles.length - 1;
        const range = ranges.get(item.deviceId);
        ranges.set(item.deviceId, range ? { seq: Math.min(range.seq, item.seq), lastSeq: Math.max(range.lastSeq, last) } : { seq: item.seq, lastSeq: last });
      }
      for (const [deviceId, range] of ranges) publish(batch.datasetId, deviceId, { status: "appended", ...range, tx: batch.txHash, firstIndex: batch.firstIndex.toString() });
    }
    if (event.type === "refused") {
      const { item } = event;
      publish(event.datasetId, item.deviceId, { status: "refused", seq: item.seq, lastSeq: item.seq + item.handles.length - 1, code: "rejected-by-market", reason: event.reason });
    }
  }

  #emit(event: GatewayEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // A failing listener must not stop the gateway.
    }
  }
}
