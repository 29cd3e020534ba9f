/** What the recipe checker and the editor's hover need to know about a dataset. */
import { PrivacyMode, type PrivacyParams } from "@iotdm/contracts-client";
import type { Dataset } from "../api/datasets-api";
import type { DatasetContext, DatasetPrivacy } from "../lib/recipes";

/** A dataset's privacy setting as recipes read it (undefined while unknown: the checker then assumes nothing). */
export function recipePrivacy(privacy: PrivacyParams | undefined): DatasetPrivacy | undefined {
  if (!privacy) return undefined;
  if (privacy.mode !== PrivacyMode.PRIVATE) return { mode: "exact" };
  const { lowerBound, upperBound, budget, minEpsilon, maxEpsilon } = privacy;
  return { mode: "private", lowerBound, upperBound, budget, minEpsilon, maxEpsilon };
}

/** The checker's dataset context. */
export function checkerContext(dataset: Dataset): DatasetContext {
  const privacy = recipePrivacy(dataset.privacy);
  return {
    field: dataset.field,
    unit: dataset.unit,
    scale: dataset.scale,
    offset: BigInt(dataset.offset),
    k: dataset.k,
    approvedKinds: dataset.approvedKinds,
    ...(privacy ? { privacy } : {}),
  };
}
