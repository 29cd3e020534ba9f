import { createError } from "../errors";
import type { CellKind, CellRecord } from "../store/records";

/**
 * The notebook and cell model: the rules every change to a notebook follows, whatever route or
 * import it comes from. Pure functions; the service applies them inside store transactions.
 */

/** Cell kinds: prose, or a recipe that runs against a dataset. */
export const CELL_KINDS = ["markdown", "recipe"] as const satisfies readonly CellKind[];

/** Limits that keep one notebook small enough to load and render at once. */
export const NOTEBOOK_LIMITS = {
  titleLength: 200,
  maxCells: 500,
  /** Characters of one cell's source. */
  sourceLength: 65_536,
} as const;

/** A cell as it will be stored: kind, source and dataset (null for markdown). */
export interface CellContent {
  kind: CellKind;
  source: string;
  datasetId: string | null;
}

/** A requested change of a cell: any of its kind, source or dataset. */
export interface CellChange {
  kind?: CellKind;
  source?: string;
  datasetId?: string | null;
}

/** Checks new cell content: a markdown cell has no dataset. */
export function checkCellContent(content: { kind: CellKind; source: string; datasetId?: string | null }): CellContent {
  const datasetId = content.datasetId ?? null;
  if (content.kind === "markdown" && datasetId !== null) throw createError("ERR_CELL_MARKDOWN_DATASET");
  return { kind: content.kind, source: content.source, datasetId };
}

/**
 * The stored fields a change touches. Turning a recipe cell into markdown drops its dataset;
 * giving a markdown cell (old or new) a dataset is an error.
 */
export function applyCellChange(current: Pick<CellRecord, "kind" | "datasetId">, change: CellChange): CellChange {
  const kind = change.kind ?? current.kind;
  if (kind === "markdown") {
    if (change.datasetId !== undefined && change.datasetId !== null) throw createError("ERR_CELL_MARKDOWN_DATASET");
    return { ...change, ...(current.datasetId !== null && { datasetId: null }) };
  }
  return change;
}

/** Where a new cell goes: `index` (0..count), or the end when not given. */
export function insertionIndex(index: number | undefined, count: number): number {
  if (count >= NOTEBOOK_LIMITS.maxCells) {
    throw createError("ERR_NOTEBOOK_TOO_MANY_CELLS", { params: { max: NOTEBOOK_LIMITS.maxCells } });
  }
  if (index === undefined) return count;
  if (index > count) throw createError("ERR_CELL_INDEX_OUT_OF_RANGE", { params: { index, max: count } });
  return index;
}

/** Checks the target of a move: an existing position (0..count-1). */
export function moveIndex(index: number, count: number): number {
  if (index > count - 1) throw createError("ERR_CELL_INDEX_OUT_OF_RANGE", { params: { index, max: Math.max(count - 1, 0) } });
  return index;
}
