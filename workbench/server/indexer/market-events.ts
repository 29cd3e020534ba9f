import { Interface, type Log } from "ethers";
import { iotDataMarketAbi, privacyFromResult, type PrivacyParams } from "@iotdm/contracts-client";
import type { DatasetRecord } from "../store/records";

/** The market's events the catalogue follows, decoded into plain values. */
export type MarketEvent =
  | ({ type: "DatasetCreated"; datasetId: string } & Pick<DatasetRecord, "seller" | "name" | "field" | "unit" | "scale" | "offset" | "priceWei" | "periodSeconds" | "k">)
  | { type: "PriceChanged"; datasetId: string; priceWei: string }
  | { type: "BucketSizeChanged"; datasetId: string; k: number }
  | { type: "PrivacyChanged"; datasetId: string; privacy: PrivacyParams; privateFrom: number }
  | ({ type: "RollupsChosen"; datasetId: string } & Pick<DatasetRecord, "rollups" | "rollupBlockSize">)
  | { type: "DatasetPaused"; datasetId: string }
  | { type: "DatasetUnpaused"; datasetId: string }
  | { type: "ApprovedKindsChanged"; datasetId: string; approvedMask: number }
  | { type: "ReadingsAppended"; datasetId: string; firstIndex: number; timestamps: number[] }
  | { type: "AccessPurchased"; datasetId: string; buyer: string; expiresAt: number }
  | { type: "StandingAuthorizationRevoked"; digest: string; buyer: string }
  | { type: "RunStarted"; runId: string; datasetId: string }
  | { type: "RunSettled"; runId: string; sellerPaidWei: string };

/** A decoded event with where it happened. */
export type IndexedEvent = MarketEvent & { blockNumber: number; logIndex: number };

const market = new Interface(iotDataMarketAbi);

/** Topics of the events above, for one `eth_getLogs` filter (other market events are not fetched). */
export const FOLLOWED_TOPICS: string[] = [
  "DatasetCreated",
  "PriceChanged",
  "BucketSizeChanged",
  "PrivacyChanged",
  "RollupsChosen",
  "DatasetPaused",
  "DatasetUnpaused",
  "ApprovedKindsChanged",
  "ReadingsAppended",
  "AccessPurchased",
  "StandingAuthorizationRevoked",
  "RunStarted",
  "RunSettled",
].map((name) => market.getEvent(name)!.topicHash);

/** A safe integer from a uint the contract bounds (uint8..uint64); throws beyond 2^53. */
function int(value: bigint): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`${value} exceeds 2^53`);
  return number;
}

/** Decodes one of the market's logs; undefined for an event the catalogue does not follow. */
export function decodeMarketLog(log: Log): IndexedEvent | undefined {
  const parsed = market.parseLog({ topics: [...log.topics], data: log.data });
  if (!parsed) return undefined;
  const where = { blockNumber: log.blockNumber, logIndex: log.index };
  const a = parsed.args;
  switch (parsed.name) {
    case "DatasetCreated":
      return {
        type: "DatasetCreated",
        datasetId: a.datasetId.toString(),
        seller: a.seller,
        name: a.name,
        field: a.field,
        unit: a.unit,
        scale: int(a.scale),
        offset: a.offset.toString(),
        priceWei: a.pricePerPeriod.toString(),
        periodSeconds: int(a.periodSeconds),
        k: int(a.bucketSize),
        ...where,
      };
    case "PriceChanged":
      return { type: "PriceChanged", datasetId: a.datasetId.toString(), priceWei: a.pricePerPeriod.toString(), ...where };
    case "BucketSizeChanged":
      return { type: "BucketSizeChanged", datasetId: a.datasetId.toString(), k: int(a.bucketSize), ...where };
    case "PrivacyChanged":
      return {
        type: "PrivacyChanged",
        datasetId: a.datasetId.toString(),
        privacy: privacyFromResult(a.privacy),
        privateFrom: int(a.privateFrom),
        ...where,
      };
    case "RollupsChosen":
      return { type: "RollupsChosen", datasetId: a.datasetId.toString(), rollups: int(a.rollups), rollupBlockSize: int(a.blockSize), ...where };
    case "DatasetPaused":
    case "DatasetUnpaused":
      return { type: parsed.name, datasetId: a.datasetId.toString(), ...where };
    case "ApprovedKindsChanged":
      return { type: "ApprovedKindsChanged", datasetId: a.datasetId.toString(), approvedMask: int(a.approvedKinds), ...where };
    case "ReadingsAppended":
      return {
        type: "ReadingsAppended",
        datasetId: a.datasetId.toString(),
        firstIndex: int(a.firstIndex),
        timestamps: (a.timestamps as bigint[]).map(int),
        ...where,
      };
    case "AccessPurchased":
      return { type: "AccessPurchased", datasetId: a.datasetId.toString(), buyer: a.buyer, expiresAt: int(a.expiresAt), ...where };
    case "StandingAuthorizationRevoked":
      return { type: "StandingAuthorizationRevoked", digest: String(a.digest).toLowerCase(), buyer: a.buyer, ...where };
    case "RunStarted":
      return { type: "RunStarted", runId: a.runId.toString(), datasetId: a.datasetId.toString(), ...where };
    case "RunSettled":
      return { type: "RunSettled", runId: a.runId.toString(), sellerPaidWei: a.sellerPaid.toString(), ...where };
    default:
      return undefined;
  }
}
