/**
 * The market contract from the browser: reads through the chain's JSON-RPC provider, writes through
 * the user's wallet (the seller console, purchases). Every failure becomes a {@link ContractError}
 * whose message is contracts/client's decoded sentence ("Send exactly the price: …").
 */
import { type ContractRunner, type Provider, type Signer, type TransactionReceipt } from "ethers";
import { connectMarket, decodeContractError, encodePrivacy, readDatasetInfo, type DatasetInfo, type DatasetParams, type IoTDataMarket, type PrivacyParams } from "@iotdm/contracts-client";
import type { Dataset } from "../api/datasets-api";
import { kindsFromMask, rollupNames } from "../lib/recipes";

/** A rejected call or transaction, in words. */
export class ContractError extends Error {
  override readonly name = "ContractError";
  constructor(
    message: string,
    /** The custom error's name (e.g. WrongPayment), or UnknownError. */
    readonly errorName: string,
  ) {
    super(message);
  }
}

/** Turns anything a contract call threw into a ContractError (a wallet rejection keeps its own words). */
export function toContractError(error: unknown): ContractError {
  const code = (error as { code?: unknown }).code;
  if (code === "ACTION_REJECTED" || code === 4001) return new ContractError("You declined the transaction in your wallet.", "ActionRejected");
  if (code === "INSUFFICIENT_FUNDS") return new ContractError("The wallet has not enough ETH for this transaction and its gas.", "InsufficientFunds");
  const decoded = decodeContractError(error);
  return new ContractError(decoded.message, decoded.name);
}

/**
 * A dataset as the contract reports it (the contracts client's `DatasetInfo`), in the catalogue's
 * names and with plain numbers where they fit: `k` (the bucket size), `approvedMask`, counts, times.
 */
export type OnChainDataset = Omit<DatasetInfo, "bucketSize" | "approvedKinds" | "readingCount" | "lastTimestamp"> & {
  id: string;
  k: number;
  approvedMask: number;
  readingCount: number;
  lastTimestamp: number;
};

/** The market, for one runner. */
export class Market {
  readonly contract: IoTDataMarket;

  constructor(
    readonly address: string,
    runner: ContractRunner,
  ) {
    this.contract = connectMarket(address, runner);
  }

