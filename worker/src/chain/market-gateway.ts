/**
 * What the worker reads from and writes to the market contract, in the worker's own terms. This is
 * the one place that knows the contracts client (ABI, structs, events); processors only see plain
 * views and unsigned transaction requests, which the {@link TransactionSender} signs and sends.
 */
import { Interface, type Log, type Provider, type TransactionReceipt, type TransactionRequest } from "ethers";
import {
  checkRunRequestSignature,
  checkStandingAuthorizationSignature,
  connectMarket,
  iotDataMarketAbi,
  programFromResult,
  readDatasetInfo,
  readRunInfo,
  type DatasetInfo,
  type RunInfo,
  type SignatureCheck,
  type IoTDataMarket,
} from "@iotdm/contracts-client";
import type { ContractOp } from "@iotdm/recipes";
import { runRequestFromJson, standingAuthorizationFromJson } from "@iotdm/contracts-client/wire";
import { marketDomain } from "../consent";
import type { MarketRef, RunRequest, StandingAuthorization } from "../job-schemas";

/** One op of a program as the contract takes it: recipes' `ContractOp`, which the worker compiles (the contracts client's `Op`, read-only). */
export type ProgramOp = ContractOp;

/** Public metadata and counters of a dataset: the contracts client's `DatasetInfo` with its id. */
export type DatasetView = DatasetInfo & { id: bigint };

/** Public state of a run: the contracts client's `RunInfo` with its id. */
export type RunView = RunInfo & { runId: bigint };

/** On-chain state of a standing authorization. */
export interface AuthorizationView {
  /** Scheduled runs started so far. */
  runs: number;
  /** Chain time of the latest scheduled run. */
  lastRunAt: bigint;
  /** Where the next scheduled window must start. */
  nextFromIndex: bigint;
  revoked: boolean;
  /** The latest run it started (0 if none). */
  lastRunId: bigint;
}

const market = new Interface(iotDataMarketAbi);
const READINGS_APPENDED = market.getEvent("ReadingsAppended")!;
const RUN_STARTED = market.getEvent("RunStarted")!;
const RUN_STEPPED = market.getEvent("RunStepped")!;
const RUN_NOISED = market.getEvent("RunNoised")!;

/** The struct `startRunFor` takes: the contracts client's conversion, so every signed field (maxPayment too) is sent. */
const requestStruct = (request: RunRequest) => runRequestFromJson(request);
const authorizationStruct = (authorization: StandingAuthorization) => standingAuthorizationFromJson(authorization);

function opsStruct(ops: readonly ProgramOp[]) {
  return ops.map((op) => ({ kind: op.kind, cmp: op.cmp, epsilon: op.epsilon, a: op.a, b: op.b, bounds: [...op.bounds] }));
}

/** Reading timestamps of one dataset, and the last block they were read up to. */
interface TimestampCache {
  timestamps: number[];
  scannedTo: number;
}

/** Reads of and transactions to one deployed market. */
export class MarketGateway {
  readonly address: string;
  readonly #contract: IoTDataMarket;
  readonly #provider: Provider;
  readonly #fromBlock: number;
  readonly #timestamps = new Map<bigint, TimestampCache>();

  /**
   * @param options.fromBlock The market's deployment block: where log scans start.
   */
  constructor(options: { address: string; provider: Provider; fromBlock?: number }) {
    this.address = options.address;
    this.#provider = options.provider;
    this.#contract = connectMarket(options.address, options.provider);
    this.#fromBlock = options.fromBlock ?? 0;
  }

