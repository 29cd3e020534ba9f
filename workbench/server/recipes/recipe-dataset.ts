import { isPrivate, type PrivacyParams } from "@iotdm/contracts-client";
import type { DatasetRecord } from "../store/records";
import type { RecipeDataset, RecipeDatasetPrivacy } from "./recipe-tooling";

/** A catalogue row as the recipe tooling reads it. */
export function recipeDatasetOf(dataset: DatasetRecord): RecipeDataset {
  return {
    id: dataset.id,
    field: dataset.field,
    unit: dataset.unit,
    scale: dataset.scale,
    offset: dataset.offset,
    k: dataset.k,
    approvedMask: dataset.approvedMask,
    privacy: recipePrivacyOf(dataset.privacy, dataset.privateFrom),
  };
}

/** A privacy setting (the contract's `PrivacyParams` and `privateFrom`) as the recipe tooling reads it. */
export function recipePrivacyOf(privacy: PrivacyParams, privateFrom: number | bigint): RecipeDatasetPrivacy {
  if (!isPrivate(privacy)) return { mode: "exact" };
  return {
    mode: "private",
    lowerBound: privacy.lowerBound.toString(),
    upperBound: privacy.upperBound.toString(),
    budget: privacy.budget,
    minEpsilon: privacy.minEpsilon,
    maxEpsilon: privacy.maxEpsilon,
    privateFrom: Number(privateFrom),
  };
}