  /** Calls a view; failures become ContractErrors. */
  async #read<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toContractError(error);
    }
  }

  /** Sends a transaction and waits for it; failures (including reverts found by gas estimation) become ContractErrors. */
  async #send(method: string, args: unknown[], overrides: Record<string, unknown> = {}): Promise<TransactionReceipt> {
    try {
      const tx = await this.contract.getFunction(method)(...args, overrides);
      const receipt = (await tx.wait()) as TransactionReceipt | null;
      if (!receipt || receipt.status !== 1) throw new ContractError(`The ${method} transaction failed.`, "Reverted");
      return receipt;
    } catch (error) {
      throw error instanceof ContractError ? error : toContractError(error);
    }
  }

  datasetCount(): Promise<number> {
    return this.#read(async () => Number(await this.contract.getFunction("datasetCount")()));
  }

  async dataset(id: string | bigint): Promise<OnChainDataset> {
    const info = await this.#read(() => readDatasetInfo(this.contract, BigInt(id)));
    const { bucketSize, approvedKinds, readingCount, lastTimestamp, ...same } = info;
    return {
      ...same,
      id: String(id),
      k: Number(bucketSize),
      approvedMask: approvedKinds,
      readingCount: Number(readingCount),
      lastTimestamp: Number(lastTimestamp),
    };
  }

  /** Every dataset of a seller (scans ids 1..datasetCount; the service's catalogue does it by index). */
  async datasetsOf(seller: string): Promise<OnChainDataset[]> {
    const count = await this.datasetCount();
    const all = await Promise.all(Array.from({ length: count }, (_, i) => this.dataset(BigInt(i + 1))));
    return all.filter((d) => d.seller.toLowerCase() === seller.toLowerCase());
  }

  accessExpiry(datasetId: string, buyer: string): Promise<number> {
    return this.#read(async () => Number(await this.contract.getFunction("accessExpiry")(datasetId, buyer)));
  }

  pendingWithdrawal(account: string): Promise<bigint> {
    return this.#read(async () => BigInt(await this.contract.getFunction("pendingWithdrawal")(account)));
  }

  /** A buyer's market balance for pay per run: what it deposited and no run holds locked (wei). */
  balanceOf(account: string): Promise<bigint> {
    return this.#read(async () => BigInt(await this.contract.getFunction("balanceOf")(account)));
  }

  /** The seller's price per run on a dataset (wei; 0: none), part of every run's quote. */
  runPrice(datasetId: string): Promise<bigint> {
    return this.#read(async () => BigInt(await this.contract.getFunction("runPrice")(datasetId)));
  }

  isDevice(datasetId: string, device: string): Promise<boolean> {
    return this.#read(async () => Boolean(await this.contract.getFunction("isDevice")(datasetId, device)));
  }

  /** The devices currently registered on a dataset, from its DeviceRegistered/DeviceRevoked events. */
  async devices(datasetId: string): Promise<string[]> {
    const [registered, revoked] = await this.#read(() =>
      Promise.all([
        this.contract.queryFilter(this.contract.filters.DeviceRegistered!(datasetId)),
        this.contract.queryFilter(this.contract.filters.DeviceRevoked!(datasetId)),
      ]),
    );
    const events = [...registered.map((e) => ({ e, on: true })), ...revoked.map((e) => ({ e, on: false }))].sort(
      (a, b) => a.e.blockNumber - b.e.blockNumber || a.e.index - b.e.index,
    );
    const devices = new Map<string, boolean>();
    for (const { e, on } of events) {
      const device = String((e as unknown as { args: { device: string } }).args.device);
      devices.set(device, on);
    }
    return [...devices].filter(([, on]) => on).map(([device]) => device);
  }

  /** Buyers and wei paid for a dataset, from its AccessPurchased events. */
  async sales(datasetId: string): Promise<{ buyers: number; paidWei: bigint }> {
    const events = await this.#read(() => this.contract.queryFilter(this.contract.filters.AccessPurchased!(datasetId)));
    const buyers = new Set<string>();
    let paid = 0n;
    for (const event of events) {
      const args = (event as unknown as { args: { buyer: string; paid: bigint } }).args;
      buyers.add(args.buyer.toLowerCase());
      paid += BigInt(args.paid);
    }
    return { buyers: buyers.size, paidWei: paid };
  }

  /** Creates a dataset; resolves with its id. */
  async createDataset(params: DatasetParams): Promise<string> {
    const receipt = await this.#send("createDataset", [params]);
    for (const log of receipt.logs) {
      try {
        const parsed = this.contract.interface.parseLog(log);
        if (parsed?.name === "DatasetCreated") return String(parsed.args.datasetId);
      } catch {
        // another contract's log
      }
    }
    throw new ContractError("The dataset was created but its id was not found in the receipt.", "UnknownError");
  }

  registerDevice = (datasetId: string, device: string) => this.#send("registerDevice", [datasetId, device]);
  revokeDevice = (datasetId: string, device: string) => this.#send("revokeDevice", [datasetId, device]);
  approveKinds = (datasetId: string, mask: number) => this.#send("approveRecipeKinds", [datasetId, mask]);
  revokeKinds = (datasetId: string, mask: number) => this.#send("revokeRecipeKinds", [datasetId, mask]);
  setBucketSize = (datasetId: string, k: number) => this.#send("setBucketSize", [datasetId, k]);
  setPrice = (datasetId: string, wei: bigint) => this.#send("setPrice", [datasetId, wei]);
  setRunPrice = (datasetId: string, wei: bigint) => this.#send("setRunPrice", [datasetId, wei]);
  setPrivacy = (datasetId: string, privacy: PrivacyParams) => this.#send("setPrivacy", [datasetId, encodePrivacy(privacy)]);
  pause = (datasetId: string) => this.#send("pauseDataset", [datasetId]);
  unpause = (datasetId: string) => this.#send("unpauseDataset", [datasetId]);
  withdraw = () => this.#send("withdraw", []);
  /** Adds `wei` from the wallet to the buyer's market balance (pay per run). */
  deposit = (wei: bigint) => this.#send("deposit", [], { value: wei });
  /** Sends `wei` of the buyer's unlocked market balance back to its wallet. */
  withdrawBalance = (wei: bigint) => this.#send("withdrawBalance", [wei]);
  purchaseAccess = (datasetId: string, periods: number, pricePerPeriod: bigint) =>
    this.#send("purchaseAccess", [datasetId, periods], { value: pricePerPeriod * BigInt(periods) });
}

/** A market bound to a provider (reads) or a signer (writes). */
export function marketFor(address: string, runner: Provider | Signer): Market {
  return new Market(address, runner);
}

/** A dataset as the UI holds it, read from the chain (which keeps no first timestamp: left empty). */
export function datasetFromChain(d: OnChainDataset, accessExpiresAt: number | null): Dataset {
  return {
    id: d.id,
    seller: d.seller,
    name: d.name,
    field: d.field,
    unit: d.unit,
    scale: d.scale,
    offset: d.offset.toString(),
    priceWei: d.pricePerPeriod.toString(),
    periodSeconds: d.periodSeconds,
    k: d.k,
    readingCount: d.readingCount,
    firstTimestamp: null,
    lastTimestamp: d.lastTimestamp || null,
    approvedMask: d.approvedMask,
    approvedKinds: kindsFromMask(d.approvedMask),
    paused: d.paused,
    privacy: d.privacy,
    rollups: d.rollups,
    rollupNames: rollupNames(d.rollups),
    rollupBlockSize: Number(d.rollupBlockSize),
    accessExpiresAt,
  };
}
