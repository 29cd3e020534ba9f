import { describe, expect, it } from "vitest";
import { Comparator, RecipeKind, type ComparatorCode, type RecipeKindCode } from "./catalogue";
import {
  HCU_TRANSACTION_LIMIT,
  maxStepSize,
  opStepHcu,
  planSteps,
  predicateHcu,
  stepHcu,
  UNBOUNDED_STEP,
  usesEuint8Counters,
  type CostedOp,
} from "./cost-model";

const op = (kind: RecipeKindCode, cmp: ComparatorCode = Comparator.GT, bounds = 0): CostedOp => ({
  kind,
  cmp,
  bounds: Array.from({ length: bounds }, (_, i) => BigInt(i)),
});

const K = RecipeKind;
const C = Comparator;

describe("cost model formulas (the interface's table, op by op)", () => {
  it.each([
    ["COUNT, not finalising", op(K.COUNT), 100, false, 0],
    ["COUNT, finalising: one trivial encryption", op(K.COUNT), 100, true, 32],
    ["SUM: n euint64 adds", op(K.SUM), 10, false, 10 * 162_000],
    ["MEAN: same as SUM", op(K.MEAN), 10, true, 10 * 162_000],
    ["MIN: n mins", op(K.MIN), 10, false, 10 * 219_000],
    ["MAX: n maxes", op(K.MAX), 10, false, 10 * 218_000],
    ["COUNT_IF >: compare, cast, euint8 tree, cast, euint32 merge", op(K.COUNT_IF, C.GT), 10, false, 10 * (117_000 + 32) + 9 * 88_000 + 32 + 125_000],
    ["COUNT_IF between: two compares and an and", op(K.COUNT_IF, C.BETWEEN), 10, false, 10 * (260_000 + 32) + 9 * 88_000 + 32 + 125_000],
    ["SUM_IF <=: compare, select, add, one trivial zero", op(K.SUM_IF, C.LE), 10, false, 10 * (119_000 + 55_000) + 32 + 10 * 162_000],
    ["HISTOGRAM of 3 bounds: three >= counters", op(K.HISTOGRAM, C.GT, 3), 10, false, 3 * (10 * (116_000 + 32) + 9 * 88_000 + 32 + 125_000)],
    ["HISTOGRAM finalising: plus 3 euint32 subs and a trivial n", op(K.HISTOGRAM, C.GT, 3), 10, true, 3 * (10 * (116_000 + 32) + 9 * 88_000 + 32 + 125_000) + 3 * 125_000 + 32],
    ["VARIANCE: mul and two adds per reading", op(K.VARIANCE), 10, false, 10 * (596_000 + 162_000 + 162_000)],
    ["ALERT <: compare and an ebool or", op(K.ALERT, C.LT), 10, false, 10 * (118_000 + 24_000)],
  ] as const)("%s", (_name, costed, n, finalizes, expected) => {
    expect(opStepHcu(costed, n, finalizes)).toBe(expected);
  });

  it("prices each comparator", () => {
    expect([C.GT, C.GE, C.LT, C.LE, C.BETWEEN].map((c) => predicateHcu(c))).toEqual([117_000, 116_000, 118_000, 119_000, 260_000]);
  });

  it("adds the ops of a program", () => {
    const program = [op(K.SUM), op(K.MIN), op(K.COUNT)];
    expect(stepHcu(program, 5, true)).toBe(5 * 162_000 + 5 * 219_000 + 32);
  });

  it("costs nothing for a step of no readings, as the contract says", () => {
    expect(stepHcu([op(K.SUM), op(K.COUNT)], 0, true)).toBe(0);
    expect(() => stepHcu([op(K.SUM)], 1.5, false)).toThrow(RangeError);
  });
});

