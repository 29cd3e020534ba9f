/**
 * The device side of the gateway protocol (protocol.ts), as a real device would run it: readings
 * are buffered, sent as one message of up to 32 (in clear in mode b, sealed by the device in mode
 * a) with sequence numbers, and kept until the gateway's status topic answers for them. One message
 * is in flight at a time; an unanswered message is resent as it was (same sequence numbers) after
 * `resendAfterMs` and on every reconnection. Nothing is lost when the broker or the gateway
 * restarts, and the gateway drops the resends it already has.
 *
 * Sequence numbers start at the wall clock in milliseconds (and never go back), so that a device
 * restarted without storage continues above its last run's numbers at up to 1,000 readings per
 * second; a device with storage would persist a counter instead.
 */
import mqtt, { type MqttClient } from "mqtt";
import type { DeviceMode } from "./device-registry";
import { DeviceStatus, MAX_READINGS_PER_PROOF, deviceTopics, type DeviceMessage, type DeviceTopics } from "./protocol";

/** One reading as the sensor took it. */
export interface DeviceReading {
  /** Unix seconds. */
  t: number;
  /** In the dataset's unit. */
  value: number;
}

/** Encrypts readings on the device for (market, gateway address): mode a. */
export type Sealer = (readings: readonly DeviceReading[]) => Promise<{ handles: string[]; inputProof: string }>;

/** Counters of a device. */
export interface DeviceCounters {
  taken: number;
  /** Messages published, resends included. */
  published: number;
  resent: number;
  /** Readings the gateway queued (duplicates of them not counted twice). */
  queued: number;
  /** Readings the gateway refused. */
  refused: number;
  /** Readings the gateway reported on the chain. */
  appended: number;
  /** Readings dropped from a full buffer (never sent). */
  dropped: number;
  /** Readings taken and not yet answered for. */
  unconfirmed: number;
}

/** What a device reports. */
export type DeviceEvent =
  | { type: "connected"; url: string }
  | { type: "offline" }
  | { type: "status"; status: DeviceStatus }
  | { type: "appended"; seq: number; lastSeq: number; tx: string; latenciesMs: number[] }
  | { type: "refused"; code: string; reason: string; readings: number }
  | { type: "error"; message: string };

/** Options of {@link MqttDevice}. */
export interface MqttDeviceOptions {
  mqttUrl: string;
  topicPrefix: string;
  datasetId: string;
  deviceId: string;
  password: string;
  mode: DeviceMode;
  /** Mode a: encrypts a batch for the gateway. */
  seal?: Sealer;
  /** Resend an unanswered message after this long (default 10 s). */
  resendAfterMs?: number;
  /** Readings kept while nothing can be sent; the oldest are dropped beyond (default 4,096). */
  maxBuffered?: number;
  /**
   * When a message leaves: once `size` readings are buffered, or the oldest was taken `maxDelayMs`
   * ago (default size 1: at once). A mode a device batches on the device (one proof and one
   * transaction per message); a mode b device sends at once and the gateway batches across devices.
   */
  batch?: { size: number; maxDelayMs: number };
  onEvent?: (event: DeviceEvent) => void;
}

interface InFlight {
  seq: number;
  lastSeq: number;
  payload: string;
  sentAt: number;
  takenAt: number[];
}

/** See the module comment. */
export class MqttDevice {
  readonly #options: MqttDeviceOptions & Required<Pick<MqttDeviceOptions, "resendAfterMs" | "maxBuffered" | "batch">>;
  readonly #topics: DeviceTopics;
  #client: MqttClient | undefined;
  #buffer: (DeviceReading & { takenAt: number })[] = [];
  #inFlight: InFlight | undefined;
  #sealing = false;
  /** Readings being sealed (mode a): taken, not in the buffer, not in flight yet. */
  #sealingReadings = 0;
  #nextSeq = 0;
  /** Readings queued by the gateway and not yet reported appended: seq → when taken (ms). */
  readonly #awaitingChain = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  /** Wakes #pump when a partial batch is due. */
  #batchTimer: NodeJS.Timeout | undefined;
  readonly #counters: DeviceCounters = { taken: 0, published: 0, resent: 0, queued: 0, refused: 0, appended: 0, dropped: 0, unconfirmed: 0 };
  readonly #idleWaiters: (() => void)[] = [];

