import { Contract, type ContractRunner, type Signer } from "ethers";
import { iotDataMarketAbi } from "./abi";
import type { IoTDataMarket } from "./typechain/IoTDataMarket";

export type { IoTDataMarket };
import { userDecrypt, type FhevmClient } from "./fhevm";
import { isPrivate, privacyFromResult, type PrivacyParams } from "./privacy";
import { programFromResult, resultLayout, type Op, type ResultSlot } from "./program";

/** The market at `address`, with its full ABI, connected to `runner` (a signer to send, a provider to read). */
export function connectMarket(address: string, runner: ContractRunner): IoTDataMarket {
  return new Contract(address, iotDataMarketAbi, runner) as unknown as IoTDataMarket;
}

/** What a seller fixes when creating a dataset (the Solidity `DatasetParams`, as `createDataset` takes it). */
export interface DatasetParams {
  name: string;
  field: string;
  unit: string;
  scale: number;
  offset: bigint;
  pricePerPeriod: bigint;
  periodSeconds: number;
  bucketSize: bigint;
  privacy: PrivacyParams;
  /**
   * The encrypted rollups kept at ingestion, a mask of `ROLLUP` bits from @iotdm/recipes (0: none; otherwise with
   * SUM). Fixed at creation.
   */
  rollups: number;
}

/** Public metadata and counters of a dataset (`datasetInfo`): its parameters and what happened since. */
export interface DatasetInfo extends DatasetParams {
  seller: string;
  approvedKinds: number;
  paused: boolean;
  readingCount: bigint;
  lastTimestamp: bigint;
  /** The smallest k the dataset ever had: every k it may take is a multiple or divisor of it. */
  minBucketSize: bigint;
  /** First reading a private run may read (the reading count when the dataset last became private). */
  privateFrom: bigint;
  /** Readings per rollup block (0 without rollups): windows aligned to it combine the rollups. */
  rollupBlockSize: bigint;
}

/** Public state of a run (`runInfo`). */
export interface RunInfo {
  buyer: string;
  datasetId: bigint;
  programHash: string;
  fromIndex: bigint;
  toIndex: bigint;
  /** Next reading a step consumes; equals toIndex once finished. */
  cursor: bigint;
  startedAt: bigint;
  /** Whether the results are released to the buyer (after the last step and, when private, the last noise draw). */
  finished: boolean;
  /** Noise draws the results need (0 on an exact dataset) and those added so far. */
  noiseUnits: number;
  noiseCursor: number;
  /** ε (thousandths) the run charged to every reading of its window. */
  epsilon: number;
  /** The private range the noise was calibrated for (0, 0 on an exact dataset). */
  lowerBound: bigint;
  upperBound: bigint;
  /** Whether the run's steps combine the dataset's rollups instead of its readings. */
  rolledUp: boolean;
}

export async function readDatasetInfo(market: IoTDataMarket, datasetId: bigint): Promise<DatasetInfo> {
  const r = await market.datasetInfo(datasetId);
  return {
    seller: r.seller,
    name: r.name,
    field: r.field,
    unit: r.unit,
    scale: Number(r.scale),
    offset: r.offset,
    pricePerPeriod: r.pricePerPeriod,
    periodSeconds: Number(r.periodSeconds),
    bucketSize: r.bucketSize,
    approvedKinds: Number(r.approvedKinds),
    paused: r.paused,
    readingCount: r.readingCount,
    lastTimestamp: r.lastTimestamp,
    minBucketSize: r.minBucketSize,
    privacy: privacyFromResult(r.privacy),
    privateFrom: r.privateFrom,
    rollups: Number(r.rollups),
    rollupBlockSize: r.rollupBlockSize,
  };
}

export async function readRunInfo(market: IoTDataMarket, runId: bigint): Promise<RunInfo> {
  const r = await market.runInfo(runId);
  return {
    buyer: r.buyer,
    datasetId: r.datasetId,
    programHash: r.programHash,
    fromIndex: r.fromIndex,
    toIndex: r.toIndex,
    cursor: r.cursor,
    startedAt: r.startedAt,
    finished: r.finished,
    noiseUnits: Number(r.noiseUnits),
    noiseCursor: Number(r.noiseCursor),
    epsilon: Number(r.epsilon),
    lowerBound: r.lowerBound,
    upperBound: r.upperBound,
    rolledUp: r.rolledUp,
  };
}

/** The program a run executes, as stored on-chain under its hash. */
export async function readRunProgram(market: IoTDataMarket, runId: bigint): Promise<Op[]> {
  const { programHash } = await readRunInfo(market, runId);
  return programFromResult(await market.program(programHash));
}

