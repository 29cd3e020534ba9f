import { ethers, fhevm } from "hardhat";
import { FhevmType } from "@fhevm/hardhat-plugin";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt } from "ethers";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import {
  ALL_RECIPE_KINDS,
  EXACT_PRIVACY,
  encodeProgram,
  noisyValue,
  programFromResult,
  resultLayout,
  type DatasetParams,
  type Op,
  type IoTDataMarket,
} from "@iotdm/contracts-client";
import { encode, type FixedPoint } from "../helpers/stats";

/** A thermometer dataset: °C with 2 decimals from -50.00 (encoded = round(v * 100) + 5000), k = 8, exact. */
export const THERMOMETER: DatasetParams = {
  name: "Greenhouse 3",
  field: "temperature",
  unit: "°C",
  scale: 2,
  offset: -5000n,
  pricePerPeriod: 10n ** 15n,
  periodSeconds: 86_400,
  bucketSize: 8n,
  privacy: EXACT_PRIVACY,
  rollups: 0,
};
export const THERMOMETER_FP: FixedPoint = { scale: THERMOMETER.scale, offset: THERMOMETER.offset };

export interface Actors {
  admin: HardhatEthersSigner;
  seller: HardhatEthersSigner;
  device: HardhatEthersSigner;
  buyer: HardhatEthersSigner;
  otherBuyer: HardhatEthersSigner;
  /** The worker's account, holding OPERATOR_ROLE. */
  relayer: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
}

export interface MarketFixture {
  market: IoTDataMarket;
  address: string;
  actors: Actors;
}

/** The market connected to `signer`. */
export function as(market: IoTDataMarket, signer: HardhatEthersSigner): IoTDataMarket {
  return market.connect(signer);
}

/** A fresh market deployed through the client's `deployMarket`, the relayer as operator. */
export async function deployMarketFixture(): Promise<MarketFixture> {
  const [admin, seller, device, buyer, otherBuyer, relayer, stranger] = await ethers.getSigners();
  const { market, address } = await deployMarket({ signer: admin, operator: relayer.address });
  return { market, address, actors: { admin, seller, device, buyer, otherBuyer, relayer, stranger } };
}

export async function createDataset(
  f: MarketFixture,
  params: typeof THERMOMETER = THERMOMETER,
  seller = f.actors.seller,
): Promise<bigint> {
  await (await as(f.market, seller).createDataset(params)).wait();
  return (await f.market.datasetCount()) as bigint;
}

/** Encrypts `values` (encoded units) as `signer` and appends them in batches of up to `batchSize` (max 32). */
export async function appendValues(
  f: MarketFixture,
  datasetId: bigint,
  values: readonly bigint[],
  options: { signer?: HardhatEthersSigner; batchSize?: number; timestampStep?: number } = {},
): Promise<ContractTransactionReceipt[]> {
  const signer = options.signer ?? f.actors.device;
  const batchSize = options.batchSize ?? 32;
  const step = BigInt(options.timestampStep ?? 60);
  let timestamp = ((await f.market.datasetInfo(datasetId)).lastTimestamp as bigint) || 1_700_000_000n;
  const receipts: ContractTransactionReceipt[] = [];
  for (let i = 0; i < values.length; i += batchSize) {
    const batch = values.slice(i, i + batchSize);
    const { handles, inputProof } = await encryptBatch(f.address, signer.address, batch);
    const timestamps = batch.map(() => (timestamp += step));
    const tx = await as(f.market, signer).appendReadings(datasetId, handles, inputProof, timestamps);
    receipts.push((await tx.wait())!);
  }
  return receipts;
}

export async function encryptBatch(contract: string, user: string, values: readonly bigint[]) {
  const input = fhevm.createEncryptedInput(contract, user);
  for (const value of values) input.add64(value);
  return input.encrypt();
}

/** Buys `periods` periods of access for `buyer`, paying the exact price. */
export async function purchase(f: MarketFixture, datasetId: bigint, buyer: HardhatEthersSigner, periods = 1) {
  const price = (await f.market.datasetInfo(datasetId)).pricePerPeriod as bigint;
  return (await as(f.market, buyer).purchaseAccess(datasetId, periods, { value: price * BigInt(periods) })).wait();
}

/** Deterministic pseudo-random temperatures (°C, 2 decimals) in [-20.00, 45.00]. */
export function randomTemperatures(count: number, seed: number): number[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return Array.from({ length: count }, () => Math.round((next() * 65 - 20) * 100) / 100);
}

export interface DataFixture extends MarketFixture {
  datasetId: bigint;
  /** Real values appended (°C) and their encoded form, index for index. */
  temperatures: number[];
  encoded: bigint[];
}

