import { EventEmitter } from "node:events";
import type { FastifyBaseLogger } from "fastify";
import type { MarketChain } from "../chain/market-chain";
import type { MarketDeployment } from "../chain/market-deployment";
import type { ScheduleRecord } from "../store/records";
import type { Store } from "../store/store";
import { applyEvents } from "./apply-events";
import { resetForNewChain, type ChainResetOutcome, type QueueCleanup } from "./chain-reset";
import { decodeMarketLog, FOLLOWED_TOPICS, type IndexedEvent } from "./market-events";

/** Options of the {@link ChainIndexer}. */
export interface ChainIndexerOptions {
  store: Store;
  chain: MarketChain;
  cleanup: QueueCleanup;
  logger: FastifyBaseLogger;
  now: () => Date;
  /** Pause between two passes once caught up. */
  pollIntervalMs: number;
  /** Blocks per `eth_getLogs` request. */
  blockRange: number;
  /** Blocks to stay behind the head (reorg safety on a real network). */
  confirmations: number;
  /**
   * Who of several service instances polls the chain: each loop iteration takes (or keeps) the lead
   * first, and an instance without it follows what the leader writes to the store instead of
   * reading the chain's logs too. Absent: this instance always indexes.
   */
  leadership?: IndexerLeadership;
}

/** The lead among several service instances' indexers (a lease in the queue's Redis). */
export interface IndexerLeadership {
  /** Takes the lead, or keeps it (renewing it); false while another instance holds it. */
  acquire(): Promise<boolean>;
  /** Gives the lead up, so that another instance takes it at once. */
  release(): Promise<void>;
}

/** Where the indexer stands. */
export interface IndexerStatus {
  /** `chainId:market`, once a market is known. */
  key: string | undefined;
  genesisHash: string | undefined;
  /** The last block whose events are in the store (-1 before the first). */
  lastIndexedBlock: number;
  /** The head (minus confirmations) at the end of the last pass. */
  headBlock: number;
  /** Whether the last pass ended at the head. */
  caughtUp: boolean;
  /** The last pass's error, cleared by a successful pass. */
  lastError: string | undefined;
  /** Whether this instance indexes (`true`) or follows another instance's indexer (`false`). */
  leading: boolean;
}

/** The events it emits (for logs and tests). */
export interface ChainIndexerEvents {
  /** A block range was written: its events in chain order. */
  range: [{ fromBlock: number; toBlock: number; events: IndexedEvent[] }];
  /** The store was reset for a new chain (or another market). */
  reset: [{ reason: string } & ChainResetOutcome];
  /** Schedules revoked on-chain (their schedulers were ended). */
  revoked: [ScheduleRecord[]];
}

/** The key of a market's indexer state. */
export function indexerKey(deployment: Pick<MarketDeployment, "chainId" | "address">): string {
  return `${deployment.chainId}:${deployment.address.toLowerCase()}`;
}

/**
 * Follows the market's events into the store: datasets and every change to them, reading
 * timestamps, access purchases, revoked authorizations. It reads `eth_getLogs` in block ranges and
 * writes each range's rows in the same transaction as its new position (a compare-and-set, so two
 * service instances never write a range twice), so a restart resumes right after the last range
 * written. Each pass first compares the chain's genesis block hash (and the market) with the
 * stored ones: on a NEW chain (the local node restarts anew on every `npm start`) it resets the
 * store for it (see {@link resetForNewChain}) and indexes from the market's deployment block.
 */
export class ChainIndexer extends EventEmitter<ChainIndexerEvents> {
  readonly #options: ChainIndexerOptions;
  #status: IndexerStatus = { key: undefined, genesisHash: undefined, lastIndexedBlock: -1, headBlock: -1, caughtUp: false, lastError: undefined, leading: true };
  /** Whether a failure to reach the lease was logged (once per outage). */
  #leaseProblem = false;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #pass: Promise<void> | undefined;
  #passes = 0;

  constructor(options: ChainIndexerOptions) {
    super();
    this.#options = options;
  }