/**
 * Where the contract starts a scheduled window (`_scheduledStart`): `from` (the authorization's `fromIndex` before its
 * first run, then where the previous window ended) moved up to `privateFrom` on a private dataset and rounded up to the
 * dataset's current k.
 */
export function scheduledWindowStart(dataset: Pick<DatasetInfo, "bucketSize" | "privacy" | "privateFrom">, from: bigint): bigint {
  const start = isPrivate(dataset.privacy) && from < dataset.privateFrom ? dataset.privateFrom : from;
  const k = dataset.bucketSize;
  return ((start + k - 1n) / k) * k;
}

/**
 * Gas of one `appendReadings` on the fhevm mock, for {@link appendGasLimit}: measured by
 * contracts/test/iot-data-market/append-gas.test.ts (each rollup at its largest batch, blocks of 2 — the most block
 * nodes per reading — and 32, exact and private), which sends every append with the limit and fails if one does
 * not fit; bench:contracts measures the same appends at blocks of 32 (sum rollup 114,958 gas/reading vs 100,141
 * without; every rollup 188,336 at batch 7). Each allowance is the measured figure with 15–30 % margin.
 */
const APPEND_GAS = {
  /** A batch of one costs 204 k (exact), 32 readings 3.19 M: 108 k fixed plus 96.3 k a reading. */
  fixed: 250_000n,
  /** Per reading without rollups: 96.3 k measured exact, 119.1 k private (the clamp's FHE.max and FHE.min). */
  perReading: { exact: 110_000n, private: 130_000n },
  /**
   * Each rollup's extra, by its bit (@iotdm/recipes ROLLUP): per reading (measured at blocks of 2: SUM 38.1 k,
   * SQUARES 46 k, MIN and MAX 47 k each; SUM 14.8 k at blocks of 32) and per batch. A batch that closes a block
   * may complete a MIN/MAX tree node at each level above it, ≈ 100 k gas a level and tree (measured between
   * batches completing 1 and 3 levels); 1,000,000 readings in blocks of 2 make 9.5 levels, so 10 are allowed.
   */
  rollups: [
    { bit: 1, perReading: 45_000n, perBatch: 100_000n },
    { bit: 2, perReading: 55_000n, perBatch: 100_000n },
    { bit: 4, perReading: 55_000n, perBatch: 1_000_000n },
    { bit: 8, perReading: 55_000n, perBatch: 1_000_000n },
  ],
} as const;

/**
 * A gas limit for one `appendReadings` of `readings` readings on a dataset with `rollups` (a ROLLUP mask), for
 * senders that skip the estimate (their own encryption, known good): the measured figures of {@link APPEND_GAS}
 * with their margins.
 */
export function appendGasLimit(readings: number, privacy: Pick<PrivacyParams, "mode">, rollups = 0): bigint {
  let perReading = isPrivate(privacy) ? APPEND_GAS.perReading.private : APPEND_GAS.perReading.exact;
  let fixed = APPEND_GAS.fixed;
  for (const rollup of APPEND_GAS.rollups) {
    if (rollups & rollup.bit) {
      perReading += rollup.perReading;
      fixed += rollup.perBatch;
    }
  }
  return fixed + perReading * BigInt(readings);
}

/** Whether a run's results are noised (it ran on a private dataset). */
export const isNoisyRun = (run: Pick<RunInfo, "noiseUnits">): boolean => run.noiseUnits > 0;

/** A noised result as the signed value it stands for: noise is added mod 2^64 and may take it below zero. */
export const noisyValue = (value: bigint): bigint => BigInt.asIntN(64, value);

/** One decrypted result handle of a run, with its place in the result layout. */
export interface DecryptedResult extends ResultSlot {
  handle: string;
  value: bigint | boolean;
}

/**
 * User-decrypts a finished run's results as `signer` (who must be its buyer: nobody else is allowed). Values are
 * encoded (offset-shifted, scaled); recipes/ interprets them.
 */
export async function decryptRunResults(options: {
  instance: FhevmClient;
  market: IoTDataMarket;
  runId: bigint;
  signer: Signer;
}): Promise<DecryptedResult[]> {
  const { market, runId } = options;
  const run = await readRunInfo(market, runId);
  const layout = resultLayout(programFromResult(await market.program(run.programHash)), { noisy: isNoisyRun(run) });
  const handles = (await market.runResults(runId)) as string[];
  const values = await userDecrypt({
    instance: options.instance,
    signer: options.signer,
    contract: await market.getAddress(),
    handles: handles.map((handle, i) => ({ handle, type: layout[i].type })),
  });
  return handles.map((handle, i) => {
    const value = values[i];
    return { ...layout[i], handle, value: layout[i].encoding === "noisy" && typeof value === "bigint" ? noisyValue(value) : value };
  });
}