  constructor(options: MqttDeviceOptions) {
    if (options.mode === "sealed" && !options.seal) throw new Error("a sealed (mode a) device needs a sealer that encrypts for the gateway");
    const batch = options.batch ?? { size: 1, maxDelayMs: 0 };
    if (!Number.isInteger(batch.size) || batch.size < 1 || batch.size > MAX_READINGS_PER_PROOF || !(batch.maxDelayMs >= 0)) {
      throw new Error(`batch size must be 1..${MAX_READINGS_PER_PROOF} readings and its delay ≥ 0 ms, got ${batch.size} and ${batch.maxDelayMs}`);
    }
    this.#options = { resendAfterMs: 10_000, maxBuffered: 4_096, ...options, batch };
    this.#topics = deviceTopics({ prefix: options.topicPrefix, datasetId: options.datasetId, deviceId: options.deviceId });
  }

  get counters(): DeviceCounters {
    return { ...this.#counters, unconfirmed: this.#buffer.length + this.#sealingReadings + (this.#inFlight ? this.#inFlight.lastSeq - this.#inFlight.seq + 1 : 0) };
  }

  /** Readings the gateway queued that it has not reported on the chain yet. */
  get awaitingChain(): number {
    return this.#awaitingChain.size;
  }

  /** Connects (and keeps reconnecting); resolves on the first connection. */
  async start(): Promise<void> {
    const client = mqtt.connect(this.#options.mqttUrl, {
      clientId: this.#options.deviceId,
      username: this.#options.deviceId,
      password: this.#options.password,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
    });
    this.#client = client;
    client.on("connect", () => {
      this.#emit({ type: "connected", url: this.#options.mqttUrl });
      client.subscribe(this.#topics.status, { qos: 1 });
      // The broker may have lost the message in flight (a restart): send it again.
      if (this.#inFlight) this.#publish(this.#inFlight, true);
      this.#pump();
    });
    client.on("offline", () => this.#emit({ type: "offline" }));
    client.on("error", (err) => this.#emit({ type: "error", message: err.message }));
    client.on("message", (topic, payload) => {
      if (topic === this.#topics.status) this.#onStatus(payload);
    });
    this.#timer = setInterval(() => {
      const flight = this.#inFlight;
      if (flight && this.#client?.connected && Date.now() - flight.sentAt >= this.#options.resendAfterMs) this.#publish(flight, true);
    }, Math.max(100, Math.min(1_000, this.#options.resendAfterMs / 4)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`device ${this.#options.deviceId}: no broker answered at ${this.#options.mqttUrl} within 15 s`)), 15_000);
      client.once("connect", () => (clearTimeout(timer), resolve()));
      client.once("error", (err) => {
        // A refused login does not get better by retrying.
        if (/Not authorized|Bad username or password/i.test(err.message)) {
          clearTimeout(timer);
          reject(new Error(`device ${this.#options.deviceId}: the broker refused the login (${err.message})`));
        }
      });
    });
  }

  /** Takes a reading: it is sent as soon as the previous message is answered. */
  push(reading: DeviceReading): void {
    this.#counters.taken++;
    this.#buffer.push({ ...reading, takenAt: Date.now() });
    const excess = this.#buffer.length - this.#options.maxBuffered;
    if (excess > 0) {
      this.#buffer.splice(0, excess);
      this.#counters.dropped += excess;
    }
    this.#pump();
  }

  /** Resolves when every reading taken so far has been answered for (queued, duplicate or refused). */
  whenConfirmed(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Disconnects (unanswered readings are abandoned). */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#batchTimer) clearTimeout(this.#batchTimer);
    await this.#client?.endAsync(true).catch(() => undefined);
  }

  #isIdle(): boolean {
    return !this.#inFlight && !this.#sealing && this.#buffer.length === 0;
  }

  /** Sends the next message when none is in flight. */
  #pump(): void {
    if (this.#inFlight || this.#sealing || this.#buffer.length === 0 || !this.#client?.connected) return;
    const { size, maxDelayMs } = this.#options.batch;
    const dueAt = this.#buffer[0]!.takenAt + maxDelayMs;
    if (this.#buffer.length < size && Date.now() < dueAt) {
      if (!this.#batchTimer) {
        this.#batchTimer = setTimeout(() => {
          this.#batchTimer = undefined;
          this.#pump();
        }, dueAt - Date.now());
      }
      return;
    }
    const batch = this.#buffer.splice(0, size > 1 ? size : MAX_READINGS_PER_PROOF);
    // Sequence numbers follow the wall clock in ms and never go back (see the module comment).
    const seq = Math.max(this.#nextSeq, Date.now());
    this.#nextSeq = seq + batch.length;
    const t = batch.map((reading) => reading.t);
    const flight = (message: DeviceMessage): InFlight => ({ seq, lastSeq: seq + batch.length - 1, payload: JSON.stringify(message), sentAt: 0, takenAt: batch.map((r) => r.takenAt) });
    if (this.#options.mode === "plain") {
      this.#inFlight = flight({ v: 1, mode: "plain", seq, t, values: batch.map((reading) => reading.value) });
      this.#publish(this.#inFlight, false);
      return;
    }
    this.#sealing = true;
    this.#sealingReadings = batch.length;
    this.#options.seal!(batch).then(
      ({ handles, inputProof }) => {
        this.#sealing = false;
        this.#sealingReadings = 0;
        this.#inFlight = flight({ v: 1, mode: "sealed", seq, t, handles, inputProof });
        this.#publish(this.#inFlight, false);
      },
      (err: unknown) => {
        // Could not encrypt (the chain's relayer away): keep the readings, try again shortly.
        this.#sealing = false;
        this.#sealingReadings = 0;
        this.#buffer.unshift(...batch);
        this.#nextSeq = seq;
        this.#emit({ type: "error", message: `cannot seal a batch: ${(err as Error).message}` });
        setTimeout(() => this.#pump(), 1_000).unref();
      },
    );
  }

  #publish(flight: InFlight, resend: boolean): void {
    if (!this.#client?.connected) return;
    flight.sentAt = Date.now();
    this.#counters.published++;
    if (resend) this.#counters.resent++;
    this.#client.publish(this.#topics.readings, flight.payload, { qos: 1 }, (err) => {
      if (err) this.#emit({ type: "error", message: `publish: ${err.message}` });
    });
  }

  #onStatus(payload: Buffer): void {
    let status: DeviceStatus;
    try {
      status = DeviceStatus.parse(JSON.parse(payload.toString("utf8")));
    } catch {
      return;
    }
    this.#emit({ type: "status", status });
    if (status.status === "appended") {
      const latenciesMs: number[] = [];
      for (let seq = status.seq; seq <= status.lastSeq; seq++) {
        const takenAt = this.#awaitingChain.get(seq);
        if (takenAt === undefined) continue;
        this.#awaitingChain.delete(seq);
        this.#counters.appended++;
        latenciesMs.push(Date.now() - takenAt);
      }
      this.#emit({ type: "appended", seq: status.seq, lastSeq: status.lastSeq, tx: status.tx, latenciesMs });
      return;
    }
    const flight = this.#inFlight;
    if (status.status === "refused" && status.seq !== null && (!flight || status.seq !== flight.seq)) {
      // Queued earlier, then refused by the market (a sealed batch the gateway could not append).
      let readings = 0;
      for (let seq = status.seq; seq <= (status.lastSeq ?? status.seq); seq++) if (this.#awaitingChain.delete(seq)) readings++;
      if (readings > 0) {
        this.#counters.refused += readings;
        this.#emit({ type: "refused", code: status.code, reason: status.reason, readings });
      }
      return;
    }
    if (!flight || status.seq !== flight.seq) return;
    const readings = flight.lastSeq - flight.seq + 1;
    if (status.status === "refused") {
      this.#counters.refused += readings;
      this.#emit({ type: "refused", code: status.code, reason: status.reason, readings });
    } else {
      this.#counters.queued += readings;
      // A duplicate's readings were queued by an earlier copy; either way they await the chain.
      flight.takenAt.forEach((takenAt, i) => this.#awaitingChain.set(flight.seq + i, takenAt));
    }
    this.#inFlight = undefined;
    this.#pump();
    if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #emit(event: DeviceEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // A failing listener must not stop the device.
    }
  }
}
