import { describe, expect, it } from "vitest";
import { Comparator, RecipeKind, noiseUnits, op } from "@iotdm/contracts-client";
import { unitSensitivity } from "@iotdm/recipes";
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

describe("the noise the plan's figures assume", () => {
  it("is the noise the contract draws: recipes' unitSensitivity equals the contracts client's noiseUnits, unit for unit", () => {
    const ops = [
      op({ kind: RecipeKind.SUM, epsilon: 100 }),
      op({ kind: RecipeKind.MEAN, epsilon: 200 }),
      op({ kind: RecipeKind.COUNT_IF, a: 7000n, epsilon: 300 }),
      op({ kind: RecipeKind.SUM_IF, cmp: Comparator.LT, a: 7000n, epsilon: 400 }),
      op({ kind: RecipeKind.HISTOGRAM, bounds: [3000n, 6000n], epsilon: 500 }),
      op({ kind: RecipeKind.VARIANCE, epsilon: 600 }),
    ];
    const units = noiseUnits(ops, { lowerBound: 1001n, upperBound: 11000n });
    expect(units).toHaveLength(9);
    for (const unit of units) {
      expect(unitSensitivity(unit.kind, unit.part, { lowerBound: 1001n, upperBound: 11000n }), `${RecipeKind[unit.kind]} part ${unit.part}`).toEqual({
        sensitivity: unit.sensitivity,
        parts: unit.parts,
      });
    }
  });
});
