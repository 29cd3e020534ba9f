/** What the recipe checker and the editor's hover need to know about a dataset. */
import type { Dataset } from "../api/datasets-api";
import type { DatasetContext } from "../lib/recipes";

/** The checker's dataset context. */
export function checkerContext(dataset: Dataset): DatasetContext {
  return {
    field: dataset.field,
    unit: dataset.unit,
    scale: dataset.scale,
    offset: BigInt(dataset.offset),
    k: dataset.k,
    approvedKinds: dataset.approvedKinds,
  };
}
