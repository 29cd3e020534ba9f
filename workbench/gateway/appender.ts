/**
 * The gateway's way to the chain: it takes the head of each dataset's queue, makes one batch of up
 * to 32 readings per input proof (mode b readings encrypted here, for the market and the gateway's
 * own account; a mode a batch forwarded as the device sealed it), stamps them with the chain's
 * clock and appends them as the gateway's account, the dataset's registered appender.
 *
 * Exactly once: the signed transaction is recorded in Redis before it is broadcast, and the batch's
 * items leave the queue in the same step that forgets the record, once its receipt is seen. A
 * gateway killed anywhere in between finds the record on restart and asks the chain: mined (the
 * account's nonce moved past it and the receipt is there) means done; not mined means the very same
 * signed transaction is broadcast again, which can be mined at most once.
 *
 * Proofs: every mode b batch is encrypted afresh (one new input proof per batch, never empty), and a
 * proof goes into exactly one signed transaction: a batch is only ever sent again as that same
 * signed transaction, whose proof the chain can use at most once. A mode a batch keeps the device's
 * proof; if the market refuses it (a proof it has seen, one made for another appender), the batch is
 * dropped with the market's reason on the device's status topic, never retried.
 *
 * Timestamps: the market requires them non-decreasing per dataset and never ahead of the block's
 * time. Each is raised to the dataset's last one (two devices of one dataset with skewed clocks) and
 * lowered to the chain's clock: the pending block's time (what the next block will at least have),
 * or the latest block's where the node has no pending block. A device clock ahead of the chain's
 * thus never makes an append fail.
 */
import { Contract, JsonRpcProvider, Network, Wallet, keccak256, type TransactionReceipt } from "ethers";
import { appendGasLimit, connectMarket, decodeContractError, encryptReadings, readDatasetInfo, type DatasetInfo, type FhevmClient, type IoTDataMarket } from "@iotdm/contracts-client";
import { encodeReading } from "../simulator/encoding";
import { createNetworkFhevm, type FhevmNetwork } from "../simulator/fhevm-network";
import { chainClock, isTransportError, readChainIdentity } from "../simulator/rpc";
import { MAX_READINGS_PER_PROOF } from "./protocol";
import type { InFlightBatch, QueueItem, ReadingQueue, SealedItem } from "./reading-queue";

/** A batch that reached the chain. */
export interface AppendedBatch {
  datasetId: string;
  items: QueueItem[];
  readings: number;
  txHash: string;
  firstIndex: bigint;
  blockNumber: number;
  /** Where the time went, for a batch this process sent (not one it found recorded after a restart). */
  timings?: BatchTimings;
}

/** Where one batch's time went, in ms. */
export interface BatchTimings {
  /** Reading the dataset and the chain's clock, encrypting (mode b) or estimating (mode a), signing, recording in Redis. */
  prepareMs: number;
  /** Encrypting the readings (mode b), a part of `prepareMs`. */
  encryptMs: number;
  /** The node's dry run of a device's sealed batch (mode a), a part of `prepareMs`. */
  estimateMs: number;
  /** From the broadcast to the receipt. */
  chainMs: number;
}

/** What the appender reports. */
export type AppenderEvent =
  | { type: "appended"; batch: AppendedBatch }
  | { type: "refused"; datasetId: string; item: SealedItem; reason: string }
  | { type: "waiting"; datasetId: string; reason: string; retryInMs: number }
  | { type: "recovered"; datasetId: string; hash: string; outcome: "mined" | "rebroadcast" | "dropped" };

/** Options of {@link Appender}. */
export interface AppenderOptions {
  queue: ReadingQueue;
  rpcUrl: string;
  market: string;
  /** The gateway's account: a registered device (or the seller) of every dataset it serves. */
  privateKey: string;
  network?: FhevmNetwork;
  /** A batch of mode b readings leaves when it holds 32 or its oldest was queued this long ago (default 2 s). */
  maxBatchDelayMs?: number;
  /** How often an idle appender looks at the queue when nobody wakes it (default 1 s). */
  pollMs?: number;
  /** How long to wait for a receipt before asking the chain again (default 60 s). */
  receiptTimeoutMs?: number;
  onEvent?: (event: AppenderEvent) => void;
}

