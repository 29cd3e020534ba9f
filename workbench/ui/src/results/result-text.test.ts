import { describe, expect, it } from "vitest";
import type { StatisticResult } from "../lib/recipes";
import { resultText } from "./result-text";

const base = { label: "x", stat: "mean", source: "x" } as const;

describe("result text", () => {
  it.each<[StatisticResult, string]>([
    [{ ...base, type: "value", value: { text: "21.35", number: 21.35, exact: true }, unit: "°C" }, "21.35 °C"],
    [{ ...base, type: "value", value: null, note: "no readings" }, "—"],
    [{ ...base, type: "count", count: 1204 }, "1,204 readings"],
    [{ ...base, type: "share", share: { text: "0.125", number: 0.125, exact: true }, percent: "12.5 %", matching: 1, total: 8 }, "12.5 %"],
    [{ ...base, type: "boolean", value: true }, "yes"],
    [{ ...base, type: "histogram", total: 1500, buckets: [{ label: "< 0", to: "0", count: 1000 }, { label: "≥ 0", from: "0", count: 500 }] }, "1,000 / 500 readings"],
  ])("shows %j as %s", (result, text) => {
    expect(resultText(result)).toBe(text);
  });
});
