import { AbiCoder, keccak256 } from "ethers";
import { describe, expect, it } from "vitest";
import { Comparator, RecipeKind } from "./catalogue";
import { check, type DatasetContext } from "./checker";
import { maxStepSize, stepHcu } from "./cost-model";
import type { RecipeIR } from "./ir";
import { PlanSchema, planToJSON } from "./plan-json";
import { plan, type Plan, type PlanDataset, type PlanResult } from "./planner";
import { PROGRAM_ABI_TYPE } from "./program";
import { sampleDataset } from "./test-support";

const THERMOMETER: DatasetContext = { field: "temperature", unit: "°C", scale: 2, offset: -5000, k: 10 };
const NOW = 1_800_000_000;

function compile(source: string, dataset: DatasetContext | null = THERMOMETER): RecipeIR {
  const result = check({ source, ...(dataset ? { dataset } : {}) });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  return result.ir;
}

function planned(result: PlanResult): Plan {
  if (!result.ok) throw new Error(result.error.message);
  return result.plan;
}

const recipe = (window: string, ...statistics: string[]) => [`from "greenhouse" window ${window}`, ...statistics].join("\n");

/** Plans `mean(temperature)` over a window of a dataset of one reading every 10 s ending at NOW. */
function window(windowText: string, dataset: PlanDataset, previousReportEnd?: number): PlanResult {
  return plan({ ir: compile(recipe(windowText, "mean(temperature)")), dataset, now: NOW, ...(previousReportEnd === undefined ? {} : { previousReportEnd }) });
}

