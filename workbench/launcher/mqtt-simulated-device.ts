/**
 * A simulated IoT device that speaks MQTT to the gateway as a real one does: it samples a sensor
 * signal (workbench/simulator/signals.ts) at a steady rate and publishes the readings with the
 * gateway protocol's device side (workbench/gateway/device-client.ts): in clear as soon as they are
 * taken (mode b; the gateway encrypts and batches across devices), or encrypted on the device for
 * (market, gateway account) in batches of up to 32 (mode a; one input proof per message). `npm
 * start` runs one per demo dataset, `npm run simulate -- --mqtt` one on its own. A launcher module
 * because it joins the simulator's signals and the gateway's device side.
 */
import { JsonRpcProvider, Network } from "ethers";
import { connectMarket, encryptReadings, readDatasetInfo, type FhevmClient } from "@iotdm/contracts-client";
import { MqttDevice, type DeviceCounters, type DeviceEvent, type MqttDeviceOptions, type Sealer } from "../gateway/device-client";
import { encodeReading } from "../simulator/encoding";
import { createNetworkFhevm, type FhevmNetwork } from "../simulator/fhevm-network";
import { readChainIdentity } from "../simulator/rpc";
import type { SensorSignal } from "../simulator/signals";

/** What a simulated MQTT device reports: the device side's events, and anomalies as they begin. */
export type MqttSimulatorEvent = DeviceEvent | { type: "anomaly"; name: string; timestamp: number; value: number };

/** Options of {@link MqttSimulatedDevice}. */
export interface MqttSimulatedDeviceOptions {
  /** The broker, the device's topics and login, and its mode. */
  device: Omit<MqttDeviceOptions, "seal" | "batch" | "onEvent">;
  /** Readings per second. */
  rate: number;
  signal: SensorSignal;
  /** Mode a: encrypts a batch for the gateway (see {@link chainSealer}). */
  seal?: Sealer;
  /** Mode a: readings per message, and the longest a reading waits for its batch (default 32 and 30 s). */
  batch?: { size: number; maxDelayMs: number };
  onEvent?: (event: MqttSimulatorEvent) => void;
}

/** See the module comment. */
export class MqttSimulatedDevice {
  readonly #options: MqttSimulatedDeviceOptions;
  readonly #device: MqttDevice;
  #timer: NodeJS.Timeout | undefined;
  #nextSampleAt = 0;
  #lastAnomaly: string | null = null;
  #stopped = false;

  constructor(options: MqttSimulatedDeviceOptions) {
    if (!(options.rate > 0) || !Number.isFinite(options.rate)) throw new Error(`rate must be a positive number of readings per second, got ${options.rate}`);
    this.#options = options;
    const sealed = options.device.mode === "sealed";
    this.#device = new MqttDevice({
      ...options.device,
      ...(sealed ? { seal: options.seal, batch: options.batch ?? { size: 32, maxDelayMs: 30_000 } } : {}),
      onEvent: (event) => this.#emit(event),
    });
  }

  /** The device side's counters (readings taken, queued, appended, refused, …). */
  get counters(): DeviceCounters {
    return this.#device.counters;
  }

  /** Connects to the broker (resolves on the first connection), then samples until `stop()`. */
  async start(): Promise<void> {
    await this.#device.start();
    this.#nextSampleAt = Date.now();
    this.#tick();
  }

  /** Stops sampling and disconnects; readings the gateway has not answered for yet are abandoned. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#device.stop();
  }

  /** Takes every reading due by now, then sleeps until the next one. */
  #tick(): void {
    if (this.#stopped) return;
    const intervalMs = 1000 / this.#options.rate;
    while (this.#nextSampleAt <= Date.now()) {
      const sample = this.#options.signal.next(Math.floor(this.#nextSampleAt / 1000));
      this.#nextSampleAt += intervalMs;
      if (sample.anomaly !== null && sample.anomaly !== this.#lastAnomaly) this.#emit({ type: "anomaly", name: sample.anomaly, timestamp: sample.timestamp, value: sample.value });
      this.#lastAnomaly = sample.anomaly;
      this.#device.push({ t: sample.timestamp, value: sample.value });
    }
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, this.#nextSampleAt - Date.now()));
  }

  #emit(event: MqttSimulatorEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // A failing listener must not stop the device.
    }
  }
}

/**
 * Mode a on a device: encodes readings with the dataset's public scale and offset (read from the
 * market once) and encrypts them for (market, `gateway`), the account that will append them, with
 * one input proof per batch. The connection is made on first use and made again after a failure
 * (the device keeps its readings and tries again).
 */
export function chainSealer(options: { rpcUrl: string; market: string; datasetId: bigint; gateway: string; network: FhevmNetwork }): Sealer {
  let session: Promise<{ provider: JsonRpcProvider; fhevm: FhevmClient; scale: number; offset: bigint }> | undefined;
  const connect = async () => {
    const { chainId } = await readChainIdentity({ url: options.rpcUrl });
    const provider = new JsonRpcProvider(options.rpcUrl, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1 });
    try {
      const dataset = await readDatasetInfo(connectMarket(options.market, provider), options.datasetId);
      const fhevm = await createNetworkFhevm({ provider, network: options.network, rpcUrl: options.rpcUrl });
      return { provider, fhevm, scale: dataset.scale, offset: dataset.offset };
    } catch (err) {
      provider.destroy();
      throw err;
    }
  };
  return async (readings) => {
    session ??= connect();
    try {
      const { fhevm, scale, offset } = await session;
      const values = readings.map(({ value }) => encodeReading({ value, scale, offset }).encoded);
      const [batch] = await encryptReadings({ instance: fhevm, market: options.market, appender: options.gateway, values });
      return batch!;
    } catch (err) {
      const failed = session;
      session = undefined;
      void failed.then((s) => s.provider.destroy(), () => undefined);
      throw err;
    }
  };
}
