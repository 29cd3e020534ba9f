/**
 * Demo data for the journeys, written to the local chain the way a seller and a device would:
 * create a dataset, approve recipe kinds, register a device, and append encrypted readings (the
 * device encrypts them with the fhevm mock, one input proof per batch of up to 32).
 */
import { Wallet } from "ethers";
import { connectMarket, createFhevmInstance, encryptReadings, EXACT_PRIVACY } from "@iotdm/contracts-client";
import { HDNodeWallet, Mnemonic } from "ethers";
import type { LocalChain } from "./chain";

/** Hardhat account `index` (public keys of the "test … junk" mnemonic), connected to the chain. */
export function devSigner(chain: LocalChain, index: number): Wallet {
  const node = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), `m/44'/60'/0'/0/${index}`);
  return new Wallet(node.privateKey, chain.provider);
}

/** A seeded dataset. */
export interface SeededDataset {
  id: string;
  name: string;
  /** The readings in the unit, in append order. */
  values: number[];
}

/** Creates a dataset and appends `values` (in the unit) as encrypted readings from a device. */
export async function seedDataset(options: {
  chain: LocalChain;
  seller: Wallet;
  device: Wallet;
  name: string;
  field: string;
  unit: string;
  scale: number;
  /** Lowest value in the unit (the offset is lowest × 10^scale). */
  lowest: number;
  k: number;
  priceWei: bigint;
  periodSeconds: number;
  approvedMask: number;
  values: number[];
  /** Unix seconds of the first reading; readings are `stepSeconds` apart, the last one not after now (the contract refuses readings from the future). */
  startTime: number;
  stepSeconds: number;
}): Promise<SeededDataset> {
  const { chain } = options;
  const asSeller = connectMarket(chain.marketAddress, options.seller);
  const factor = 10 ** options.scale;
  const offset = BigInt(Math.round(options.lowest * factor));
  const id: bigint = await asSeller.createDataset.staticCall({
    name: options.name,
    field: options.field,
    unit: options.unit,
    scale: options.scale,
    offset,
    pricePerPeriod: options.priceWei,
    periodSeconds: options.periodSeconds,
    bucketSize: options.k,
    privacy: EXACT_PRIVACY,
    rollups: 0,
  });
  await (
    await asSeller.createDataset({
      name: options.name,
      field: options.field,
      unit: options.unit,
      scale: options.scale,
      offset,
      pricePerPeriod: options.priceWei,
      periodSeconds: options.periodSeconds,
      bucketSize: options.k,
      privacy: EXACT_PRIVACY,
      rollups: 0,
    })
  ).wait();
  await (await asSeller.approveRecipeKinds(id, options.approvedMask)).wait();
  await (await asSeller.registerDevice(id, options.device.address)).wait();

  await appendReadings({ chain, datasetId: id.toString(), device: options.device, scale: options.scale, offset, values: options.values, startTime: options.startTime, stepSeconds: options.stepSeconds });
  return { id: id.toString(), name: options.name, values: options.values };
}

/** A registered device encrypts `values` (in the unit) and appends them, `stepSeconds` apart. */
export async function appendReadings(options: {
  chain: LocalChain;
  datasetId: string;
  device: Wallet;
  scale: number;
  /** int64 offset in scaled units. */
  offset: bigint;
  values: number[];
  startTime: number;
  stepSeconds: number;
}): Promise<void> {
  const { chain } = options;
  const factor = 10 ** options.scale;
  const instance = await createFhevmInstance({ provider: chain.provider });
  const encoded = options.values.map((v) => BigInt(Math.round(v * factor)) - options.offset);
  const batches = await encryptReadings({ instance, market: chain.marketAddress, appender: options.device.address, values: encoded });
  const asDevice = connectMarket(chain.marketAddress, options.device);
  let index = 0;
  for (const batch of batches) {
    const timestamps = batch.handles.map((_, i) => options.startTime + (index + i) * options.stepSeconds);
    await (await asDevice.appendReadings(options.datasetId, batch.handles, batch.inputProof, timestamps)).wait();
    index += batch.handles.length;
  }
}
