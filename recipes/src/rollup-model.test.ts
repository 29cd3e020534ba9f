import { describe, expect, it } from "vitest";
import { RecipeKind } from "./catalogue";
import { HCU_TRANSACTION_LIMIT } from "./cost-model";
import { ALL_ROLLUPS, ROLLUP, largestIngestionBatch, planRolledUpSteps, rollupNames, rollupNodeCount, rollupsOf, rollupsServe, windowNodeSpans } from "./rollup-model";

describe("rollup model", () => {
  it("covers a window with nodes that tile it, at most 2 × 3 per level", () => {
    for (const [a, b] of [[0, 500_000], [1, 499_999], [3, 65], [17, 18]] as const) {
      const spans = windowNodeSpans(a, b);
      expect(spans.reduce((x, y) => x + y, 0)).toBe(b - a);
      expect(spans.length).toBeLessThanOrEqual(2 * 3 * Math.ceil(Math.log(b - a + 1) / Math.log(4)) + 1);
    }
    expect(rollupNodeCount(1, 31)).toBe(12);
  });

  it("reads a dataset's rollups from the chain's fields (datasetInfo, RollupsChosen) and names them", () => {
    expect(rollupsOf({ rollups: ROLLUP.SUM | ROLLUP.MAX, rollupBlockSize: 8n })).toEqual({ kinds: 9, blockSize: 8 });
    expect(rollupsOf({ rollups: 0, rollupBlockSize: 0 })).toEqual({ kinds: 0, blockSize: 0 });
    expect(rollupNames(ALL_ROLLUPS)).toEqual(["SUM", "SQUARES", "MIN", "MAX"]);
    expect(rollupNames(ROLLUP.SUM | ROLLUP.MIN)).toEqual(["SUM", "MIN"]);
    expect(rollupNames(0)).toEqual([]);
  });

  it("serves a program only when every op has its rollup and the window is aligned to the blocks", () => {
    const rollups = { kinds: ROLLUP.SUM | ROLLUP.MIN, blockSize: 4 };
    expect(rollupsServe(rollups, [{ kind: RecipeKind.MEAN }, { kind: RecipeKind.COUNT }, { kind: RecipeKind.MIN }], 4, 40)).toBe(true);
    expect(rollupsServe(rollups, [{ kind: RecipeKind.MAX }], 4, 40)).toBe(false);
    expect(rollupsServe(rollups, [{ kind: RecipeKind.VARIANCE }], 4, 40)).toBe(false);
    expect(rollupsServe(rollups, [{ kind: RecipeKind.COUNT_IF }], 4, 40)).toBe(false);
    expect(rollupsServe(rollups, [{ kind: RecipeKind.SUM }], 2, 40)).toBe(false);
    expect(rollupsServe(undefined, [{ kind: RecipeKind.SUM }], 0, 40)).toBe(false);
  });

  it("plans steps that fit one transaction and cover the window", () => {
    const ops = Array.from({ length: 8 }, () => ({ kind: RecipeKind.MIN }));
    const steps = planRolledUpSteps(ops, 2, 2, 1_000_000);
    expect(steps.reduce((n, s) => n + s.size, 0)).toBe(999_998);
    expect(steps.every((s) => s.hcu < HCU_TRANSACTION_LIMIT && s.size % 2 === 0)).toBe(true);
    expect(steps.at(-1)!.finalizes).toBe(true);
    expect(planRolledUpSteps([{ kind: RecipeKind.MIN }], 2, 2, 1_000_000)).toHaveLength(1);
  });

  it("finds 7 the largest batch with every rollup on, 32 with the sum alone", () => {
    expect(largestIngestionBatch(ALL_ROLLUPS, 32)).toBe(7);
    expect(largestIngestionBatch(ROLLUP.SUM, 32)).toBe(32);
  });
});