  /** Where it stands. */
  status(): IndexerStatus {
    return { ...this.#status };
  }

  /**
   * Starts polling; each pass indexes up to the head. With several instances (`leadership`), only
   * the one holding the lead reads the chain's logs; the others follow the store it writes.
   */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        if (await this.#lead()) await this.pass().catch(() => undefined);
        else await this.#follow().catch(() => undefined);
        if (!this.#running) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#options.pollIntervalMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    })();
  }

  /** Stops polling after the pass in progress (its range commits or rolls back as a whole), and gives the lead up. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
    if (this.#status.leading) await this.#options.leadership?.release().catch(() => undefined);
  }

  /**
   * Takes or keeps the lead. While the lease cannot be reached (Redis away), this instance indexes
   * anyway: each range is written with a compare-and-set on its position, so two indexers never
   * write one range twice; the lease only spares the chain the duplicate reads.
   */
  async #lead(): Promise<boolean> {
    const { leadership, logger } = this.#options;
    if (!leadership) return true;
    let leading: boolean;
    try {
      leading = await leadership.acquire();
      this.#leaseProblem = false;
    } catch (error) {
      if (!this.#leaseProblem) logger.warn({ err: error }, "the indexer's lease cannot be reached; indexing meanwhile (writes stay unique)");
      this.#leaseProblem = true;
      leading = true;
    }
    if (leading !== this.#status.leading) {
      logger.info(leading ? "this instance now indexes the chain" : "another instance indexes the chain; following the store");
    }
    this.#status = { ...this.#status, leading };
    return leading;
  }

  /** Where the leading instance's indexer stands, read from the store (an instance that does not index). */
  async #follow(): Promise<void> {
    const { chain, store } = this.#options;
    const deployment = chain.deployment();
    if (!deployment) return;
    const key = indexerKey(deployment);
    const [state, head] = await Promise.all([store.indexer.get(key), chain.provider.getBlockNumber()]);
    const target = head - this.#options.confirmations;
    // The leader writes a position only when blocks came: at the head, or recently moved.
    const fresh = state !== undefined && Date.now() - Date.parse(state.updatedAt) < Math.max(5_000, 5 * this.#options.pollIntervalMs);
    this.#status = {
      ...this.#status,
      key,
      genesisHash: state?.genesisHash,
      lastIndexedBlock: state?.lastIndexedBlock ?? -1,
      headBlock: target,
      caughtUp: state !== undefined && (state.lastIndexedBlock >= target || fresh),
      lastError: undefined,
    };
  }

  /**
   * Resolves once the store holds every event up to the chain's head as it is now (minus the
   * confirmations), starting a pass at once instead of waiting for the poll interval. Works whether
   * the polling loop runs or not. Rejects after `timeoutMs`, with the last pass's error if any.
   */
  async whenCaughtUp(options: { timeoutMs?: number } = {}): Promise<IndexerStatus> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const target = (await this.#options.chain.provider.getBlockNumber()) - this.#options.confirmations;
    const startedAfter = this.#passes;
    for (;;) {
      const pass = this.#pass ?? this.pass();
      this.#wake?.();
      await pass.catch(() => undefined);
      const { lastIndexedBlock, lastError } = this.#status;
      // A pass that was already running when we were called may have read an older head.
      if (this.#passes > startedAfter && lastIndexedBlock >= target && lastError === undefined) return this.status();
      if (Date.now() > deadline) {
        throw new Error(`the indexer did not reach block ${target} in time (at ${lastIndexedBlock})${lastError ? `: ${lastError}` : ""}`);
      }
      if (lastError !== undefined) await new Promise((resolve) => setTimeout(resolve, Math.min(this.#options.pollIntervalMs, 250)));
    }
  }

  /** One pass up to the head; concurrent callers share the pass in progress. */
  pass(): Promise<void> {
    this.#pass ??= this.#indexToHead().finally(() => {
      this.#pass = undefined;
      this.#passes++;
    });
    return this.#pass;
  }

  async #indexToHead(): Promise<void> {
    const { chain, logger } = this.#options;
    try {
      const deployment = chain.deployment();
      if (!deployment) {
        this.#status = { ...this.#status, caughtUp: false, lastError: "no market is configured yet" };
        return;
      }
      const key = indexerKey(deployment);
      const genesis = await chain.provider.getBlock(0);
      if (!genesis?.hash) throw new Error("the chain node returned no genesis block");
      let state = await this.#ensureState(key, genesis.hash, deployment);
      const head = (await chain.provider.getBlockNumber()) - this.#options.confirmations;

      let from = state.lastIndexedBlock + 1;
      while (from <= head) {
        // A long catch-up keeps its lead between ranges (a lost lead ends the pass: the other indexes).
        if (this.#status.leading && from > state.lastIndexedBlock + 1 && !(await this.#lead())) break;
        const to = Math.min(from + this.#options.blockRange - 1, head);
        const logs = await chain.provider.getLogs({ address: deployment.address, topics: [FOLLOWED_TOPICS], fromBlock: from, toBlock: to });
        const events = logs.map(decodeMarketLog).filter((event): event is IndexedEvent => event !== undefined);
        const written = await this.#write(key, from, to, events);
        if (!written) {
          // Another instance wrote this range first: continue from where it got.
          state = (await this.#options.store.indexer.get(key)) ?? state;
          from = state.lastIndexedBlock + 1;
          continue;
        }
        this.#status = { ...this.#status, lastIndexedBlock: to };
        from = to + 1;
      }
      this.#status = { ...this.#status, headBlock: head, caughtUp: true, lastError: undefined };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.#status.lastError !== message) logger.warn({ err: error }, "chain indexer pass failed; retrying");
      this.#status = { ...this.#status, caughtUp: false, lastError: message };
      throw error;
    }
  }

  /** The stored state of `key`, after resetting the store if it belongs to another chain or market. */
  async #ensureState(key: string, genesisHash: string, deployment: MarketDeployment) {
    const { store, logger } = this.#options;
    const states = await store.indexer.list();
    const mine = states.find((state) => state.key === key);
    const start = { key, chainId: deployment.chainId, genesisHash, lastIndexedBlock: deployment.fromBlock - 1 };
    let reason: string | undefined;
    if (mine && mine.genesisHash !== genesisHash) {
      reason = `The chain was reset (its genesis block is now ${short(genesisHash)}, it was ${short(mine.genesisHash)}).`;
    } else if (!mine && states.length > 0) {
      reason = `The workbench now serves market ${deployment.address} on chain ${deployment.chainId} (it served ${states.map((s) => s.key).join(", ")}).`;
    } else if (!mine && (await store.datasets.list({ limit: 1, offset: 0 })).total > 0) {
      reason = "The catalogue held datasets of an unknown chain.";
    }
    if (reason !== undefined) {
      const outcome = await resetForNewChain({ store, cleanup: this.#options.cleanup, reason, start, at: this.#options.now() });
      logger.warn({ reason, ...outcome, key }, "chain reset: re-indexing from the market's deployment block");
      this.#status = { ...this.#status, key, genesisHash, lastIndexedBlock: start.lastIndexedBlock };
      this.emit("reset", { reason, ...outcome });
      return start;
    }
    if (!mine) {
      await store.indexer.save(start, this.#options.now());
      logger.info({ key, fromBlock: deployment.fromBlock }, "indexing a new market");
    }
    const state = mine ?? start;
    this.#status = { ...this.#status, key, genesisHash, lastIndexedBlock: state.lastIndexedBlock };
    return state;
  }

  /** Writes one range with its position; false when another indexer had already written it. */
  async #write(key: string, fromBlock: number, toBlock: number, events: IndexedEvent[]): Promise<boolean> {
    const { store, logger } = this.#options;
    const at = this.#options.now();
    const applied = await store.transaction(async (tx) => {
      if (!(await tx.indexer.advance({ key, fromBlock: fromBlock - 1, toBlock, at }))) return undefined;
      return applyEvents(tx, events, at);
    });
    if (!applied) return false;
    if (applied.orphans.length > 0) {
      logger.warn({ events: applied.orphans.length, fromBlock }, "events of datasets created before the indexer's first block were skipped (is MARKET_FROM_BLOCK too high?)");
    }
    if (applied.revokedSchedules.length > 0) {
      for (const schedule of applied.revokedSchedules) await this.#options.cleanup.removeSchedule(schedule.authorizationDigest);
      this.emit("revoked", applied.revokedSchedules);
    }
    if (events.length > 0) logger.debug({ fromBlock, toBlock, events: events.length }, "indexed");
    this.emit("range", { fromBlock, toBlock, events });
    return true;
  }
}

function short(hash: string): string {
  return `${hash.slice(0, 10)}…`;
}
