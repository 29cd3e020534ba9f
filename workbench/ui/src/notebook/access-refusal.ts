/**
 * A run refused because the buyer has no (or no longer) access to the dataset, said with the
 * dataset's name rather than the service's address-and-id sentence, so that the cell can offer to
 * buy access right there. Pure.
 */
import type { Dataset } from "../api/datasets-api";

/** The service's codes for a buyer without current access. */
const ACCESS_CODES = new Set(["ERR_DATASET_NO_ACCESS", "ERR_DATASET_ACCESS_EXPIRED"]);

/** Whether an error code means "buy access first". */
export function isAccessRefusal(code: string | undefined): boolean {
  return code !== undefined && ACCESS_CODES.has(code);
}

/** The refusal in words, naming the dataset. */
export function accessRefusalMessage(code: string, dataset: Pick<Dataset, "id" | "name">): string {
  const named = `${dataset.name} (dataset #${dataset.id})`;
  return code === "ERR_DATASET_ACCESS_EXPIRED"
    ? `Your access to ${named} has ended; buy another period to run recipes on it.`
    : `You have no access to ${named} yet; buy an access period to run recipes on it.`;
}
