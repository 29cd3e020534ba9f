/**
 * The dataset catalogue (workbench/server/datasets/routes.ts, schemas.ts):
 *
 *     GET /api/datasets?q&seller&field&kind&access&paused&limit&offset → Page<Dataset>
 *     GET /api/datasets/:datasetId                                     → Dataset
 *
 * A dataset mirrors the chain (`datasetInfo`, indexed from the market's events) plus the signed-in
 * caller's access expiry. Integers beyond 2^53 travel as decimal strings.
 */
import type { z } from "zod";
import type { PrivacyParams } from "@iotdm/contracts-client";
import { privacyParamsFromJson } from "@iotdm/contracts-client/wire";
import type { BudgetPicture, Dataset as DatasetSchema } from "../../../server/datasets/schemas";
import type { RecipeKindName } from "../lib/recipes";
import { request, type Page } from "./http";

/** A dataset as `GET /api/datasets` sends it: the output of the service's own schema, the one definition of the shape. */
export type DatasetDto = z.output<typeof DatasetSchema>;

/**
 * A dataset as the UI holds it: the catalogue's record with its privacy setting as the contract's
 * `PrivacyParams`, from the service or read from the chain (which knows no index blocks).
 */
export interface Dataset extends Omit<DatasetDto, "privacy" | "createdBlock" | "updatedBlock" | "runEarnings"> {
  privacy: PrivacyParams;
}

/** What the UI holds of what the service sends (the seller's run earnings are read apart: {@link runEarningsOf}). */
export function toDataset(dto: DatasetDto): Dataset {
  const { privacy, createdBlock: _created, updatedBlock: _updated, runEarnings: _earnings, ...rest } = dto;
  return { ...rest, privacy: privacyParamsFromJson(privacy) };
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

/** A dataset's settled runs and the seller's share of them, as the service indexed them from RunSettled. */
export type RunEarnings = DatasetDto["runEarnings"];

/** The run earnings of every dataset of `seller`, by dataset id (the chain names no dataset in a settlement: the service joins it). */
export async function runEarningsOf(seller: string): Promise<Map<string, RunEarnings>> {
  const page = await request<Page<DatasetDto>>("/datasets", { query: { seller, limit: 100 } });
  return new Map(page.items.map((dto) => [dto.id, dto.runEarnings]));
}

export async function getDataset(id: string): Promise<Dataset> {
  return toDataset(await request<DatasetDto>(`/datasets/${encodeURIComponent(id)}`));
}

/** `GET /api/datasets/:id/budget?parts`: the signed-in buyer's privacy budget on a private dataset over equal time ranges of its private history (the output of the service's schema). */
export type BudgetPictureDto = z.output<typeof BudgetPicture>;

export const getBudgetPicture = (id: string, parts: number) =>
  request<BudgetPictureDto>(`/datasets/${encodeURIComponent(id)}/budget`, { query: { parts } });
