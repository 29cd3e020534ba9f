import { describe, expect, it } from "vitest";
import { RecipeKind } from "./catalogue";
import { check } from "./checker";
import type { RecipeIR } from "./ir";
import { noiseCentredCoverage, noiseCentredInterval, noiseParameters, noiseVariance, ratioToNumber } from "./noise-model";
import { PlanSchema, planToJSON } from "./plan-json";
import { plan, type Plan, type PlanDataset, type PlanResult } from "./planner";
import type { DatasetPrivacy } from "./privacy";
import { sampleDataset } from "./test-support";

const NOW = 1_800_000_000;
/** The demo's private thermometer: [−40, 60] °C (encoded 1000 … 11000 at scale 2, offset −50.00), budget ε 10, ε 0.1 … 2. */
const SETTING = { mode: "private", lowerBound: "1000", upperBound: "11000", budget: 10_000, minEpsilon: 100, maxEpsilon: 2000 } as const;
const dataset = (privacy: DatasetPrivacy = SETTING, readingCount = 300): PlanDataset => ({ ...sampleDataset({ readingCount, unit: "°C" }), privacy });

function compile(...lines: string[]): RecipeIR {
  const result = check({ source: ['from "greenhouse" window all', ...lines].join("\n") });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  return result.ir;
}

function planned(result: PlanResult): Plan {
  if (!result.ok) throw new Error(result.error.message);
  return result.plan;
}

/** The exact law of one draw: its variance and the centred 95 % (or `confidence`) half-width w + ½. */
function law(epsilonMilli: number, sensitivity: bigint, parts = 1, confidence = 0.95) {
  const { thresholds } = noiseParameters({ epsilonMilli, sensitivity, parts });
  const w = noiseCentredInterval(thresholds, confidence);
  return { thresholds, w, variance: ratioToNumber(noiseVariance(thresholds)), halfWidth: Number(w) + 0.5 };
}

describe("plan on a private dataset: ε in the ops", () => {
  it("gives each op its statistic's ε, else the recipe's, else the dataset's default; COUNT none", () => {
    const p = planned(plan({ ir: compile("privacy 0.5", "mean(temperature) privacy 2", "count(temperature > 30)", "count()"), dataset: dataset(), now: NOW }));
    expect(p.ops.map((op) => [op.kind, op.epsilon])).toEqual([
      [RecipeKind.MEAN, 2000],
      [RecipeKind.COUNT_IF, 500],
      [RecipeKind.COUNT, 0],
    ]);
    const defaulted = planned(plan({ ir: compile("mean(temperature)"), dataset: dataset(), now: NOW }));
    expect(defaulted.ops[0].epsilon).toBe(1000);
    expect(defaulted.programHash).not.toBe(planned(plan({ ir: compile("mean(temperature)"), dataset: dataset({ mode: "exact" }), now: NOW })).programHash);
  });

  it("keeps ε 0 and adds no privacy figures on an exact dataset", () => {
    const p = planned(plan({ ir: compile("mean(temperature)", "min(temperature)"), dataset: dataset({ mode: "exact" }), now: NOW }));
    expect(p.ops.map((op) => op.epsilon)).toEqual([0, 0]);
    expect(p.privacy).toBeUndefined();
  });

  it("refuses what the contract would refuse: a kind a private dataset does not offer, ε out of bounds, ε on an exact dataset", () => {
    const refused = (ir: RecipeIR, privacy: DatasetPrivacy) => {
      const result = plan({ ir, dataset: dataset(privacy), now: NOW });
      return result.ok ? "planned" : result.error.code;
    };
    expect(refused(compile("max(temperature)"), SETTING)).toBe("not-private");
    expect(refused(compile("mean(temperature) privacy 3"), SETTING)).toBe("epsilon-out-of-bounds");
    expect(refused(compile("mean(temperature) privacy 1"), { mode: "exact" })).toBe("epsilon-not-offered");
    // Centred squares over [0, 2³² − 1] vary by ~2⁶²: no 62-bit draw covers that sensitivity.
    expect(refused(compile("variance(temperature) privacy 0.1"), { ...SETTING, lowerBound: "0", upperBound: "4294967295" })).toBe("noise-too-wide");
  });

  it("starts the window at the first reading clamped since the dataset became private", () => {
    const p = planned(plan({ ir: compile("mean(temperature)"), dataset: dataset({ ...SETTING, privateFrom: 95 }), now: NOW }));
    expect(p.window).toMatchObject({ fromIndex: 100, toIndex: 300, length: 200 });
    expect(p.notes.map((n) => n.code)).toContain("private-from");
  });
});

