/**
 * The dataset catalogue (workbench/server/datasets/routes.ts, schemas.ts):
 *
 *     GET /api/datasets?q&seller&field&kind&access&paused&limit&offset → Page<Dataset>
 *     GET /api/datasets/:datasetId                                     → Dataset
 *
 * A dataset mirrors the chain (`datasetInfo`, indexed from the market's events) plus the signed-in
 * caller's access expiry. Integers beyond 2^53 travel as decimal strings.
 */
import type { PrivacyParams } from "@iotdm/contracts-client";
import { privacySettingFromJson, type PrivacySettingJson } from "@iotdm/contracts-client/wire";
import { kindsFromMask, type RecipeKindName } from "../lib/recipes";
import { request, type Page } from "./http";

/** A dataset as `GET /api/datasets` shows it. */
export interface DatasetDto {
  /** uint256, decimal. */
  id: string;
  seller: string;
  name: string;
  /** What the readings measure as recipes name it, e.g. `temperature` (`value` always works too). */
  field?: string;
  unit: string;
  /** Decimals of the fixed-point encoding. */
  scale: number;
  /** int64 offset in scaled units, decimal. */
  offset: string;
  /** Price of one access period in wei, decimal. */
  priceWei: string;
  periodSeconds: number;
  /** Aggregation bucket size: windows are whole multiples of k readings. */
  k: number;
  readingCount: number;
  /** Unix seconds of the first and last reading. */
  firstTimestamp: number | null;
  lastTimestamp: number | null;
  /** Bit i = recipe kind i approved (uint16). */
  approvedMask: number;
  /** The same, by name (the service sends both). */
  approvedKinds?: RecipeKindName[];
  paused?: boolean;
  /** The signed-in caller's access: unix seconds it ends, or null without access. */
  accessExpiresAt?: number | null;
  /** Seller's view: distinct buyers so far. */
  buyerCount?: number;
  /** Seller's view: wei earned on this dataset, decimal. */
  earningsWei?: string;
  /** Free text the seller wrote, if any. */
  description?: string;
  /** Exact or private, as the service indexed it (absent in a record built from the chain). */
  privacy?: PrivacySettingJson;
}

/** A dataset with its approvals as kind names. */
export interface Dataset extends Omit<DatasetDto, "privacy"> {
  field: string;
  approvedKinds: RecipeKindName[];
  /** Exact or private, as the service indexed it or the chain says now; absent when neither told. */
  privacy?: PrivacyParams;
}

/** Normalises what the service sends. */
export function toDataset(dto: DatasetDto): Dataset {
  const { privacy, ...rest } = dto;
  return {
    ...rest,
    field: dto.field ?? "value",
    approvedKinds: dto.approvedKinds ?? kindsFromMask(dto.approvedMask),
    privacy: privacy && privacySettingFromJson(privacy),
  };
}

/** Filters of the catalogue. */
export interface DatasetSearch {
  q?: string;
  seller?: string;
  /** Only datasets that approve this recipe kind. */
  kind?: RecipeKindName;
  /** Only datasets the caller has unexpired access to. */
  access?: boolean;
  limit?: number;
  offset?: number;
}

export async function searchDatasets(search: DatasetSearch = {}): Promise<Page<Dataset>> {
  const page = await request<Page<DatasetDto>>("/datasets", { query: { ...search, limit: search.limit ?? 100 } });
  return { ...page, items: page.items.map(toDataset) };
}

export async function getDataset(id: string): Promise<Dataset> {
  return toDataset(await request<DatasetDto>(`/datasets/${encodeURIComponent(id)}`));
}

/** `GET /api/datasets/:id/budget?parts`: the signed-in buyer's privacy budget on a private dataset over equal time ranges of its private history. */
export interface BudgetPictureDto {
  datasetId: string;
  buyer: string;
  budgetMilli: number;
  privateFrom: number;
  ranges: { from: number; to: number; fromIndex: number; toIndex: number; readings: number; spentMilli: number; remainingMilli: number }[];
}

export const getBudgetPicture = (id: string, parts: number) =>
  request<BudgetPictureDto>(`/datasets/${encodeURIComponent(id)}/budget`, { query: { parts } });
