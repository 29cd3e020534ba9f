import { describe, expect, it } from "vitest";
import { Comparator, RecipeKind, op } from "@iotdm/contracts-client";
import { noiseUnitCosts, planNoiseCalls } from "./noise-plan";

const RANGE = { lowerBound: 1000n, upperBound: 11000n };

describe("noise calls", () => {
  it("packs a private run's noise units into as few addNoise calls as the HCU limit allows, in order", () => {
    // The program of worker/test/private-runs.test.ts, where the contract took 4 units, then 1.
    const ops = [
      op({ kind: RecipeKind.SUM, epsilon: 100 }),
      op({ kind: RecipeKind.MEAN, epsilon: 100 }),
      op({ kind: RecipeKind.SUM_IF, cmp: Comparator.LT, a: 7000n, epsilon: 100 }),
      op({ kind: RecipeKind.VARIANCE, epsilon: 200 }),
    ];
    const costs = noiseUnitCosts({ ops, ...RANGE });
    expect(costs).toHaveLength(5);
    expect(planNoiseCalls({ costs, from: 0 })).toEqual([4, 1]);
    expect(planNoiseCalls({ costs, from: 4 })).toEqual([1]);
    expect(planNoiseCalls({ costs, from: 5 })).toEqual([]);
  });

  it("has no unit for COUNT and one call for a small program", () => {
    const ops = [op({ kind: RecipeKind.COUNT }), op({ kind: RecipeKind.MEAN, epsilon: 2000 }), op({ kind: RecipeKind.COUNT_IF, a: 7000n, epsilon: 2000 })];
    const costs = noiseUnitCosts({ ops, ...RANGE });
    expect(costs).toHaveLength(2);
    expect(planNoiseCalls({ costs, from: 0 })).toEqual([2]);
  });

  it("sends a unit that alone exceeds the limit by itself (the contract then says why)", () => {
    expect(planNoiseCalls({ costs: [5_000_000, 25_000_000, 1], from: 0 })).toEqual([1, 1, 1]);
  });
});
