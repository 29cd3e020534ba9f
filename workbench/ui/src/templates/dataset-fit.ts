/**
 * Whether a template, forked onto a dataset, would run there: the checker's errors for the forked
 * recipe against the dataset (a statistic a private dataset does not offer, a recipe type its seller
 * has not approved, ε outside its bounds), said before the fork rather than after it.
 */
import { isPrivate } from "@iotdm/contracts-client";
import type { Dataset } from "../api/datasets-api";
import { checkerContext } from "../datasets/dataset-context";
import { check, forkRecipe } from "../lib/recipes";

/** What forking a template onto a dataset gives. */
export type DatasetFit =
  | { fits: true; /** Its results carry noise (a private dataset). */ noisy: boolean }
  | { fits: false; /** The checker's sentences, one per problem. */ reasons: string[] };

/** How the template `source` fits `dataset` (its `from` line and field replaced as the fork does). */
export function templateFit(source: string, dataset: Dataset): DatasetFit {
  const forked = forkRecipe({ source, dataset: dataset.name, field: dataset.field });
  const checked = forked.ok ? check({ source: forked.source, dataset: checkerContext(dataset) }) : forked;
  const reasons = [...new Set(checked.diagnostics.filter((d) => d.severity === "error").map((d) => d.message))];
  if (reasons.length > 0) return { fits: false, reasons };
  return { fits: true, noisy: dataset.privacy !== undefined && isPrivate(dataset.privacy) };
}