describe("plan: windows aligned to k", () => {
  it("covers all readings of whole buckets and explains the incomplete one", () => {
    const p = planned(window("all", sampleDataset({ readingCount: 1005 })));
    expect(p.window).toMatchObject({ fromIndex: 0, toIndex: 1000, length: 1000, requestedFrom: 0, requestedTo: 1005 });
    expect(p.notes).toEqual([
      {
        code: "aligned",
        message:
          "The recipe asks for all readings: 1,005 readings (indices 0 to 1004). Windows must start and end on whole buckets of 10 readings (the seller's privacy rule), so this run covers 1,000 readings (indices 0 to 999): 5 left out at the end (their bucket is not complete yet; a later run covers them).",
      },
    ]);
  });

  it("adds no note when the window is already aligned", () => {
    expect(planned(window("all", sampleDataset({ readingCount: 1000 }))).notes).toEqual([]);
  });

  it("fails with a reason when not one whole bucket fits", () => {
    expect(window("all", sampleDataset({ readingCount: 9 }))).toEqual({
      ok: false,
      error: {
        code: "window-too-short",
        message:
          "The recipe asks for all readings: 9 readings (indices 0 to 8). This dataset only runs windows of whole buckets of 10 readings, and not one whole bucket fits. Choose a longer window or wait for more readings.",
      },
    });
  });

  it("takes the most recent whole buckets for a count window", () => {
    const p = planned(window("last 500 readings", sampleDataset({ readingCount: 1005 })));
    expect(p.window).toMatchObject({ fromIndex: 500, toIndex: 1000, length: 500 });
    expect(p.notes[0].message).toContain("5 earlier ones added at the start, 5 left out at the end");
  });

  it("rounds a count window down to whole buckets", () => {
    expect(planned(window("last 505 readings", sampleDataset({ readingCount: 2000 }))).window).toMatchObject({ fromIndex: 1500, toIndex: 2000 });
  });

  it("clamps a count window to the readings there are", () => {
    const p = planned(window("last 5000 readings", sampleDataset({ readingCount: 1234 })));
    expect(p.window).toMatchObject({ fromIndex: 0, toIndex: 1230 });
    expect(p.notes.map((n) => n.code)).toEqual(["clamped", "aligned"]);
    expect(p.notes[0].message).toBe("The dataset holds only 1,234 readings, fewer than the 5,000 asked for.");
  });

  it("selects a duration window by timestamp, (now − d, now], then shrinks it to whole buckets", () => {
    // One reading every 10 s, the last at NOW: the last 24 h hold the last 8,640 readings.
    const dataset = sampleDataset({ readingCount: 10_005 });
    const p = planned(window("last 24h", dataset));
    expect(p.window).toEqual({
      fromIndex: 1370,
      toIndex: 10_000,
      length: 8630,
      requestedFrom: 1365,
      requestedTo: 10_005,
      firstTimestamp: dataset.timestamps[1370],
      lastTimestamp: dataset.timestamps[9999],
    });
    expect(dataset.timestamps[1365]).toBe(NOW - 86_400 + 10);
    expect(p.notes[0].message).toMatch(/^The recipe asks for the readings stamped after 2027-01-14T08:00:00Z up to 2027-01-15T08:00:00Z \(the last 1 day\): 8,640 readings/);
  });

  it("ignores readings stamped after now", () => {
    const dataset = sampleDataset({ readingCount: 1000, end: NOW + 100 });
    expect(planned(window("last 30m", dataset)).window).toMatchObject({ requestedFrom: 810, requestedTo: 990 });
  });

  it("selects a date range [from, to) by timestamp", () => {
    // Readings every hour from 2026-11-01T00:00Z: the day of Nov 2 is readings 24..47.
    const start = Date.UTC(2026, 10, 1) / 1000;
    const dataset = { ...sampleDataset({ readingCount: 72, k: 4, interval: 3600, end: start + 71 * 3600 }) };
    const p = planned(window("from 2026-11-02 to 2026-11-03", dataset));
    expect(p.window).toMatchObject({ fromIndex: 24, toIndex: 48, requestedFrom: 24, requestedTo: 48 });
    const partial = planned(window("from 2026-11-02T01:30 to 2026-11-02T10:00", dataset));
    expect(partial.window).toMatchObject({ requestedFrom: 26, requestedTo: 34, fromIndex: 28, toIndex: 32 });
  });

  it("handles readings with irregular timestamps and gaps", () => {
    const timestamps = [0, 5, 5, 5, 60, 61, 62, 100, 100, 101, 200, 300];
    const dataset: PlanDataset = { id: 3, scale: 0, offset: 0, k: 2, readingCount: 12, timestamps };
    const p = planned(plan({ ir: compile(recipe("from 1970-01-01T00:00:05Z to 1970-01-01T00:01:41Z", "mean(value)"), null), dataset, now: NOW }));
    // t in [5, 101): indices 1..8; aligned to k = 2: [2, 8).
    expect(p.window).toMatchObject({ requestedFrom: 1, requestedTo: 9, fromIndex: 2, toIndex: 8 });
  });

  it("needs timestamps for a time window", () => {
    const { timestamps: _, ...dataset } = sampleDataset({ readingCount: 100 });
    expect(window("last 24h", dataset)).toEqual({
      ok: false,
      error: { code: "missing-timestamps", message: "a time window needs the readings' timestamps" },
    });
  });

  it("continues since the last report's window", () => {
    const p = planned(window("since last report", sampleDataset({ readingCount: 1005 }), 600));
    expect(p.window).toMatchObject({ fromIndex: 600, toIndex: 1000 });
  });

  it("starts at the first reading when there was no report yet", () => {
    const p = planned(window("since last report", sampleDataset({ readingCount: 100 })));
    expect(p.window).toMatchObject({ fromIndex: 0, toIndex: 100 });
    expect(p.notes).toEqual([{ code: "no-previous-report", message: "There is no previous report yet, so the window starts at the first reading." }]);
  });

  it("fails when no whole bucket arrived since the last report", () => {
    const result = window("since last report", sampleDataset({ readingCount: 1005 }), 1000);
    expect(!result.ok && result.error.code).toBe("window-too-short");
  });

  it("rejects a previous report that ends beyond the dataset", () => {
    expect(window("since last report", sampleDataset({ readingCount: 100 }), 200)).toMatchObject({ ok: false, error: { code: "invalid-dataset" } });
  });

  it("rejects inconsistent dataset metadata", () => {
    expect(window("all", { ...sampleDataset({ readingCount: 100 }), k: 0 })).toMatchObject({ ok: false, error: { code: "invalid-dataset" } });
    expect(window("all", { ...sampleDataset({ readingCount: 100 }), timestamps: [1, 2] })).toMatchObject({ ok: false, error: { code: "invalid-dataset" } });
  });
});