interface Chain {
  provider: JsonRpcProvider;
  wallet: Wallet;
  market: IoTDataMarket;
  fhevm: FhevmClient;
  genesisHash: string;
}

/** See the module comment. `run()` resolves after `stop()`. */
export class Appender {
  readonly #options: AppenderOptions & Required<Pick<AppenderOptions, "maxBatchDelayMs" | "pollMs" | "receiptTimeoutMs">>;
  readonly #wallet: Wallet;
  #chain: Chain | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #woken = false;
  /** Per dataset: do not try again before this time (paused dataset, refusals, unreachable node). */
  readonly #notBefore = new Map<string, number>();
  readonly #failures = new Map<string, number>();

  constructor(options: AppenderOptions) {
    this.#options = { maxBatchDelayMs: 2_000, pollMs: 1_000, receiptTimeoutMs: 60_000, ...options };
    this.#wallet = new Wallet(options.privateKey);
  }

  /** The gateway's account. */
  get address(): string {
    return this.#wallet.address;
  }

  /** Something was queued: look now rather than at the next poll. */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  stop(): void {
    this.#stopping = true;
    this.#wake?.();
  }

  /** Appends until stopped. */
  async run(): Promise<void> {
    try {
      while (!this.#stopping) {
        let worked = false;
        let nextDue = Date.now() + this.#options.pollMs;
        try {
          const chain = await this.#connect();
          for (const datasetId of await this.#options.queue.datasets()) {
            if (this.#stopping) break;
            const notBefore = this.#notBefore.get(datasetId) ?? 0;
            if (Date.now() < notBefore) {
              nextDue = Math.min(nextDue, notBefore);
              continue;
            }
            try {
              const outcome = await this.#step(chain, datasetId);
              if (outcome === "worked") worked = true;
              else if (typeof outcome === "number") nextDue = Math.min(nextDue, outcome);
              this.#failures.delete(datasetId);
            } catch (err) {
              if (isTransportError(err)) throw err;
              this.#backOff(datasetId, decodeContractError(err).message);
            }
          }
        } catch (err) {
          // The node is unreachable (or restarted): reconnect after a pause; the queue keeps everything.
          this.#disconnect();
          this.#emit({ type: "waiting", datasetId: "*", reason: `chain unreachable (${(err as Error).message})`, retryInMs: 1_000 });
          nextDue = Date.now() + 1_000;
        }
        if (!worked) await this.#sleep(nextDue - Date.now());
      }
    } finally {
      this.#disconnect();
    }
  }

  /**
   * One step on a dataset: settle a recorded transaction, or send the next batch if one is due.
   * Returns "worked", "idle", or the time the next batch becomes due.
   */
  async #step(chain: Chain, datasetId: string): Promise<"worked" | "idle" | number> {
    const { queue } = this.#options;
    const recorded = await queue.inFlight(datasetId);
    if (recorded) {
      await this.#settle(chain, datasetId, recorded);
      return "worked";
    }
    const head = await queue.head(datasetId, MAX_READINGS_PER_PROOF);
    if (head.length === 0) return "idle";
    const first = head[0]!;
    let items: QueueItem[];
    if (first.kind === "sealed") items = [first];
    else {
      items = [];
      for (const item of head) {
        if (item.kind !== "plain") break;
        items.push(item);
      }
      const dueAt = first.queuedAt;
      if (items.length < MAX_READINGS_PER_PROOF && items.length === head.length && Date.now() < dueAt + this.#options.maxBatchDelayMs) {
        return dueAt + this.#options.maxBatchDelayMs;
      }
    }
    await this.#send(chain, datasetId, items);
    return "worked";
  }

  /** Encrypts (mode b) or forwards (mode a), stamps, signs, records, broadcasts and waits. */
  async #send(chain: Chain, datasetId: string, items: QueueItem[]): Promise<void> {
    const id = BigInt(datasetId);
    const started = performance.now();
    const dataset = await readDatasetInfo(chain.market, id);
    if (dataset.paused) {
      this.#notBefore.set(datasetId, Date.now() + 5_000);
      this.#emit({ type: "waiting", datasetId, reason: `dataset ${datasetId} ("${dataset.name}") is paused by its seller; its readings stay queued`, retryInMs: 5_000 });
      return;
    }
    const chainNow = await chainClock(chain.provider);
    let floor = dataset.lastTimestamp;
    const stamp = (t: number) => {
      let stamped = BigInt(t) < chainNow ? BigInt(t) : chainNow;
      if (stamped < floor) stamped = floor;
      floor = stamped;
      return stamped;
    };

