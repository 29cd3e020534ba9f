/**
 * A buyer's privacy budget on a private dataset over time, as the contract accounts it: for each
 * time range, the most ε any reading stamped in it has spent on the buyer (`privacySpent` over the
 * range's readings, the contract's PrivacyLedger) and what that reading keeps of the seller's budget,
 * which is the most ε any run over the range can still spend.
 */
import { isPrivate } from "@iotdm/contracts-client";
import type { MarketChain } from "../chain/market-chain";
import { createError } from "../errors";
import type { Store } from "../store/store";
import { requireDataset } from "./service";

/** One time range of the budget picture. */
export interface BudgetRange {
  /** Unix seconds: readings stamped in [from, to). */
  from: number;
  to: number;
  /** The readings of the range, [fromIndex, toIndex) (private ones only: from privateFrom on). */
  fromIndex: number;
  toIndex: number;
  readings: number;
  /** The most ε (thousandths) a reading of the range has spent on the buyer; 0 without readings. */
  spentMilli: number;
  /** budget − spent: what the most-spent reading keeps. */
  remainingMilli: number;
}

/** The buyer's budget on a dataset over consecutive time ranges. */
export interface BudgetPicture {
  datasetId: string;
  buyer: string;
  budgetMilli: number;
  privateFrom: number;
  ranges: BudgetRange[];
}

/** First index whose timestamp is ≥ t (timestamps never decrease), or their count. */
function firstAtOrAfter(timestamps: readonly number[], t: number): number {
  let lo = 0;
  let hi = timestamps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timestamps[mid]! >= t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The buyer's remaining budget on `datasetId` over `parts` equal time ranges of [from, to) (default:
 * the dataset's private history, from its first private reading to its last reading).
 */
export async function budgetPicture(
  deps: { store: Store; chain: MarketChain },
  input: { datasetId: string; buyer: string; from?: number; to?: number; parts: number },
): Promise<BudgetPicture> {
  const dataset = await requireDataset(deps.store, input.datasetId);
  if (!isPrivate(dataset.privacy)) throw createError("ERR_DATASET_NOT_PRIVATE", { params: { datasetId: dataset.id } });
  const timestamps = await deps.store.datasets.readingTimestamps(dataset.id);
  const { privateFrom } = dataset;
  const budget = dataset.privacy.budget;
  const from = input.from ?? timestamps[privateFrom] ?? 0;
  const to = input.to ?? (timestamps.length > 0 ? timestamps[timestamps.length - 1]! + 1 : from + 1);
  if (to <= from) {
    throw createError("ERR_REQUEST_VALIDATION", { params: { summary: `the time range must end after it starts (to ${to} is not after from ${from})` } });
  }
  const span = to - from;
  const ranges = await Promise.all(
    Array.from({ length: input.parts }, async (_, i): Promise<BudgetRange> => {
      const start = from + Math.floor((span * i) / input.parts);
      const end = i === input.parts - 1 ? to : from + Math.floor((span * (i + 1)) / input.parts);
      const toIndex = firstAtOrAfter(timestamps, end);
      const fromIndex = Math.min(toIndex, Math.max(privateFrom, firstAtOrAfter(timestamps, start)));
      const spent = toIndex > fromIndex ? await deps.chain.privacySpent(BigInt(dataset.id), input.buyer, fromIndex, toIndex) : 0;
      return { from: start, to: end, fromIndex, toIndex, readings: toIndex - fromIndex, spentMilli: spent, remainingMilli: budget - spent };
    }),
  );
  return { datasetId: dataset.id, buyer: input.buyer, budgetMilli: budget, privateFrom, ranges };
}
