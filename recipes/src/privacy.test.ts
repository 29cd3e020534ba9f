import { describe, expect, it } from "vitest";
import { check, type DatasetContext } from "./checker";
import { format } from "./formatter";
import { defaultEpsilonMilli, epsilonToMilli, formatEpsilon } from "./privacy";

const THERMOMETER: DatasetContext = { field: "temperature", unit: "°C", scale: 2, offset: -5000, k: 10 };
/** The demo's private thermometer: readings clamped into [−40, 60] °C, budget ε 10, ε 0.1 … 2 per statistic. */
const PRIVATE: DatasetContext = {
  ...THERMOMETER,
  privacy: { mode: "private", lowerBound: "1000", upperBound: "11000", budget: 10_000, minEpsilon: 100, maxEpsilon: 2000 },
};
const EXACT: DatasetContext = { ...THERMOMETER, privacy: { mode: "exact" } };

const recipe = (...lines: string[]) => ['from "greenhouse" window last 24h', ...lines].join("\n");

/** `line:column-endColumn code: message → suggestion` of every diagnostic. */
function problems(source: string, dataset?: DatasetContext): string[] {
  return check({ source, ...(dataset ? { dataset } : {}) }).diagnostics.map(
    (d) => `${d.line}:${d.column}-${d.endColumn} ${d.code}${d.suggestion === undefined ? "" : ` → ${JSON.stringify(d.suggestion)}`}`,
  );
}

describe("privacy: choosing ε in a recipe", () => {
  it("reads a statistic's ε, the recipe's privacy line and a parameter as ε into the IR", () => {
    const result = check({
      source: recipe("param eps = 0.25", "privacy eps", 'mean(temperature) privacy 1.5 as "Average"', "count(temperature > 30)"),
      dataset: PRIVATE,
    });
    if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
    expect(result.ir.epsilon).toBe("0.25");
    expect(result.ir.statistics.map((s) => [s.label, s.epsilon])).toEqual([
      ["Average", "1.5"],
      ["count(temperature > 30)", undefined],
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  it("formats privacy canonically: its own section, and after the call before the label", () => {
    const formatted = format(recipe("privacy   0.5", "mean( temperature )privacy 2   as \"Average\""));
    expect(formatted).toEqual({ ok: true, text: 'from "greenhouse" window last 24h\n\nprivacy 0.5\n\nmean(temperature) privacy 2 as "Average"\n' });
  });

  it("refuses an ε that is not a number from 0.001 to 5 with at most 3 decimals", () => {
    expect(problems(recipe("mean(temperature) privacy 0", "sum(temperature) privacy 0.0005", "stddev(temperature) privacy 6"))).toEqual([
      "2:27-28 invalid-epsilon",
      "3:26-32 invalid-epsilon",
      "4:29-30 invalid-epsilon",
    ]);
    expect(check({ source: recipe("mean(temperature) privacy 0.0005") }).diagnostics[0].message).toBe(
      "ε is counted in thousandths: 0.0005 has more than 3 decimals — write privacy followed by a number from 0.001 to 5, e.g. privacy 0.5",
    );
  });

  it("allows one privacy line", () => {
    expect(problems(recipe("privacy 1", "privacy 2", "mean(temperature)"))).toEqual(['3:1-10 duplicate-privacy → ""']);
  });

  it("warns that count() spends no ε and offers to remove it", () => {
    expect(problems(recipe('count() privacy 1 as "Readings"'), PRIVATE)).toEqual(['2:9-18 epsilon-not-spent → "count() as \\"Readings\\""']);
  });
});

describe("privacy: the checker against the dataset's setting", () => {
  it("refuses min, max and range on a private dataset with a histogram over its range as the quick fix", () => {
    const result = check({ source: recipe("min(temperature)", "range(value)"), dataset: PRIVATE });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => [d.code, d.line, d.column, d.endColumn, d.suggestion])).toEqual([
      ["kind-not-private", 2, 1, 17, "histogram(temperature, [-15, 10, 35])"],
      ["kind-not-private", 3, 1, 13, "histogram(value, [-15, 10, 35])"],
    ]);
    expect(result.diagnostics[0].message).toBe(
      "a private dataset does not offer min: it would reveal one reading's exact value, which no noise can hide. A noisy histogram over the dataset's range shows where the lowest readings lie: histogram(temperature, [-15, 10, 35])",
    );
  });

  it("refuses alert on a private dataset and offers the noisy count of the same condition", () => {
    expect(problems(recipe("alert(temperature > 35)"), PRIVATE)).toEqual(['2:1-24 kind-not-private → "count(temperature > 35)"']);
  });

  it("accepts min, max and alert on an exact dataset and without a setting", () => {
    expect(check({ source: recipe("min(temperature)", "alert(temperature > 35)"), dataset: EXACT }).ok).toBe(true);
    expect(check({ source: recipe("min(temperature)", "alert(temperature > 35)"), dataset: THERMOMETER }).ok).toBe(true);
  });

  it("refuses an ε outside the seller's bounds and offers the nearest bound", () => {
    expect(problems(recipe("mean(temperature) privacy 3", "sum(temperature) privacy 0.05"), PRIVATE)).toEqual([
      '2:27-28 epsilon-out-of-bounds → "2"',
      '3:26-30 epsilon-out-of-bounds → "0.1"',
    ]);
    expect(check({ source: recipe("mean(temperature) privacy 3"), dataset: PRIVATE }).diagnostics[0].message).toBe(
      "the seller allows ε from 0.1 to 2 per statistic on this dataset; 3 is above that",
    );
  });

  it("refuses any ε on an exact dataset and offers to remove it", () => {
    expect(problems(recipe("privacy 0.5", 'mean(temperature) privacy 1 as "Average"'), EXACT)).toEqual([
      '2:1-12 epsilon-not-offered → ""',
      '3:19-28 epsilon-not-offered → "mean(temperature) as \\"Average\\""',
    ]);
  });
});

describe("privacy: ε values", () => {
  it("converts written ε to thousandths and back", () => {
    expect(epsilonToMilli("0.5")).toEqual({ ok: true, milli: 500 });
    expect(epsilonToMilli("5")).toEqual({ ok: true, milli: 5000 });
    expect(epsilonToMilli("5.001")).toEqual({ ok: false, problem: "too-large" });
    expect([500, 2000, 1, 1250].map(formatEpsilon)).toEqual(["0.5", "2", "0.001", "1.25"]);
  });

  it("defaults to ε 1 moved into the seller's bounds", () => {
    expect(defaultEpsilonMilli({ minEpsilon: 100, maxEpsilon: 2000 })).toBe(1000);
    expect(defaultEpsilonMilli({ minEpsilon: 1500, maxEpsilon: 2000 })).toBe(1500);
    expect(defaultEpsilonMilli({ minEpsilon: 100, maxEpsilon: 500 })).toBe(500);
  });
});