    let handles: string[];
    let inputProof: string;
    let timestamps: bigint[];
    let gasLimit: bigint | undefined;
    let encryptMs = 0;
    let estimateMs = 0;
    if (items[0]!.kind === "sealed") {
      const sealed = items[0] as SealedItem;
      ({ handles, inputProof } = sealed);
      timestamps = sealed.t.map(stamp);
      // A device's batch is untrusted: the node's estimate runs it first and names a refusal.
      const estimateStarted = performance.now();
      try {
        gasLimit = await chain.market.appendReadings.estimateGas(id, handles, inputProof, timestamps, { from: chain.wallet.address });
        estimateMs = performance.now() - estimateStarted;
      } catch (err) {
        if (isTransportError(err)) throw err;
        const decoded = decodeContractError(err);
        const reason = decoded.message;
        if (APPENDER_PROBLEMS.has(decoded.name)) throw err;
        await this.#options.queue.dropHead(datasetId);
        this.#emit({ type: "refused", datasetId, item: sealed, reason });
        return;
      }
      gasLimit = (gasLimit * 12n) / 10n;
    } else {
      const plain = items as Extract<QueueItem, { kind: "plain" }>[];
      const values = plain.map((item) => encode(item.value, dataset));
      const encryptStarted = performance.now();
      const [encrypted] = await encryptReadings({ instance: chain.fhevm, market: this.#options.market, appender: chain.wallet.address, values });
      ({ handles, inputProof } = encrypted!);
      encryptMs = performance.now() - encryptStarted;
      timestamps = plain.map((item) => stamp(item.t));
      // Our own encryption: a fixed limit saves executing every batch twice (estimate, then mine).
      gasLimit = appendGasLimit(plain.length, dataset.privacy, dataset.rollups);
    }

    const request = await chain.market.appendReadings.populateTransaction(id, handles, inputProof, timestamps);
    const populated = await chain.wallet.populateTransaction({ ...request, gasLimit });
    const raw = await chain.wallet.signTransaction(populated);
    const record: InFlightBatch = { items: items.length, hash: keccak256(raw), raw, nonce: Number(populated.nonce), genesisHash: chain.genesisHash };
    await this.#options.queue.setInFlight(datasetId, record);
    const broadcastAt = performance.now();
    await this.#broadcast(chain, record);
    await this.#settle(chain, datasetId, record, { prepareMs: broadcastAt - started, encryptMs, estimateMs, broadcastAt });
  }

  /** Sends a recorded transaction; one the node already has, or already mined, is not an error. */
  async #broadcast(chain: Chain, record: InFlightBatch): Promise<void> {
    try {
      await chain.provider.broadcastTransaction(record.raw);
    } catch (err) {
      if (isTransportError(err)) throw err;
      const text = `${(err as Error).message}`;
      if (/already known|nonce too low|nonce has already been used|known transaction/i.test(text)) return;
      throw err;
    }
  }

