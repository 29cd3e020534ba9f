import { Contract, type ContractRunner, type Signer } from "ethers";
import { iotDataMarketAbi } from "./abi";
import { userDecrypt, type FhevmClient } from "./fhevm";
import { programFromResult, resultLayout, type Op, type ResultSlot } from "./program";

/** The market at `address`, with its full ABI, connected to `runner` (a signer to send, a provider to read). */
export function connectMarket(address: string, runner: ContractRunner): Contract {
  return new Contract(address, iotDataMarketAbi, runner);
}

/** Public metadata and counters of a dataset (`datasetInfo`). */
export interface DatasetInfo {
  seller: string;
  name: string;
  field: string;
  unit: string;
  scale: number;
  offset: bigint;
  pricePerPeriod: bigint;
  periodSeconds: number;
  bucketSize: bigint;
  approvedKinds: number;
  paused: boolean;
  readingCount: bigint;
  lastTimestamp: bigint;
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
  finished: boolean;
}

export async function readDatasetInfo(market: Contract, datasetId: bigint): Promise<DatasetInfo> {
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
  };
}

export async function readRunInfo(market: Contract, runId: bigint): Promise<RunInfo> {
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
  };
}

/** The program a run executes, as stored on-chain under its hash. */
export async function readRunProgram(market: Contract, runId: bigint): Promise<Op[]> {
  const { programHash } = await readRunInfo(market, runId);
  return programFromResult(await market.program(programHash));
}

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
  market: Contract;
  runId: bigint;
  signer: Signer;
}): Promise<DecryptedResult[]> {
  const { market, runId } = options;
  const layout = resultLayout(await readRunProgram(market, runId));
  const handles = (await market.runResults(runId)) as string[];
  const values = await userDecrypt({
    instance: options.instance,
    signer: options.signer,
    contract: await market.getAddress(),
    handles: handles.map((handle, i) => ({ handle, type: layout[i].type })),
  });
  return handles.map((handle, i) => ({ ...layout[i], handle, value: values[i] }));
}
