import { type DatasetInfo, errorMessages, scheduledWindowStart } from "@iotdm/contracts-client";
import type { MarketChain } from "../chain/market-chain";
import { createError } from "../errors";
import { kindsOfMask, listKinds } from "../shared/recipe-kinds";

/**
 * The checks a run (or a schedule) passes before it is enqueued: the ones the contract makes when
 * the worker starts it, in the contract's order, against the chain's current state, so a request
 * that would be rejected never reaches the queue. Messages are the contract client's sentences.
 */

/** Largest window the contract's 32-bit encrypted counters hold. */
const MAX_WINDOW = 2 ** 32 - 1;

/** The dataset must exist (ERR_DATASET_NOT_FOUND from the chain) and not be paused. */
export async function requireOpenDataset(chain: MarketChain, datasetId: string): Promise<DatasetInfo> {
  const info = await chain.datasetInfo(BigInt(datasetId));
  if (info.paused) throw createError("ERR_DATASET_PAUSED", { params: { datasetId } });
  return info;
}

/** The buyer must hold access that has not expired at `chainTime` (or, for schedules, `until`). */
export async function requireAccess(options: { chain: MarketChain; datasetId: string; buyer: string; chainTime: number }): Promise<number> {
  const { chain, datasetId, buyer, chainTime } = options;
  const expiresAt = await chain.accessExpiry(BigInt(datasetId), buyer);
  if (expiresAt === 0) throw createError("ERR_DATASET_NO_ACCESS", { params: { buyer, datasetId } });
  if (expiresAt <= chainTime) {
    throw createError("ERR_DATASET_ACCESS_EXPIRED", { params: { buyer, datasetId, expiredAt: new Date(expiresAt * 1000).toISOString() } });
  }
  return expiresAt;
}

/** Every recipe kind the recipe needs must be approved on the dataset. */
export function requireApproved(options: { datasetId: string; approvedMask: number; requiredKinds: readonly string[] }): void {
  const approved = new Set<string>(kindsOfMask(options.approvedMask));
  const missing = options.requiredKinds.filter((kind) => !approved.has(kind));
  if (missing.length > 0) {
    throw createError("ERR_DATASET_KIND_NOT_APPROVED", {
      params: { kinds: listKinds(missing), datasetId: options.datasetId },
      details: { missingKinds: missing },
    });
  }
}

/**
 * Why the window [fromIndex, toIndex) cannot run on a dataset with `k` and `readingCount`, in the
 * contract's words, or undefined when it can.
 */
export function windowProblem(options: { fromIndex: bigint; toIndex: bigint; k: bigint; readingCount: bigint }): string | undefined {
  const { fromIndex, toIndex, k, readingCount } = options;
  if (toIndex < fromIndex || fromIndex % k !== 0n || toIndex % k !== 0n) return errorMessages.WindowNotAligned(args(fromIndex, toIndex, k));
  if (toIndex - fromIndex < k) return errorMessages.WindowTooShort(args(fromIndex, toIndex, k));
  if (toIndex > readingCount) return errorMessages.WindowBeyondReadings(args(toIndex, readingCount));
  if (toIndex - fromIndex > BigInt(MAX_WINDOW)) return errorMessages.WindowTooLong(args(toIndex - fromIndex, BigInt(MAX_WINDOW)));
  return undefined;
}

/** The sentences take an ethers `Result`; an array of the same values reads the same. */
function args(...values: bigint[]) {
  return values as unknown as Parameters<(typeof errorMessages)["WindowNotAligned"]>[0];
}

/**
 * Why a standing authorization's `fromIndex` cannot start a schedule, in words, or undefined. It
 * must name a reading that exists (reports cover the readings from there on; the UI signs the
 * start of the bucket being filled), and the first report, from there to the readings now, must
 * not be longer than a run can count.
 */
export function scheduleStartProblem(options: { fromIndex: bigint; info: Pick<DatasetInfo, "bucketSize" | "privacy" | "privateFrom" | "readingCount"> }): string | undefined {
  const { fromIndex, info } = options;
  if (fromIndex > info.readingCount) {
    return `it starts at reading ${fromIndex}, after the ${info.readingCount} readings appended so far; sign it from a reading that exists (reports cover the readings from there on).`;
  }
  const start = scheduledWindowStart(info, fromIndex);
  const length = (info.readingCount / info.bucketSize) * info.bucketSize - start;
  if (length > BigInt(MAX_WINDOW)) return errorMessages.WindowTooLong(args(length, BigInt(MAX_WINDOW)));
  return undefined;
}