/**
 * A market with one thermometer dataset: device registered, every recipe kind approved, `count` random readings
 * appended by the device, and access bought by `buyer` and `otherBuyer`. Deployed afresh on every call.
 */
export function dataFixture(count: number, seed = 42): () => Promise<DataFixture> {
  return async () => {
    const f = await deployMarketFixture();
    const { seller, device, buyer, otherBuyer } = f.actors;
    const datasetId = await createDataset(f);
    await (await as(f.market, seller).registerDevice(datasetId, device.address)).wait();
    await (await as(f.market, seller).approveRecipeKinds(datasetId, ALL_RECIPE_KINDS)).wait();
    const temperatures = randomTemperatures(count, seed);
    const encoded = temperatures.map((t) => encode(t, THERMOMETER_FP));
    await appendValues(f, datasetId, encoded);
    await purchase(f, datasetId, buyer);
    await purchase(f, datasetId, otherBuyer);
    return { ...f, datasetId, temperatures, encoded };
  };

}

/** Starts a run as `buyer` and returns its id. */
export async function startRun(
  f: MarketFixture,
  datasetId: bigint,
  ops: readonly Op[],
  fromIndex: bigint | number,
  toIndex: bigint | number,
  buyer = f.actors.buyer,
): Promise<bigint> {
  await (await as(f.market, buyer).startRun(datasetId, encodeProgram(ops), fromIndex, toIndex)).wait();
  return (await f.market.runCount()) as bigint;
}

/**
 * Steps a run to its end with steps of `sizes` readings (repeating the last size; default: the program's largest
 * step), alternating callers when several are given. Returns each step's receipt.
 */
export async function stepToEnd(
  f: MarketFixture,
  runId: bigint,
  options: { sizes?: number[]; callers?: HardhatEthersSigner[] } = {},
): Promise<ContractTransactionReceipt[]> {
  const info = await f.market.runInfo(runId);
  const ops = encodeProgram(programFromResult(await f.market.program(info.programHash)));
  const callers = options.callers ?? [f.actors.buyer];
  const receipts: ContractTransactionReceipt[] = [];
  let cursor = info.cursor as bigint;
  const to = info.toIndex as bigint;
  const largest = (await f.market.maxStepSize(ops, false)) as bigint;
  const largestFinal = (await f.market.maxStepSize(ops, true)) as bigint;
  for (let i = 0; cursor < to; i++) {
    const remaining = to - cursor;
    let n: bigint;
    if (options.sizes) n = BigInt(options.sizes[Math.min(i, options.sizes.length - 1)]);
    else if (remaining <= largestFinal) n = remaining;
    else n = largest < remaining - 1n ? largest : remaining - 1n;
    if (n > remaining) n = remaining;
    const caller = callers[i % callers.length];
    receipts.push((await (await as(f.market, caller).step(runId, n)).wait())!);
    cursor += n;
  }
  return receipts;
}

/** Adds a private run's noise draws, `perCall` at a time (default: all in one call). */
export async function noiseToEnd(
  f: MarketFixture,
  runId: bigint,
  options: { perCall?: number; caller?: HardhatEthersSigner } = {},
): Promise<ContractTransactionReceipt[]> {
  const info = await f.market.runInfo(runId);
  const receipts: ContractTransactionReceipt[] = [];
  for (let cursor = Number(info.noiseCursor); cursor < Number(info.noiseUnits); ) {
    const count = Math.min(options.perCall ?? Number(info.noiseUnits), Number(info.noiseUnits) - cursor);
    receipts.push((await (await as(f.market, options.caller ?? f.actors.buyer).addNoise(runId, count)).wait())!);
    cursor += count;
  }
  return receipts;
}

/**
 * User-decrypts every result handle of a finished run as `signer` (throws if `signer` is not allowed); a private
 * run's noised results as signed values.
 */
export async function decryptResults(
  f: MarketFixture,
  runId: bigint,
  ops: readonly Op[],
  signer: HardhatEthersSigner,
): Promise<(bigint | boolean)[]> {
  const handles = (await f.market.runResults(runId)) as string[];
  const noisy = Number((await f.market.runInfo(runId)).noiseUnits) > 0;
  const layout = resultLayout(ops, { noisy });
  const values: (bigint | boolean)[] = [];
  for (const [i, handle] of handles.entries()) {
    const type = layout[i].type;
    if (type === "ebool") values.push(await fhevm.userDecryptEbool(handle, f.address, signer));
    else {
      const fheType = type === "euint32" ? FhevmType.euint32 : FhevmType.euint64;
      const value = await fhevm.userDecryptEuint(fheType, handle, f.address, signer);
      values.push(layout[i].encoding === "noisy" ? noisyValue(value) : value);
    }
  }
  return values;
}
