import { privacyParamsToJson } from "@iotdm/contracts-client/wire";
import { rollupsOf } from "@iotdm/recipes";
import type { DatasetRecord } from "../store/records";
import type { RecipeDataset } from "./recipe-tooling";

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
    privacy: privacyParamsToJson(dataset.privacy, dataset.privateFrom),
    rollups: rollupsOf(dataset),
  };
}