describe("plan on a private dataset: accuracy per statistic, from the exact noise model", () => {
  const p = planned(
    plan({
      ir: compile(
        "privacy 2",
        "mean(temperature)",
        "sum(temperature) privacy 0.5",
        "count(temperature > 30)",
        "share(temperature between 18 and 24)",
        "histogram(temperature, [0, 20, 40])",
        "count()",
      ),
      dataset: dataset(),
      now: NOW,
    }),
  );
  const figures = p.privacy!.statistics;
  const n = 300;

  it("gives a mean the noise of the sum divided by n·10^scale, in the dataset's unit", () => {
    const sum = law(2000, 10_000n);
    expect(figures[0]).toMatchObject({ label: "mean(temperature)", epsilonMilli: 2000, epsilonSource: "recipe" });
    expect(figures[0].noise).toMatchObject({ unit: "°C", interval: "exact", text: "± 0.5 °C (95 %)" });
    expect(figures[0].noise!.standardDeviation).toBeCloseTo(Math.sqrt(sum.variance) / (n * 100), 12);
    expect(figures[0].noise!.halfWidth).toBe(sum.halfWidth / (n * 100));
    // The half-width is the smallest that covers 95 % around the bias-corrected estimate.
    expect(ratioToNumber(noiseCentredCoverage(sum.thresholds, sum.w))).toBeGreaterThanOrEqual(0.95);
    expect(ratioToNumber(noiseCentredCoverage(sum.thresholds, sum.w - 1n))).toBeLessThan(0.95);
  });

  it("gives a sum its own noise in the dataset's unit", () => {
    const sum = law(500, 10_000n);
    expect(figures[1]).toMatchObject({ epsilonMilli: 500, epsilonSource: "statistic" });
    expect(figures[1].noise!.halfWidth).toBe(sum.halfWidth / 100);
    expect(figures[1].noise!.standardDeviation).toBeCloseTo(Math.sqrt(sum.variance) / 100, 9);
  });

  it("gives counts, shares and histogram buckets the noise of a count in readings (sensitivity 1, 2 per bucket)", () => {
    const count = law(2000, 1n);
    const bucket = law(2000, 2n);
    expect(figures[2].noise).toMatchObject({ unit: "readings", halfWidth: count.halfWidth, text: `± ${count.halfWidth} readings (95 %)` });
    expect(figures[3].noise).toMatchObject({ unit: "%", halfWidth: (100 * count.halfWidth) / n });
    expect(figures[4].noise).toMatchObject({ unit: "readings", halfWidth: bucket.halfWidth, text: `each bucket ± ${bucket.halfWidth} readings (95 %)` });
    expect(figures[4].noise!.standardDeviation).toBeCloseTo(Math.sqrt(bucket.variance), 12);
  });

  it("spends nothing on count(), which is exact", () => {
    expect(figures[5]).toEqual({ output: 5, label: "count()", epsilonMilli: 0, epsilonSource: "none", noise: null });
  });

  it("charges the sum of the ops' ε to every reading of the window", () => {
    // mean 2 + sum 0.5 + count(> 30) 2 + share(between) 2 (another COUNT_IF) + histogram 2; count() nothing.
    expect(p.ops.map((op) => op.epsilon)).toEqual([2000, 500, 2000, 2000, 2000, 0]);
    expect(p.privacy).toMatchObject({ epsilonMilli: 8500, fromIndex: 0, toIndex: 300 });
  });

  it("bounds a conditional sum by the union of its sum's and its count's 97.5 % intervals", () => {
    const q = planned(plan({ ir: compile("sum(temperature where temperature > 30) privacy 1"), dataset: dataset(), now: NOW }));
    const sum = law(1000, 11_000n, 1, 0.975);
    const count = law(1000, 1n, 1, 0.975);
    expect(q.privacy!.statistics[0]).toMatchObject({ epsilonMilli: 2000 });
    expect(q.privacy!.statistics[0].noise).toMatchObject({ interval: "bound", halfWidth: (sum.halfWidth + 5000 * count.halfWidth) / 100 });
  });

  it("states what a conditional mean's and a variance's figures assume", () => {
    const q = planned(plan({ ir: compile("mean(temperature where temperature > 30)", "variance(temperature)", "stddev(temperature)"), dataset: dataset(), now: NOW }));
    const [meanWhere, variance, stddev] = q.privacy!.statistics.map((s) => s.noise!);
    expect(meanWhere.assumption).toMatch(/every reading of the window meets the condition/);
    expect(variance).toMatchObject({ unit: "°C²", interval: "bound" });
    expect(stddev).toMatchObject({ unit: "°C", standardDeviation: null, halfWidth: Math.sqrt(variance.halfWidth!) });
  });
});