describe("plan: the program", () => {
  const dataset = sampleDataset({ readingCount: 1000 });

  it("converts constants with the dataset's scale and offset, exactly", () => {
    const p = planned(
      plan({
        ir: compile(
          recipe(
            "all",
            "count(temperature > 30)",
            "count(temperature between -12.5 and 24)",
            "sum(temperature where temperature <= -50)",
            "histogram(temperature, [-10, 0, 10.25])",
            "alert(temperature >= 35.01)",
          ),
        ),
        dataset,
        now: NOW,
      }),
    );
    expect(p.ops).toEqual([
      { kind: RecipeKind.COUNT_IF, cmp: Comparator.GT, epsilon: 0, a: 8000n, b: 0n, bounds: [] },
      { kind: RecipeKind.COUNT_IF, cmp: Comparator.BETWEEN, epsilon: 0, a: 3750n, b: 7400n, bounds: [] },
      { kind: RecipeKind.SUM_IF, cmp: Comparator.LE, epsilon: 0, a: 0n, b: 0n, bounds: [] },
      { kind: RecipeKind.COUNT_IF, cmp: Comparator.LE, epsilon: 0, a: 0n, b: 0n, bounds: [] },
      { kind: RecipeKind.HISTOGRAM, cmp: 0, epsilon: 0, a: 0n, b: 0n, bounds: [4000n, 5000n, 6025n] },
      { kind: RecipeKind.ALERT, cmp: Comparator.GE, epsilon: 0, a: 8501n, b: 0n, bounds: [] },
    ]);
  });

  it("hashes the program as the contract does: keccak256(abi.encode(ops))", () => {
    const p = planned(plan({ ir: compile(recipe("all", "mean(temperature)", "count(temperature > 30)")), dataset, now: NOW }));
    const encoded = AbiCoder.defaultAbiCoder().encode([PROGRAM_ABI_TYPE], [p.ops.map((o) => ({ ...o, bounds: [...o.bounds] }))]);
    expect(p.programHash).toBe(keccak256(encoded));
    const other = planned(plan({ ir: compile(recipe("all", "mean(temperature)", "count(temperature > 31)")), dataset, now: NOW }));
    expect(other.programHash).not.toBe(p.programHash);
  });

  it("gives the same program hash for the same recipe on another window", () => {
    const a = planned(plan({ ir: compile(recipe("all", "mean(temperature)")), dataset, now: NOW }));
    const b = planned(plan({ ir: compile(recipe("last 100 readings", "mean(temperature)")), dataset, now: NOW }));
    expect(b.programHash).toBe(a.programHash);
  });

  it("shares ops between statistics and maps each statistic to its ops", () => {
    const p = planned(plan({ ir: compile(recipe("all", "min(temperature)", "range(temperature)", "mean(temperature where temperature > 30)", "share(temperature > 30)")), dataset, now: NOW }));
    expect(p.ops.map((o) => o.kind)).toEqual([RecipeKind.MIN, RecipeKind.MAX, RecipeKind.SUM_IF, RecipeKind.COUNT_IF]);
    expect(p.outputs.map((o) => [o.statistic.stat, o.ops])).toEqual([
      ["min", [0]],
      ["range", [0, 1]],
      ["meanIf", [2, 3]],
      ["share", [3]],
    ]);
  });

  it("lays out the result handles in op order as the interface lists them", () => {
    const p = planned(
      plan({
        ir: compile(recipe("all", "count()", "sum(temperature)", "histogram(temperature, [0, 10])", "variance(temperature)", "alert(temperature > 35)", "count(temperature > 30)")),
        dataset,
        now: NOW,
      }),
    );
    expect(p.handles).toEqual([
      { op: 0, type: "euint64", role: "windowLength" },
      { op: 1, type: "euint64", role: "sum" },
      { op: 2, type: "euint32", role: "bucket" },
      { op: 2, type: "euint32", role: "bucket" },
      { op: 2, type: "euint32", role: "bucket" },
      { op: 3, type: "euint64", role: "sum" },
      { op: 3, type: "euint64", role: "sumOfSquares" },
      { op: 4, type: "ebool", role: "any" },
      { op: 5, type: "euint32", role: "count" },
    ]);
  });

  it("reports a constant the dataset cannot represent when the recipe was checked without it", () => {
    const ir = compile(recipe("all", "count(value > 30.125)"), null);
    expect(plan({ ir, dataset, now: NOW })).toEqual({
      ok: false,
      error: { code: "value-not-representable", message: "the value 30.125 has more decimals than this dataset (scale 2, offset -5000)" },
    });
  });

  it("rejects an IR that does not validate", () => {
    const ir = { ...compile(recipe("all", "mean(temperature)")), statistics: [] } as RecipeIR;
    expect(plan({ ir, dataset, now: NOW })).toMatchObject({ ok: false, error: { code: "invalid-recipe" } });
  });

  it("states the variance overflow bound", () => {
    const p = planned(plan({ ir: compile(recipe("all", "stddev(temperature)")), dataset: { ...dataset, unit: "°C" }, now: NOW }));
    expect(p.notes).toEqual([
      {
        code: "overflow-bound",
        message:
          "Variance and standard deviation are exact while every reading in this 1,000-reading window is below 1358137.91 °C (the sum of squares is a 64-bit number).",
      },
    ]);
  });
});

