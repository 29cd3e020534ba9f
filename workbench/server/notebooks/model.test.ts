import { describe, expect, it } from "vitest";
import { isAppError } from "../errors";
import { applyCellChange, checkCellContent, insertionIndex, moveIndex, NOTEBOOK_LIMITS } from "./model";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return isAppError(error) ? error.code : "not an AppError";
  }
  return "no error";
};

describe("cell model", () => {
  it("rejects a dataset on a markdown cell", () => {
    expect(codeOf(() => checkCellContent({ kind: "markdown", source: "# x", datasetId: "1" }))).toBe("ERR_CELL_MARKDOWN_DATASET");
    expect(checkCellContent({ kind: "recipe", source: "mean(x)" })).toEqual({ kind: "recipe", source: "mean(x)", datasetId: null });
  });

  it("drops the dataset when a recipe cell becomes markdown", () => {
    expect(applyCellChange({ kind: "recipe", datasetId: "4" }, { kind: "markdown" })).toEqual({ kind: "markdown", datasetId: null });
    expect(applyCellChange({ kind: "markdown", datasetId: null }, { source: "x" })).toEqual({ source: "x" });
    expect(codeOf(() => applyCellChange({ kind: "markdown", datasetId: null }, { datasetId: "4" }))).toBe("ERR_CELL_MARKDOWN_DATASET");
    expect(applyCellChange({ kind: "markdown", datasetId: null }, { kind: "recipe", datasetId: "4" })).toEqual({ kind: "recipe", datasetId: "4" });
  });

  it("appends by default and refuses indices past the end", () => {
    expect(insertionIndex(undefined, 3)).toBe(3);
    expect(insertionIndex(0, 3)).toBe(0);
    expect(insertionIndex(3, 3)).toBe(3);
    expect(codeOf(() => insertionIndex(4, 3))).toBe("ERR_CELL_INDEX_OUT_OF_RANGE");
    expect(codeOf(() => insertionIndex(0, NOTEBOOK_LIMITS.maxCells))).toBe("ERR_NOTEBOOK_TOO_MANY_CELLS");
  });

  it("moves only to an existing position", () => {
    expect(moveIndex(2, 3)).toBe(2);
    expect(codeOf(() => moveIndex(3, 3))).toBe("ERR_CELL_INDEX_OUT_OF_RANGE");
  });
});
