/**
 * A simulated IoT device: it samples a sensor signal at a steady rate, encodes each reading with
 * its dataset's public scale and offset, encrypts a batch of up to 32 on the device (one input
 * proof per batch) and appends it to the market with the readings' timestamps.
 *
 * It behaves like a device in the field: readings are buffered while the chain is unreachable and
 * sent when it is back (the oldest are dropped past a bound); a restarted chain (new genesis
 * block) gets a fresh connection and fhevm instance, and the device waits for its market and
 * dataset to exist again; a paused dataset is waited out. It gives up only on a definite
 * rejection: no market, no such dataset, or not a registered device (`SimulatorError`), with the
 * contract's own sentence from `decodeContractError`.
 */
import { Contract, Network, JsonRpcProvider, Wallet, type TransactionReceipt } from "ethers";
import {
  decodeContractError,
  encryptReadings,
  type FhevmClient,
  connectMarket,
  readDatasetInfo,
  type DatasetInfo,
  type IoTDataMarket,
} from "@iotdm/contracts-client";
import { encodeReading } from "./encoding";
import { createNetworkFhevm, type FhevmNetwork } from "./fhevm-network";
import { chainClock, isTransportError, readChainIdentity } from "./rpc";
import { createSignal, sensorKindOf, type Sample, type SensorKind, type SensorSignal } from "./signals";

/** At most 32 euint64 fit one input proof (2048 bits). */
export const MAX_BATCH = 32;

/** Why a simulator stopped for good. */
export type SimulatorErrorCode = "NO_MARKET" | "DATASET_NOT_FOUND" | "NOT_A_DEVICE" | "UNKNOWN_SENSOR" | "REJECTED" | "BAD_OPTIONS";

