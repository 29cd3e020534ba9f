import { describe, expect, it } from "vitest";
import type { StatisticResult } from "../lib/recipes";
import { comparisonRows } from "./compare";

const mean = (text: string): StatisticResult => ({ label: "Average", stat: "mean", source: "mean(t)", type: "value", value: { text, number: Number(text), exact: true }, unit: "°C" });

describe("comparing a cell's runs", () => {
  it("lines each statistic up across runs, leaving a gap where a run lacks it or is not decrypted", () => {
    const hot: StatisticResult = { label: "hot", stat: "countIf", source: "count(t > 30)", type: "count", count: 1200 };
    expect(comparisonRows([[mean("20.88"), hot], undefined, [mean("19.50")]])).toEqual([
      { label: "Average", values: ["20.88 °C", undefined, "19.50 °C"] },
      { label: "hot", values: ["1,200", undefined, undefined] },
    ]);
  });
});
