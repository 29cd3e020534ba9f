import { describe, expect, it } from "vitest";
import type { StatisticResult } from "../lib/recipes";
import { exportFileName, resultsCsv } from "./export";

describe("results as CSV", () => {
  it("has a row per statistic and per histogram bucket, quoted where needed", () => {
    const csv = resultsCsv([
      { label: "Average", stat: "mean", source: "mean(temperature)", type: "value", value: { text: "20.88", number: 20.88, exact: false }, unit: "°C" },
      { label: "hot", stat: "countIf", source: "count(temperature > 30)", type: "count", count: 12 },
      {
        label: "spread, by range",
        stat: "histogram",
        source: "histogram(temperature, [20])",
        type: "histogram",
        total: 3,
        buckets: [
          { label: "< 20", to: "20", count: 1 },
          { label: "≥ 20", from: "20", count: 2 },
        ],
      },
    ]);
    expect(csv.split("\r\n")).toEqual([
      "statistic,label,value,unit,detail",
      "mean(temperature),Average,20.88,°C,",
      "count(temperature > 30),hot,12,readings,",
      '"histogram(temperature, [20])","spread, by range",1,readings,< 20',
      '"histogram(temperature, [20])","spread, by range",2,readings,≥ 20',
      "",
    ]);
  });

  it("says which values are a private dataset's noisy estimates, with their ±", () => {
    const noise = (halfWidth: number, unit: string) => ({ standardDeviation: halfWidth / 2, halfWidth, interval: "exact" as const, unit, text: "" });
    const csv = resultsCsv([
      { label: "Average", stat: "mean", source: "mean(temperature)", type: "value", value: { text: "20.88", number: 20.88, exact: false }, unit: "°C", noise: noise(0.31, "°C") },
      { label: "h", stat: "histogram", source: "histogram(temperature, [20])", type: "histogram", total: 3, buckets: [{ label: "< 20", to: "20", count: 1.5 }, { label: "≥ 20", from: "20", count: -0.5 }], noise: noise(5.5, "readings") },
    ] as StatisticResult[]);
    expect(csv.split("\r\n").slice(1, 4)).toEqual([
      "mean(temperature),Average,20.88,°C,noisy estimate ± 0.31 (95 %)",
      '"histogram(temperature, [20])",h,1.5,readings,< 20; noisy estimate ± 5.5 (95 %)',
      '"histogram(temperature, [20])",h,-0.5,readings,≥ 20; noisy estimate ± 5.5 (95 %)',
    ]);
  });

  it("names files after what they hold", () => {
    expect(exportFileName("Greenhouse, week 47 — cell 2", "csv")).toBe("greenhouse-week-47-cell-2.csv");
    expect(exportFileName("°°", "png")).toBe("results.png");
  });
});
