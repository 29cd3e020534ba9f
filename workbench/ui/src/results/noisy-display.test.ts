import { describe, expect, it } from "vitest";
import type { NoiseFigure } from "../lib/recipes";
import { histogramErrors, noisyDisplay, noisyText, type MaybeNoisy } from "./noisy-display";
import { resultText } from "./result-text";
import { comparisonRows } from "./compare";

const figure = (halfWidth: number | null, unit: string, extra: Partial<NoiseFigure> = {}): NoiseFigure => ({
  standardDeviation: halfWidth,
  halfWidth,
  interval: "exact",
  unit,
  text: `± ${halfWidth} ${unit} (95 %)`,
  ...extra,
});
const base = { label: "s", stat: "mean", source: "s" } as const;

describe("noisy results as a buyer reads them", () => {
  it("gives the estimate to the noise's precision, with ± at 95 %", () => {
    const mean: MaybeNoisy = { ...base, type: "value", value: { text: "20.93", number: 20.93, exact: false }, unit: "°C", noise: figure(0.31, "°C") };
    expect(noisyDisplay(mean)).toEqual({ approx: "≈ 20.93 °C", plusMinus: "± 0.31 (95 %)" });
    expect(noisyDisplay({ ...mean, noise: figure(0.3, "°C") })).toEqual({ approx: "≈ 20.9 °C", plusMinus: "± 0.3 (95 %)" });
    expect(noisyDisplay({ ...mean, value: { text: "-0.04", number: -0.04, exact: false }, noise: figure(15, "°C") })?.approx).toBe("≈ 0 °C");
    expect(noisyDisplay({ ...mean, noise: figure(0.3, "°C", { assumption: "whatever the window's mean" }) })?.note).toBe("Assumes whatever the window's mean.");
  });

  it("gives a share's ± in percentage points", () => {
    const share: MaybeNoisy = { ...base, stat: "share", type: "share", share: { text: "0.4150", number: 0.415, exact: false }, percent: "41.5%", matching: 16.6, total: 40, noise: figure(7.5, "%") };
    expect(noisyDisplay(share)).toEqual({ approx: "≈ 41.5 %", plusMinus: "± 7.5 points (95 %)" });
  });

  it("leaves exact results alone", () => {
    expect(noisyDisplay({ ...base, type: "value", value: { text: "20.93", number: 20.93, exact: true }, unit: "°C" })).toBeUndefined();
    expect(noisyDisplay({ ...base, stat: "count", type: "count", count: 40 })).toBeUndefined();
  });

  it("never shows a count below zero or a fraction of a reading without saying it is noisy", () => {
    const count = (n: number): MaybeNoisy => ({ ...base, stat: "countIf", type: "count", count: n, noise: figure(3, "readings") });
    expect(noisyDisplay(count(12))).toEqual({ approx: "≈ 12 readings", plusMinus: "± 3 (95 %, noisy count)" });
    const negative = noisyDisplay(count(-1.5))!;
    expect(negative.approx).toBe("≈ −2 readings");
    expect(negative.plusMinus).toContain("noisy count");
    expect(negative.note).toBe(
      "A noisy count: the released figure is −1.5, not a whole number of readings and below zero, because noise protects each reading; the true count is a whole number from 0 up, within the ± above at 95 %.",
    );
    expect(noisyDisplay(count(41.5))!.note).toMatch(/^A noisy count: the released figure is 41.5, not a whole number of readings, because/);
  });

  it("draws a noisy histogram's bars with error bars", () => {
    const histogram: MaybeNoisy & { type: "histogram" } = {
      ...base,
      stat: "histogram",
      type: "histogram",
      total: 20,
      buckets: [{ label: "< 0", to: "0", count: 4.5 }, { label: "≥ 0", from: "0", count: 15.5 }],
      noise: figure(2.5, "readings"),
    };
    expect(histogramErrors(histogram)).toEqual([2.5, 2.5]);
    expect(histogramErrors({ ...histogram, noise: undefined })).toBeUndefined();
  });

  it("says so in the tables of reports and runs, with the ±", () => {
    const count: MaybeNoisy = { ...base, stat: "countIf", type: "count", count: -0.5, noise: figure(3, "readings") };
    expect(noisyText(count)).toBe("≈ −1 readings ± 3 (95 %, noisy count)");
    expect(resultText(count)).toBe("≈ −1 readings ± 3 (95 %, noisy count)");
    const histogram: MaybeNoisy = { ...base, stat: "histogram", type: "histogram", total: 20, buckets: [{ label: "< 0", to: "0", count: 4.5 }, { label: "≥ 0", from: "0", count: 15.5 }], noise: figure(2.5, "readings") };
    expect(comparisonRows([[histogram]])[0].values).toEqual(["≈ 4.5 / 15.5 readings, each ± 2.5 (95 %, noisy counts)"]);
    expect(noisyText({ ...base, stat: "count", type: "count", count: 40 })).toBeUndefined();
  });
});