describe("maxStepSize", () => {
  it.each([
    ["SUM", [op(K.SUM)], 123],
    ["MEAN", [op(K.MEAN)], 123],
    ["MIN", [op(K.MIN)], 91],
    ["MAX", [op(K.MAX)], 91],
    ["COUNT_IF >", [op(K.COUNT_IF, C.GT)], 97],
    ["COUNT_IF between", [op(K.COUNT_IF, C.BETWEEN)], 57],
    ["SUM_IF >", [op(K.SUM_IF, C.GT)], 59],
    ["HISTOGRAM of 5 bounds", [op(K.HISTOGRAM, C.GT, 5)], 19],
    ["VARIANCE", [op(K.VARIANCE)], 21],
    ["ALERT >", [op(K.ALERT, C.GT)], 141],
    ["mean + max + count", [op(K.MEAN), op(K.MAX), op(K.COUNT)], 52],
  ])("is the largest step under 20M HCU for %s", (_name, program, expected) => {
    expect(maxStepSize(program, false)).toBe(expected);
  });

  it("leaves room for the finalize cost in the last step", () => {
    const histogram = [op(K.HISTOGRAM, C.GT, 5)];
    expect(maxStepSize(histogram, false)).toBe(19);
    expect(maxStepSize(histogram, true)).toBe(18);
  });

  it("is exactly the boundary of stepHcu < 20M for every kind, comparator and mix", () => {
    const programs: CostedOp[][] = [];
    for (const kind of Object.values(K)) for (const cmp of Object.values(C)) programs.push([op(kind, cmp, kind === K.HISTOGRAM ? 1 + cmp : 0)]);
    programs.push([op(K.MEAN), op(K.COUNT_IF, C.BETWEEN), op(K.HISTOGRAM, C.GT, 4), op(K.ALERT, C.GE)]);
    programs.push([op(K.VARIANCE), op(K.MIN), op(K.MAX), op(K.SUM_IF, C.LT), op(K.COUNT_IF, C.LT)]);
    for (const program of programs) {
      for (const finalizes of [false, true]) {
        const n = maxStepSize(program, finalizes);
        if (n === UNBOUNDED_STEP) continue;
        expect(n).toBeGreaterThan(0);
        expect(stepHcu(program, n, finalizes)).toBeLessThan(HCU_TRANSACTION_LIMIT);
        if (n < 255 || !usesEuint8Counters(program)) {
          expect(stepHcu(program, n + 1, finalizes)).toBeGreaterThanOrEqual(HCU_TRANSACTION_LIMIT);
        }
      }
    }
  });

  it("has no HCU bound for a program that only counts the window", () => {
    expect(maxStepSize([op(K.COUNT)], true)).toBe(UNBOUNDED_STEP);
  });

  it("is 0 when not even one reading fits", () => {
    const heavy = Array.from({ length: 8 }, () => op(K.HISTOGRAM, C.GT, 8));
    expect(maxStepSize(heavy, true)).toBe(0);
  });

  it("knows which programs count in euint8 trees", () => {
    expect(usesEuint8Counters([op(K.SUM), op(K.HISTOGRAM, C.GT, 2)])).toBe(true);
    expect(usesEuint8Counters([op(K.SUM), op(K.ALERT)])).toBe(false);
  });
});

describe("planSteps", () => {
  it("runs a window that fits the last step in one transaction", () => {
    expect(planSteps({ ops: [op(K.SUM)], length: 100 })).toEqual({ ok: true, steps: [{ size: 100, finalizes: true, hcu: 100 * 162_000 }] });
  });

  it("fills every step but the last to the budget", () => {
    const result = planSteps({ ops: [op(K.SUM)], length: 1000 });
    expect(result.ok && result.steps.map((s) => s.size)).toEqual([123, 123, 123, 123, 123, 123, 123, 123, 16]);
  });

  it("takes one more step when the finalize cost pushes the last chunk over the budget", () => {
    const histogram = [op(K.HISTOGRAM, C.GT, 5)];
    // 19 readings fit a non-finalising step but only 18 a finalising one.
    const result = planSteps({ ops: histogram, length: 19 });
    expect(result.ok && result.steps).toEqual([
      { size: 18, finalizes: false, hcu: stepHcu(histogram, 18, false) },
      { size: 1, finalizes: true, hcu: stepHcu(histogram, 1, true) },
    ]);
    const fits = planSteps({ ops: histogram, length: 18 });
    expect(fits.ok && fits.steps.map((s) => s.size)).toEqual([18]);
  });

  it("uses the fewest transactions possible, for any length and program", () => {
    const programs = [
      [op(K.MEAN)],
      [op(K.HISTOGRAM, C.GT, 8)],
      [op(K.VARIANCE), op(K.COUNT)],
      [op(K.MIN), op(K.MAX), op(K.COUNT_IF, C.BETWEEN), op(K.SUM_IF, C.GE), op(K.ALERT, C.LE)],
    ];
    for (const program of programs) {
      const full = maxStepSize(program, false);
      const last = maxStepSize(program, true);
      for (const length of [1, 2, last - 1, last, last + 1, full, full + 1, 2 * full, 2 * full + last, 1234, 10_000]) {
        if (length < 1) continue;
        const result = planSteps({ ops: program, length });
        if (!result.ok) throw new Error("unexpected");
        const { steps } = result;
        const t = steps.length;
        expect(steps.reduce((sum, s) => sum + s.size, 0)).toBe(length);
        expect(steps.map((s) => s.finalizes)).toEqual([...Array(t - 1).fill(false), true]);
        steps.forEach((s) => {
          expect(s.size).toBeGreaterThan(0);
          expect(s.size).toBeLessThanOrEqual(s.finalizes ? last : full);
          expect(s.hcu).toBe(stepHcu(program, s.size, s.finalizes));
          expect(s.hcu).toBeLessThan(HCU_TRANSACTION_LIMIT);
        });
        // Minimal: t − 1 steps can never hold the window.
        expect((t - 2) * full + last).toBeLessThan(length);
      }
    }
  });

  it("refuses a program that cannot take a single reading", () => {
    const heavy = Array.from({ length: 8 }, () => op(K.HISTOGRAM, C.GT, 8));
    expect(planSteps({ ops: heavy, length: 10 })).toEqual({ ok: false, hcuForOneReading: stepHcu(heavy, 1, true) });
  });
});