describe("plan on a private dataset: the buyer's budget", () => {
  const ir = compile("mean(temperature) privacy 2", "count(temperature > 30) privacy 1");

  it("says what the window keeps after the run and how many more such runs fit", () => {
    const p = planned(plan({ ir, dataset: dataset(), now: NOW, privacySpent: 3000 }));
    expect(p.privacy!.budget).toEqual({
      budgetMilli: 10_000,
      spentMilli: 3000,
      remainingAfterMilli: 4000,
      exceeded: false,
      runsAfter: 1,
      text: "This run spends ε 3 on readings 0 to 299; ε 4 of your budget of ε 10 will be left on them (1 more run like this one).",
    });
  });

  it("says when the contract will refuse the run", () => {
    const p = planned(plan({ ir, dataset: dataset(), now: NOW, privacySpent: 8000 }));
    expect(p.privacy!.budget).toMatchObject({ remainingAfterMilli: -1000, exceeded: true, runsAfter: 0 });
    expect(p.privacy!.budget.text).toMatch(/only ε 2 is left .* the contract will refuse it/);
  });

  it("leaves the spent ε unknown without privacySpent", () => {
    expect(planned(plan({ ir, dataset: dataset(), now: NOW })).privacy!.budget).toMatchObject({ spentMilli: null, remainingAfterMilli: null, runsAfter: null, exceeded: false });
  });

  it("tells a schedule that its consecutive reports each spend only their own readings", () => {
    const scheduled = planned(plan({ ir, dataset: dataset(), now: NOW, scheduled: true }));
    expect(scheduled.privacy!.schedule).toMatchObject({ epsilonPerReportMilli: 3000, reportsAllowed: null, leftPerReadingMilli: 7000 });
    const tooMuch = planned(plan({ ir, dataset: dataset({ ...SETTING, budget: 2500 }), now: NOW, scheduled: true }));
    expect(tooMuch.privacy!.schedule).toMatchObject({ reportsAllowed: 0 });
    expect(planned(plan({ ir, dataset: dataset(), now: NOW })).privacy!.schedule).toBeUndefined();
  });

  it("round-trips its figures through the plan's JSON", () => {
    const p = planned(plan({ ir, dataset: dataset(), now: NOW, privacySpent: 1000, scheduled: true }));
    const json = JSON.parse(JSON.stringify(planToJSON(p)));
    expect(json.privacy.lowerBound).toBe("1000");
    expect(PlanSchema.parse(json)).toEqual(p);
  });
});
