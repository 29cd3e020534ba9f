import { describe, expect, it } from "vitest";
import type { StatisticResult } from "../lib/recipes";
import { axisTitles, extentWithErrors, histogramBars, reportLines, reportTicks } from "./chart-data";

const mean = (text: string): StatisticResult => ({
  label: "mean(value)",
  stat: "mean",
  source: "mean(value)",
  type: "value",
  value: { text, number: Number(text), exact: true },
  unit: "°C",
});

describe("chart data", () => {
  it("turns histogram buckets into bars with their share of the window", () => {
    const bars = histogramBars({
      label: "h",
      stat: "histogram",
      source: "h",
      type: "histogram",
      total: 10,
      buckets: [
        { label: "< 0", to: "0", count: 1 },
        { label: "0 – 10", from: "0", to: "10", count: 6 },
        { label: "≥ 10", from: "10", count: 3 },
      ],
    });
    expect(bars).toEqual({ labels: ["< 0", "0 – 10", "≥ 10"], counts: [1, 6, 3], shares: [0.1, 0.6, 0.3] });
  });

  it("draws one line per statistic across reports, oldest first", () => {
    const lines = reportLines([
      { at: 2_000, results: [mean("22.5"), { label: "alert", stat: "alert", source: "alert", type: "boolean", value: true }] },
      { at: 1_000, results: [mean("21")] },
    ]);
    expect(lines).toEqual([
      { label: "mean(value)", unit: "°C", points: [{ x: 1_000, y: 21 }, { x: 2_000, y: 22.5 }] },
      { label: "alert", unit: "1 = yes", points: [{ x: 2_000, y: 1 }] },
    ]);
  });

  it("puts one x tick on each report, and none between", () => {
    const lines = reportLines([
      { at: 3_000, results: [mean("20")] },
      { at: 1_000, results: [mean("21"), { label: "n", stat: "count", source: "count()", type: "count", count: 4 }] },
    ]);
    expect(reportTicks(lines)).toEqual([1_000, 3_000]);
  });

  it("titles each y axis with its statistics and their unit", () => {
    const count = { label: "count()", stat: "count", source: "count()", type: "count", count: 4 } as const;
    const lines = reportLines([{ at: 1_000, results: [mean("21"), count] }]);
    expect(axisTitles(lines)).toEqual({ left: "mean(value) (°C)", right: "count() (readings)" });
    const three = reportLines([{ at: 1_000, results: [count, { ...mean("1"), label: "min" }, { ...mean("9"), label: "max" }] }]);
    expect(axisTitles(three)).toEqual({ left: "count() (readings)", right: "min, max (°C)" });
    expect(axisTitles([])).toEqual({ left: "" });
  });

  it("carries a private dataset's ± into the report chart's points, and widens the axis to show the error bars", () => {
    const noisy = { ...mean("20.9"), value: { text: "20.9", number: 20.9, exact: false }, noise: { standardDeviation: 0.15, halfWidth: 0.3, interval: "exact", unit: "°C", text: "± 0.3 °C (95 %)" } } as unknown as StatisticResult;
    const [line] = reportLines([{ at: 1_000, results: [noisy] }, { at: 2_000, results: [mean("21")] }]);
    expect(line.points).toEqual([{ x: 1_000, y: 20.9, error: 0.3 }, { x: 2_000, y: 21 }]);
    expect(extentWithErrors(line.points)).toEqual({ min: 20.9 - 0.3, max: 20.9 + 0.3 });
    expect(extentWithErrors([{ y: 1 }])).toBeUndefined();
  });
});