  /** Finds out what became of a recorded transaction and acts on it (see the module comment). */
  async #settle(chain: Chain, datasetId: string, record: InFlightBatch, sent?: { prepareMs: number; encryptMs: number; estimateMs: number; broadcastAt: number }): Promise<void> {
    const { queue } = this.#options;
    if (record.genesisHash !== chain.genesisHash) {
      // Signed for a chain that is gone: its readings go to this one.
      await queue.clearInFlight(datasetId);
      this.#emit({ type: "recovered", datasetId, hash: record.hash, outcome: "dropped" });
      return;
    }
    // The nonce first, then the receipt: a transaction mined between the two reads is then seen.
    const nonce = await chain.provider.getTransactionCount(chain.wallet.address, "latest");
    let receipt = await chain.provider.getTransactionReceipt(record.hash);
    if (!receipt && nonce > record.nonce) {
      // Another transaction of this account took the nonce: this one can never be mined.
      await queue.clearInFlight(datasetId);
      this.#emit({ type: "recovered", datasetId, hash: record.hash, outcome: "dropped" });
      return;
    }
    if (!receipt) {
      await this.#broadcast(chain, record);
      receipt = await chain.provider.waitForTransaction(record.hash, 1, this.#options.receiptTimeoutMs);
      if (!receipt) throw Object.assign(new Error(`no receipt for ${record.hash} after ${this.#options.receiptTimeoutMs / 1000} s`), { code: "TIMEOUT" });
    }
    if (receipt.status !== 1) {
      await queue.clearInFlight(datasetId);
      const reason = await this.#revertReason(chain, receipt);
      throw new Error(`the append ${record.hash} reverted: ${reason}`);
    }
    const items = await queue.head(datasetId, record.items);
    const readings = items.reduce((sum, item) => sum + (item.kind === "plain" ? 1 : item.handles.length), 0);
    await queue.complete({ datasetId, items: record.items, readings });
    const timings = sent && {
      prepareMs: Math.round(sent.prepareMs),
      encryptMs: Math.round(sent.encryptMs),
      estimateMs: Math.round(sent.estimateMs),
      chainMs: Math.round(performance.now() - sent.broadcastAt),
    };
    this.#emit({ type: "appended", batch: { datasetId, items, readings, txHash: record.hash, firstIndex: firstIndexOf(chain.market, receipt), blockNumber: receipt.blockNumber, ...(timings ? { timings } : {}) } });
  }

  /** The contract's reason for a reverted transaction, by replaying it as a call. */
  async #revertReason(chain: Chain, receipt: TransactionReceipt): Promise<string> {
    try {
      const tx = await chain.provider.getTransaction(receipt.hash);
      if (!tx) return "unknown";
      await chain.provider.call({ to: tx.to, from: tx.from, data: tx.data, blockTag: receipt.blockNumber - 1 });
      return "out of gas, or a reason the replay cannot show";
    } catch (err) {
      return decodeContractError(err).message;
    }
  }

  async #connect(): Promise<Chain> {
    if (this.#chain) return this.#chain;
    const { rpcUrl } = this.#options;
    const identity = await readChainIdentity({ url: rpcUrl });
    const provider = new JsonRpcProvider(rpcUrl, Network.from(identity.chainId), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
    try {
      const fhevm = await createNetworkFhevm({ provider, network: this.#options.network ?? { name: "local" }, rpcUrl });
      const wallet = this.#wallet.connect(provider);
      this.#chain = { provider, wallet, market: connectMarket(this.#options.market, wallet), fhevm, genesisHash: identity.genesisHash };
      return this.#chain;
    } catch (err) {
      provider.destroy();
      throw err;
    }
  }

  #disconnect(): void {
    this.#chain?.provider.destroy();
    this.#chain = undefined;
  }

  #backOff(datasetId: string, reason: string): void {
    const failures = (this.#failures.get(datasetId) ?? 0) + 1;
    this.#failures.set(datasetId, failures);
    const delay = Math.min(30_000, 500 * 2 ** Math.min(failures - 1, 6));
    this.#notBefore.set(datasetId, Date.now() + delay);
    this.#emit({ type: "waiting", datasetId, reason, retryInMs: delay });
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopping || ms <= 0 || this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#woken = false;
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  #emit(event: AppenderEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // A failing listener must not stop the appender.
    }
  }
}

/** Refusals about the gateway or the dataset (not registered, paused, gone), not about a device's batch: wait, keep it. */
const APPENDER_PROBLEMS = new Set(["NotAuthorizedAppender", "DatasetIsPaused", "DatasetNotFound"]);

/** A plain value in the dataset's encoding (clamped to what it can represent, as a saturated sensor). */
function encode(value: number, dataset: DatasetInfo): bigint {
  return encodeReading({ value, scale: dataset.scale, offset: dataset.offset }).encoded;
}

/** The first reading index in a receipt's ReadingsAppended event. */
function firstIndexOf(market: IoTDataMarket, receipt: TransactionReceipt): bigint {
  for (const log of receipt.logs) {
    try {
      const parsed = market.interface.parseLog(log);
      if (parsed?.name === "ReadingsAppended") return parsed.args.firstIndex as bigint;
    } catch {
      // another contract's event
    }
  }
  return -1n;
}