  /** Whether the run request is its buyer's, by the market's own rule (ECDSA, or ERC-1271 for a contract wallet). */
  checkRunRequestSignature(options: { market: MarketRef; request: RunRequest; signature: string }): Promise<SignatureCheck> {
    const { market, request, signature } = options;
    return checkRunRequestSignature({ provider: this.#provider, domain: marketDomain(market), request, signature });
  }

  /** Whether the standing authorization is its buyer's, by the market's own rule. */
  checkStandingAuthorizationSignature(options: { market: MarketRef; authorization: StandingAuthorization; signature: string }): Promise<SignatureCheck> {
    const { market, authorization, signature } = options;
    return checkStandingAuthorizationSignature({ provider: this.#provider, domain: marketDomain(market), authorization, signature });
  }

  /** The dataset's public metadata (reverts with DatasetNotFound for an unknown id). */
  async datasetInfo(datasetId: bigint): Promise<DatasetView> {
    return { id: datasetId, ...(await readDatasetInfo(this.#contract, datasetId)) };
  }

  /**
   * The timestamp (unix seconds) of every reading of the dataset, index = reading index, from the
   * ReadingsAppended events (only the last one is in storage). Scans incrementally: each call reads
   * only the blocks after the previous call's.
   */
  async readingTimestamps(datasetId: bigint): Promise<readonly number[]> {
    const cache = this.#timestamps.get(datasetId) ?? { timestamps: [], scannedTo: this.#fromBlock - 1 };
    const latest = await this.#provider.getBlockNumber();
    if (latest > cache.scannedTo) {
      const logs = await this.#provider.getLogs({
        address: this.address,
        topics: market.encodeFilterTopics(READINGS_APPENDED, [datasetId]),
        fromBlock: cache.scannedTo + 1,
        toBlock: latest,
      });
      for (const log of logs) {
        const { firstIndex, timestamps } = market.decodeEventLog(READINGS_APPENDED, log.data, log.topics);
        // Logs come in chain order, so batches arrive in index order; a gap would be a bug.
        if (Number(firstIndex) !== cache.timestamps.length) {
          throw new Error(`ReadingsAppended of dataset ${datasetId} skips from ${cache.timestamps.length} to ${firstIndex}`);
        }
        for (const t of timestamps as bigint[]) cache.timestamps.push(Number(t));
      }
      cache.scannedTo = latest;
      this.#timestamps.set(datasetId, cache);
    }
    return cache.timestamps;
  }

  /**
   * "Now" for windows and cadence: the earliest timestamp the next block can have. That is the
   * latest block's, or the wall clock if later: a chain that mines only on transactions (Hardhat's
   * automine) keeps an old latest block while idle, and its next block takes the wall-clock time.
   */
  async chainTime(): Promise<number> {
    const block = await this.#provider.getBlock("latest");
    if (!block) throw new Error("the chain node returned no latest block");
    return Math.max(block.timestamp, Math.floor(Date.now() / 1000));
  }

  /** The run started with the request whose EIP-712 digest is `digest`, or 0n. */
  async runIdOf(digest: string): Promise<bigint> {
    return BigInt(await this.#contract.runIdOf(digest));
  }

  /** Public state of run `runId`. */
  async runInfo(runId: bigint): Promise<RunView> {
    return { runId, ...(await readRunInfo(this.#contract, runId)) };
  }

  /** Result handles of a finished run, in op order. */
  async runResults(runId: bigint): Promise<string[]> {
    return [...(await this.#contract.runResults(runId))].map(String);
  }

  /** The program stored under `programHash` (every started run stores its program). */
  async program(programHash: string): Promise<ProgramOp[]> {
    return programFromResult(await this.#contract.program(programHash));
  }

  /** `balanceOf(buyer)`: the buyer's market balance in wei, from which every start locks its maximum payment. */
  async balanceOf(buyer: string): Promise<bigint> {
    return BigInt(await this.#contract.balanceOf(buyer));
  }

  /** On-chain state of the standing authorization with EIP-712 digest `digest`. */
  async authorizationState(digest: string): Promise<AuthorizationView> {
    const state = await this.#contract.standingAuthorizationState(digest);
    return {
      runs: Number(state.runs),
      lastRunAt: BigInt(state.lastRunAt),
      nextFromIndex: BigInt(state.nextFromIndex),
      revoked: Boolean(state.revoked),
      lastRunId: BigInt(state.lastRunId),
    };
  }

  /** The contract's largest step for `ops` (the authority the planner mirrors). */
  async maxStepSize(ops: readonly ProgramOp[], finalizes: boolean): Promise<bigint> {
    return BigInt(await this.#contract.maxStepSize(opsStruct(ops), finalizes));
  }

  /** `startRunFor(request, ops, signature)`: the relayer starts a signed run. */
  startRunForTx(options: { request: RunRequest; ops: readonly ProgramOp[]; signature: string }): TransactionRequest {
    const data = market.encodeFunctionData("startRunFor", [
      requestStruct(options.request),
      opsStruct(options.ops),
      options.signature,
    ]);
    return { to: this.address, data };
  }

  /** `startScheduledRun(auth, ops, signature, fromIndex, toIndex)`: the next report of a schedule. */
  startScheduledRunTx(options: {
    authorization: StandingAuthorization;
    ops: readonly ProgramOp[];
    signature: string;
    fromIndex: bigint;
    toIndex: bigint;
  }): TransactionRequest {
    const data = market.encodeFunctionData("startScheduledRun", [
      authorizationStruct(options.authorization),
      opsStruct(options.ops),
      options.signature,
      options.fromIndex,
      options.toIndex,
    ]);
    return { to: this.address, data };
  }

  /** `step(runId, n)`: consume the next `n` readings. */
  stepTx(options: { runId: bigint; n: bigint }): TransactionRequest {
    return { to: this.address, data: market.encodeFunctionData("step", [options.runId, options.n]) };
  }

  /** `addNoise(runId, count)`: add the next `count` noise draws of a private run (after its last step). */
  addNoiseTx(options: { runId: bigint; count: bigint }): TransactionRequest {
    return { to: this.address, data: market.encodeFunctionData("addNoise", [options.runId, options.count]) };
  }

  /** The run id a start transaction created (its RunStarted event). */
  runIdFromReceipt(receipt: TransactionReceipt): bigint {
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.address.toLowerCase() || log.topics[0] !== RUN_STARTED.topicHash) continue;
      return BigInt(market.decodeEventLog(RUN_STARTED, log.data, log.topics).runId);
    }
    throw new Error(`transaction ${receipt.hash} started no run`);
  }

  /**
   * Every transaction of run `runId`, in chain order: its start, its steps and (on a private
   * dataset) its noise, read from the RunStarted, RunStepped and RunNoised events, so the list is
   * complete whichever workers sent them.
   */
  async runTransactions(runId: bigint): Promise<string[]> {
    const runTopic = market.encodeFilterTopics(RUN_STEPPED, [runId])[1] as string;
    const logs: Log[] = await this.#provider.getLogs({
      address: this.address,
      topics: [[RUN_STARTED.topicHash, RUN_STEPPED.topicHash, RUN_NOISED.topicHash], runTopic],
      fromBlock: this.#fromBlock,
      toBlock: "latest",
    });
    const hashes: string[] = [];
    for (const log of logs) if (!hashes.includes(log.transactionHash)) hashes.push(log.transactionHash);
    return hashes;
  }
}