describe("plan: chunking", () => {
  const big = sampleDataset({ readingCount: 10_000 });

  it.each([
    ["count()", 1, [10_000]],
    ["sum(temperature)", 82, [123]],
    ["mean(temperature)", 82, [123]],
    ["min(temperature)", 110, [91]],
    ["max(temperature)", 110, [91]],
    ["count(temperature > 30)", 104, [97]],
    ["share(temperature between 18 and 24)", 176, [57]],
    ["sum(temperature where temperature > 30)", 271, [37]],
    ["histogram(temperature, [0, 10, 20, 30, 40])", 527, [19]],
    ["variance(temperature)", 477, [21]],
    ["alert(temperature > 35)", 71, [141]],
  ])("plans %s over 10,000 readings in %d steps of %j", (statistic, steps, full) => {
    const p = planned(plan({ ir: compile(recipe("all", statistic)), dataset: big, now: NOW }));
    expect(p.steps).toHaveLength(steps);
    expect(p.steps[0].size).toBe(full[0]);
    expect(p.steps.reduce((sum, s) => sum + s.size, 0)).toBe(10_000);
    expect(p.totalHcu).toBe(p.steps.reduce((sum, s) => sum + s.hcu, 0));
  });

  it("plans a mixed program with the budget of all its ops together", () => {
    const p = planned(plan({ ir: compile(recipe("all", "mean(temperature)", "max(temperature)", "count(temperature > 30)")), dataset: big, now: NOW }));
    const full = maxStepSize(p.ops, false);
    // Per reading 162,000 + 218,000 + 205,032 HCU, plus 37,032 per step: 34 readings = 19,928,120 HCU.
    expect(full).toBe(34);
    expect(p.steps.slice(0, -1).every((s) => s.size === full && s.hcu === stepHcu(p.ops, full, false))).toBe(true);
    expect(p.steps.at(-1)).toMatchObject({ finalizes: true });
    p.steps.forEach((s) => expect(s.hcu).toBeLessThan(20_000_000));
  });

  it("accounts for the finalize cost in the last step", () => {
    // HISTOGRAM of 5 bounds: 19 readings per step but 18 in the finalising one, so 190 = 10 × 19 readings take 11 steps.
    const p = planned(plan({ ir: compile(recipe("all", "histogram(temperature, [0, 10, 20, 30, 40])")), dataset: sampleDataset({ readingCount: 190 }), now: NOW }));
    expect(p.steps.map((s) => s.size)).toEqual([19, 19, 19, 19, 19, 19, 19, 19, 19, 18, 1]);
  });
});

describe("plan as JSON", () => {
  it("round-trips through JSON and PlanSchema", () => {
    const p = planned(plan({ ir: compile(recipe("last 24h", "mean(temperature)", "histogram(temperature, [0, 10])")), dataset: sampleDataset({ readingCount: 10_005, unit: "°C" }), now: NOW }));
    const json = JSON.parse(JSON.stringify(planToJSON(p)));
    expect(json.ops[1].bounds).toEqual(["5000", "6000"]);
    expect(PlanSchema.parse(json)).toEqual(p);
  });

  it("rejects a plan whose values are not uint64", () => {
    const p = planToJSON(planned(plan({ ir: compile(recipe("all", "mean(temperature)")), dataset: sampleDataset({ readingCount: 10 }), now: NOW })));
    const bad = { ...p, ops: [{ ...p.ops[0], a: "-1" }] };
    expect(PlanSchema.safeParse(bad).success).toBe(false);
  });
});

describe("plan: over a dataset's rollups (issue 13)", () => {
  it("plans a mean over 10,000 readings as one step when the dataset keeps the sum, and per reading otherwise", () => {
    const rolled = planned(window("all", { ...sampleDataset({ readingCount: 10_000 }), rollups: { kinds: 1, blockSize: 10 } }));
    expect(rolled.rolledUp).toBe(true);
    expect(rolled.steps).toEqual([{ size: 10_000, finalizes: true, hcu: 162_000 }]);
    expect(PlanSchema.parse(planToJSON(rolled)).rolledUp).toBe(true);
    const perReading = planned(window("all", sampleDataset({ readingCount: 10_000 })));
    expect(perReading.rolledUp).toBe(false);
    expect(perReading.steps).toHaveLength(82);
  });

  it("refuses rollups no contract would keep", () => {
    const result = window("all", { ...sampleDataset({ readingCount: 100 }), rollups: { kinds: 2, blockSize: 10 } });
    expect(result.ok).toBe(false);
  });
});
