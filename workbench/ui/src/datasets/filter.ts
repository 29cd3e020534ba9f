/** The catalogue's search and filters, applied in the browser to the loaded datasets. Pure. */
import type { Dataset } from "../api/datasets-api";
import type { RecipeKindName } from "../lib/recipes";

/** The filters a buyer sets. */
export interface CatalogueFilter {
  /** Words to find in the name, field, unit, seller address or id. */
  q?: string;
  /** Only datasets that approve this recipe kind. */
  kind?: RecipeKindName;
  /** Only datasets the buyer has unexpired access to. */
  access?: boolean;
  sort?: "name" | "readings" | "price";
}

/** The datasets matching the filter, sorted. */
export function filterDatasets(datasets: readonly Dataset[], filter: CatalogueFilter, nowSeconds: number): Dataset[] {
  const words = (filter.q ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const matches = datasets.filter((d) => {
    const text = `${d.name} ${d.field} ${d.unit} ${d.seller} #${d.id}`.toLowerCase();
    if (!words.every((w) => text.includes(w))) return false;
    if (filter.kind && !d.approvedKinds.includes(filter.kind)) return false;
    if (filter.access && !hasAccess(d, nowSeconds)) return false;
    return true;
  });
  const by = filter.sort ?? "name";
  return matches.sort((a, b) =>
    by === "readings" ? b.readingCount - a.readingCount : by === "price" ? compareBig(a.priceWei, b.priceWei) : a.name.localeCompare(b.name),
  );
}

/** Whether the buyer's access to a dataset is current. */
export function hasAccess(dataset: Pick<Dataset, "accessExpiresAt">, nowSeconds: number): boolean {
  return typeof dataset.accessExpiresAt === "number" && dataset.accessExpiresAt > nowSeconds;
}

function compareBig(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