/** A failure no retry can fix; `message` says what to do about it. */
export class SimulatorError extends Error {
  override readonly name = "SimulatorError";
  constructor(
    readonly code: SimulatorErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Counters of a running simulator. */
export interface SimulatorStats {
  readingsSent: number;
  batchesSent: number;
  /** Readings dropped because the buffer overflowed while the chain was unreachable. */
  readingsDropped: number;
  /** Readings the dataset's encoding could not represent, sent clamped. */
  readingsClamped: number;
  /** Readings sampled and not sent yet. */
  buffered: number;
  lastTxHash: string | null;
  lastBlock: number | null;
  /** Readings sent per second since the start. */
  ratePerSecond: number;
  startedAt: number;
}

/** What a simulator reports while it runs. */
export type SimulatorEvent =
  | { type: "connected"; chainId: bigint; genesisHash: string; device: string; dataset: DatasetInfo & { id: bigint }; kind: SensorKind }
  | { type: "batch"; readings: number; firstIndex: bigint; txHash: string; blockNumber: number; stats: SimulatorStats }
  | { type: "anomaly"; name: string; timestamp: number; value: number }
  | { type: "disconnected"; reason: string; retryInMs: number }
  | { type: "rejected"; reason: string; retryInMs: number }
  | { type: "chain-reset"; previousGenesis: string; genesisHash: string }
  | { type: "waiting"; reason: string; retryInMs: number }
  | { type: "dropped"; readings: number }
  | { type: "stopped"; stats: SimulatorStats };

/** Options of {@link DeviceSimulator}. */
export interface DeviceSimulatorOptions {
  rpcUrl: string;
  /** The market's address. */
  market: string;
  datasetId: bigint;
  /** The device's private key (a registered device of the dataset, or its seller). */
  deviceKey: string;
  /** Readings per second (e.g. 0.2 = one every 5 s). */
  rate: number;
  /** The sensor; by default derived from the dataset's field. */
  kind?: SensorKind;
  /** Seed of the signal; default `dataset <id>`. */
  seed?: string | number;
  /** Hours east of UTC for the daily cycles; default the machine's time zone. */
  utcOffsetHours?: number;
  /** Anomalies per day; the sensor's own rate by default. */
  anomaliesPerDay?: number;
  /** A signal to use instead of one made from kind and seed. */
  signal?: SensorSignal;
  /** Readings per transaction, 1..32 (default 32). */
  batchSize?: number;
  /** A batch leaves at the latest this long after its oldest reading was taken (default 30 s). */
  maxBatchDelayMs?: number;
  /** Readings kept while the chain is unreachable; the oldest are dropped beyond (default 4096). */
  maxBufferedReadings?: number;
  /** The fhevm to encrypt for (default local). */
  network?: FhevmNetwork;
  /** Gas limit per batch: the node's estimate (default), or a fixed limit for a number of readings. */
  gasLimit?: "estimate" | ((readings: number) => bigint);
  /** How long to wait for a receipt before treating the node as unreachable (default 120 s). */
  receiptTimeoutMs?: number;
  /** Reconnection backoff: first delay and cap (default 500 ms, 10 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** On stop, how long the last batch may take to leave (default 5 s). */
  stopGraceMs?: number;
  onEvent?: (event: SimulatorEvent) => void;
}

/** A connection to the chain, re-made after every failure. */
interface Session {
  provider: JsonRpcProvider;
  wallet: Wallet;
  market: IoTDataMarket;
  fhevm: FhevmClient;
  genesisHash: string;
  dataset: DatasetInfo;
}

/** A buffered reading; `seq` numbers readings in sampling order. */
type Buffered = Sample & { seq: number };

/** A batch handed to the node whose fate is not known yet. */
interface InFlight {
  hash: string;
  nonce: number;
  genesisHash: string;
  /** The batch: its readings' last sequence number, their count and the last timestamp sent. */
  lastSeq: number;
  count: number;
  lastTimestamp: bigint;
}

/** The outcome of trying to (re)connect. */
type ConnectOutcome =
  | { ok: true; session: Session }
  | { ok: false; retry: "transport" | "waiting"; reason: string };

/** Consecutive contract rejections of one batch, on an otherwise valid connection, before giving up. */
const MAX_REJECTIONS = 3;

/** See the module comment. `run()` resolves with the final counters when `stop()` is called. */
export class DeviceSimulator {
  readonly #options: Required<Pick<DeviceSimulatorOptions, "batchSize" | "maxBatchDelayMs" | "maxBufferedReadings" | "receiptTimeoutMs" | "stopGraceMs">> &
    DeviceSimulatorOptions;
  readonly #device: Wallet;
  #signal: SensorSignal | undefined;
  #session: Session | undefined;
  /** Genesis of the chain the device last talked to. */
  #genesisHash: string | undefined;
  /** The chain was restarted since the device last appended: missing market or dataset is expected for a while. */
  #afterReset = false;
  #buffer: Buffered[] = [];
  #seq = 0;
  #nextSampleAt = 0;
  #lastAnomaly: string | null = null;
  #inFlight: InFlight | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #running: Promise<SimulatorStats> | undefined;
  #stats: SimulatorStats = {
    readingsSent: 0,
    batchesSent: 0,
    readingsDropped: 0,
    readingsClamped: 0,
    buffered: 0,
    lastTxHash: null,
    lastBlock: null,
    ratePerSecond: 0,
    startedAt: Date.now(),
  };

  constructor(options: DeviceSimulatorOptions) {
    if (!(options.rate > 0) || !Number.isFinite(options.rate)) throw new SimulatorError("BAD_OPTIONS", `rate must be a positive number of readings per second, got ${options.rate}`);
    const batchSize = options.batchSize ?? MAX_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
      throw new SimulatorError("BAD_OPTIONS", `batch size must be 1..${MAX_BATCH} (one input proof holds at most 32 euint64), got ${batchSize}`);
    }
    this.#options = {
      ...options,
      batchSize,
      maxBatchDelayMs: options.maxBatchDelayMs ?? 30_000,
      maxBufferedReadings: options.maxBufferedReadings ?? 4096,
      receiptTimeoutMs: options.receiptTimeoutMs ?? 120_000,
      stopGraceMs: options.stopGraceMs ?? 5_000,
    };
    try {
      this.#device = new Wallet(options.deviceKey);
    } catch {
      throw new SimulatorError("BAD_OPTIONS", "the device key is not a valid private key (32 bytes of hex)");
    }
    this.#signal = options.signal;
  }

  /** The device's address. */
  get address(): string {
    return this.#device.address;
  }

  /** Current counters. */
  get stats(): SimulatorStats {
    const elapsed = (Date.now() - this.#stats.startedAt) / 1000;
    return { ...this.#stats, buffered: this.#buffer.length, ratePerSecond: elapsed > 0 ? this.#stats.readingsSent / elapsed : 0 };
  }

  /**
   * Connects (retrying while the node is unreachable), then samples and sends until `stop()`.
   * Rejects with a `SimulatorError` when the market, the dataset or the device registration is
   * missing on a chain that was not just restarted.
   */
  run(): Promise<SimulatorStats> {
    this.#running ??= this.#run().finally(() => this.#closeSession());
    return this.#running;
  }

  /**
   * Stops sampling, lets the last batch leave (within `stopGraceMs`), and resolves with the
   * counters. A batch stuck on a node that went away is abandoned after the grace period.
   */
  async stop(): Promise<SimulatorStats> {
    this.#stopping = true;
    this.#wake?.();
    if (!this.#running) return this.stats;
    let timer: NodeJS.Timeout | undefined;
    const abandoned = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, this.#options.stopGraceMs + 1_000, undefined)));
    const stats = await Promise.race([this.#running.catch(() => undefined), abandoned]);
    clearTimeout(timer);
    if (stats) return stats;
    this.#closeSession();
    return this.stats;
  }

  async #run(): Promise<SimulatorStats> {
    this.#session = await this.#connectUntilReady();
    if (!this.#session) return this.#finish();
    this.#stats.startedAt = Date.now();
    this.#nextSampleAt = Date.now();
    let rejections = 0;
    let backoffAttempt = 0;

    while (!this.#stopping) {
      this.#sample();
      const due = this.#batchDue();
      if (!due) {
        const oldest = this.#buffer[0];
        const sendAt = oldest ? oldest.timestamp * 1000 + this.#options.maxBatchDelayMs : Infinity;
        await this.#sleep(Math.max(0, Math.min(this.#nextSampleAt, sendAt) - Date.now()));
        continue;
      }
      try {
        await this.#sendBatch(this.#session!);
        rejections = 0;
        backoffAttempt = 0;
      } catch (err) {
        if (err instanceof SimulatorError) throw err;
        const transport = isTransportError(err);
        if (!transport) rejections++;
        const decoded = decodeContractError(err);
        const delay = this.#backoff(backoffAttempt++);
        this.#emit(
          transport
            ? { type: "disconnected", reason: `node unreachable (${decoded.message})`, retryInMs: delay }
            : { type: "rejected", reason: decoded.message, retryInMs: delay },
        );
        await this.#sleep(delay);
        if (this.#stopping) break;
        this.#closeSession();
        this.#session = await this.#connectUntilReady();
        if (!this.#session) break;
        if (rejections >= MAX_REJECTIONS) {
          throw new SimulatorError("REJECTED", `the market keeps rejecting the device's batches: ${decoded.message}`);
        }
      }
    }
    await this.#flush();
    return this.#finish();
  }

  #finish(): SimulatorStats {
    const stats = this.stats;
    this.#emit({ type: "stopped", stats });
    return stats;
  }

  /**
   * Samples every reading due by now into the buffer, dropping the oldest past the bound. The
   * device keeps measuring while it is disconnected; readings are encoded when they are sent, with
   * the encoding of the dataset as the chain has it then.
   */
  #sample(): void {
    if (!this.#signal || this.#nextSampleAt === 0) return;
    const intervalMs = 1000 / this.#options.rate;
    const now = Date.now();
    while (this.#nextSampleAt <= now) {
      const sample = this.#signal.next(Math.floor(this.#nextSampleAt / 1000));
      this.#nextSampleAt += intervalMs;
      if (sample.anomaly !== null && sample.anomaly !== this.#lastAnomaly) {
        this.#emit({ type: "anomaly", name: sample.anomaly, timestamp: sample.timestamp, value: sample.value });
      }
      this.#lastAnomaly = sample.anomaly;
      this.#buffer.push({ ...sample, seq: this.#seq++ });
    }
    const excess = this.#buffer.length - this.#options.maxBufferedReadings;
    if (excess > 0) {
      this.#buffer.splice(0, excess);
      this.#stats.readingsDropped += excess;
      this.#emit({ type: "dropped", readings: excess });
    }
  }

  #batchDue(): boolean {
    const oldest = this.#buffer[0];
    if (!oldest) return false;
    return this.#buffer.length >= this.#options.batchSize || Date.now() >= oldest.timestamp * 1000 + this.#options.maxBatchDelayMs;
  }

  /** Encrypts and appends the oldest buffered readings; removes them from the buffer once mined. */
  async #sendBatch(session: Session): Promise<void> {
    const batch = this.#buffer.slice(0, this.#options.batchSize);
    const { scale, offset } = session.dataset;
    // Timestamps never go backwards on-chain, also across batches and other appenders, nor run
    // ahead of the chain's clock (a device clock ahead of the node's would make the market refuse
    // the batch as readings from the future).
    const clock = await chainClock(session.provider);
    let floor = session.dataset.lastTimestamp;
    const timestamps = batch.map(({ timestamp }) => {
      const stamp = BigInt(timestamp) < clock ? BigInt(timestamp) : clock;
      return (floor = stamp > floor ? stamp : floor);
    });
    let clamped = 0;
    const values = batch.map(({ value }) => {
      const reading = encodeReading({ value, scale, offset });
      if (reading.clamped) clamped++;
      return reading.encoded;
    });
    const [encrypted] = await encryptReadings({
      instance: session.fhevm,
      market: await session.market.getAddress(),
      appender: session.wallet.address,
      values,
    });
    const overrides: { gasLimit?: bigint; nonce?: number } = {};
    if (typeof this.#options.gasLimit === "function") overrides.gasLimit = this.#options.gasLimit(batch.length);
    // Resending after the node went away: reuse the nonce, so that at most one of the two lands.
    if (this.#inFlight && this.#inFlight.genesisHash === session.genesisHash) overrides.nonce = this.#inFlight.nonce;

    const sent = { lastSeq: batch[batch.length - 1]!.seq, count: batch.length, lastTimestamp: timestamps[timestamps.length - 1]! };
    let receipt: TransactionReceipt | null;
    try {
      const tx = await session.market.appendReadings(this.#options.datasetId, encrypted!.handles, encrypted!.inputProof, timestamps, overrides);
      this.#inFlight = { hash: tx.hash, nonce: tx.nonce, genesisHash: session.genesisHash, ...sent };
      receipt = await tx.wait(1, this.#options.receiptTimeoutMs);
    } catch (err) {
      // "nonce too low" on a resend means the first attempt was mined after all.
      const earlier = await this.#minedEarlier(session).catch(() => null);
      if (!earlier) throw err;
      this.#accept(session, this.#inFlight!, earlier);
      return;
    }
    this.#stats.readingsClamped += clamped;
    this.#accept(session, { ...sent }, receipt!);
  }

  /** The receipt of the batch in flight if it was mined on the current chain, else null. */
  async #minedEarlier(session: Session): Promise<TransactionReceipt | null> {
    const inFlight = this.#inFlight;
    if (!inFlight || inFlight.genesisHash !== session.genesisHash) return null;
    const receipt = await session.provider.getTransactionReceipt(inFlight.hash);
    return receipt && receipt.status === 1 ? receipt : null;
  }

  /** Records a mined batch: its readings leave the buffer (unless already dropped), counters move on. */
  #accept(session: Session, batch: Pick<InFlight, "lastSeq" | "count" | "lastTimestamp">, receipt: TransactionReceipt): void {
    this.#inFlight = undefined;
    const { lastSeq, count, lastTimestamp } = batch;
    while (this.#buffer.length > 0 && this.#buffer[0]!.seq <= lastSeq) this.#buffer.shift();
    if (lastTimestamp > session.dataset.lastTimestamp) session.dataset.lastTimestamp = lastTimestamp;
    this.#afterReset = false;
    const appended = receipt.logs
      .map((log) => {
        try {
          return session.market.interface.parseLog(log);
        } catch {
          return null;
        }
      })
      .find((parsed) => parsed?.name === "ReadingsAppended");
    this.#stats.readingsSent += count;
    this.#stats.batchesSent++;
    this.#stats.lastTxHash = receipt.hash;
    this.#stats.lastBlock = receipt.blockNumber;
    this.#emit({
      type: "batch",
      readings: count,
      firstIndex: (appended?.args.firstIndex as bigint | undefined) ?? -1n,
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      stats: this.stats,
    });
  }

  /** Connects, retrying with backoff while the node is unreachable or the dataset is not writable yet; undefined when stopped. */
  async #connectUntilReady(): Promise<Session | undefined> {
    for (let attempt = 0; !this.#stopping; attempt++) {
      const outcome = await this.#connect();
      if (outcome.ok) return outcome.session;
      const delay = this.#backoff(attempt);
      this.#emit(outcome.retry === "transport" ? { type: "disconnected", reason: outcome.reason, retryInMs: delay } : { type: "waiting", reason: outcome.reason, retryInMs: delay });
      // Keep measuring while waiting: readings are buffered (and the oldest dropped past the bound).
      await this.#sleep(delay);
      this.#sample();
    }
    return undefined;
  }

  /** One connection attempt: chain identity, market code, dataset, registration, fhevm instance. */
  async #connect(): Promise<ConnectOutcome> {
    const { rpcUrl, market: address, datasetId } = this.#options;
    let identity;
    try {
      identity = await readChainIdentity({ url: rpcUrl });
    } catch (err) {
      return { ok: false, retry: "transport", reason: `cannot reach ${rpcUrl} (${err instanceof Error ? err.message : String(err)})` };
    }
    if (this.#genesisHash !== undefined && identity.genesisHash !== this.#genesisHash) {
      this.#emit({ type: "chain-reset", previousGenesis: this.#genesisHash, genesisHash: identity.genesisHash });
      this.#afterReset = true;
      this.#inFlight = undefined;
    }
    this.#genesisHash = identity.genesisHash;

    // A static network: ethers never probes (and never logs retries) in the background.
    const provider = new JsonRpcProvider(rpcUrl, Network.from(identity.chainId), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 250 });
    const fail = (code: SimulatorErrorCode, message: string): ConnectOutcome => {
      provider.destroy();
      // Right after a chain restart the market and the dataset are being re-created: wait for them.
      if (this.#afterReset) return { ok: false, retry: "waiting", reason: `new chain: ${message}` };
      throw new SimulatorError(code, message);
    };
    try {
      if ((await provider.getCode(address)) === "0x") {
        return fail("NO_MARKET", `no market contract at ${address} on chain ${identity.chainId} (genesis ${identity.genesisHash.slice(0, 10)}…): check the market address, or deploy first (npm start does)`);
      }
      const wallet = this.#device.connect(provider);
      const market = connectMarket(address, wallet);
      let dataset: DatasetInfo;
      try {
        dataset = await readDatasetInfo(market, datasetId);
      } catch (err) {
        if (isTransportError(err)) throw err;
        const decoded = decodeContractError(err);
        return fail("DATASET_NOT_FOUND", decoded.name === "DatasetNotFound" ? decoded.message : `cannot read dataset ${datasetId}: ${decoded.message}`);
      }
      const registered = wallet.address === dataset.seller || (await market.isDevice(datasetId, wallet.address));
      if (!registered) {
        return fail(
          "NOT_A_DEVICE",
          `${wallet.address} is not a registered device of dataset ${datasetId} ("${dataset.name}") nor its seller; the seller registers devices with registerDevice(${datasetId}, ${wallet.address})`,
        );
      }
      if (dataset.paused) {
        provider.destroy();
        return { ok: false, retry: "waiting", reason: `dataset ${datasetId} ("${dataset.name}") is paused by its seller; readings are kept until it is unpaused` };
      }
      if (!this.#signal) {
        const kind = this.#options.kind ?? sensorKindOf(dataset.field);
        if (!kind) {
          throw new SimulatorError("UNKNOWN_SENSOR", `dataset ${datasetId} measures "${dataset.field}", which the simulator has no signal for; pass --kind (temperature, humidity, power, pm25)`);
        }
        this.#signal = createSignal({
          kind,
          seed: this.#options.seed ?? `dataset ${datasetId}`,
          utcOffsetHours: this.#options.utcOffsetHours ?? -new Date().getTimezoneOffset() / 60,
          anomaliesPerDay: this.#options.anomaliesPerDay,
        });
      }
      const fhevm = await createNetworkFhevm({ provider, network: this.#options.network ?? { name: "local" }, rpcUrl });
      const session: Session = { provider, wallet, market, fhevm, genesisHash: identity.genesisHash, dataset };
      // A batch that may have landed while the node was away must not be sent twice.
      const earlier = await this.#minedEarlier(session);
      if (earlier) this.#accept(session, this.#inFlight!, earlier);
      this.#emit({ type: "connected", chainId: identity.chainId, genesisHash: identity.genesisHash, device: wallet.address, dataset: { ...dataset, id: datasetId }, kind: this.#signal.profile.kind });
      return { ok: true, session };
    } catch (err) {
      provider.destroy();
      if (err instanceof SimulatorError) throw err;
      if (isTransportError(err)) return { ok: false, retry: "transport", reason: `lost ${rpcUrl} while connecting (${decodeContractError(err).message})` };
      throw err;
    }
  }

  /** On stop: one last batch of what is buffered, within the grace period. */
  async #flush(): Promise<void> {
    const session = this.#session;
    if (!session || this.#buffer.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#options.stopGraceMs)));
    try {
      await Promise.race([this.#sendBatch(session).catch(() => undefined), grace]);
    } finally {
      clearTimeout(timer);
    }
  }

  #closeSession(): void {
    this.#session?.provider.destroy();
    this.#session = undefined;
  }

  #backoff(attempt: number): number {
    const { initialMs, maxMs } = this.#options.backoff ?? { initialMs: 500, maxMs: 10_000 };
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
    // Jitter, so that many devices do not reconnect in lockstep.
    return Math.round(base * (0.75 + Math.random() * 0.25));
  }

  /** Sleeps `ms`, or less if stopped. */
  #sleep(ms: number): Promise<void> {
    if (this.#stopping || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  #emit(event: SimulatorEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // A failing listener must not stop the device.
    }
  }
}
