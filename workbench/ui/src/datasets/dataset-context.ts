/** What the recipe checker and the editor's hover need to know about a dataset. */
import type { PrivacyParams } from "@iotdm/contracts-client";
import { privacyParamsToJson } from "@iotdm/contracts-client/wire";
import type { Dataset } from "../api/datasets-api";
import type { DatasetContext, DatasetPrivacy } from "../lib/recipes";

/** A dataset's privacy setting as recipes read it (the contracts client's JSON of it); undefined while unknown: the checker then assumes nothing. */
export function recipePrivacy(privacy: PrivacyParams | undefined): DatasetPrivacy | undefined {
  // privateFrom only moves where a window starts, which the service's plan decides; the checker and the compiled program do not read it.
  return privacy && privacyParamsToJson(privacy, 0);
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
