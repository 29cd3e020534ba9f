import { describe, expect, it } from "vitest";
import { check } from "./checker";
import { interpretResults, type StatisticResult } from "./interpreter";
import { plan, type Plan } from "./planner";
import { sampleDataset, simulateRun } from "./test-support";

const NOW = 1_800_000_000;

/** Plans the statistics over `readings` (the whole window) and interprets a reference run. */
function run(
  statistics: string[],
  readings: string[],
  encoding: { scale: number; offset: number; unit?: string } = { scale: 2, offset: -5000, unit: "°C" },
): { plan: Plan; results: StatisticResult[] } {
  const source = ['from "d" window all', ...statistics].join("\n");
  const checked = check({ source, dataset: { field: "temperature", ...encoding, k: 1 } });
  if (!checked.ok) throw new Error(checked.diagnostics.map((d) => d.message).join("\n"));
  const dataset = sampleDataset({ readingCount: readings.length, k: 1, ...encoding });
  const planned = plan({ ir: checked.ir, dataset, now: NOW });
  if (!planned.ok) throw new Error(planned.error.message);
  return { plan: planned.plan, results: interpretResults({ plan: planned.plan, decrypted: simulateRun(planned.plan, readings) }) };
}

const one = (statistic: string, readings: string[], encoding?: { scale: number; offset: number; unit?: string }) =>
  run([statistic], readings, encoding).results[0];

const THERMOMETER_READINGS = ["21.50", "22.00", "-3.25", "18.75"];

describe("interpretResults", () => {
  it("undoes the offset for a sum: (S + n·o) / 10^scale", () => {
    expect(one("sum(temperature)", THERMOMETER_READINGS)).toEqual({
      label: "sum(temperature)",
      stat: "sum",
      source: "sum(temperature)",
      type: "value",
      value: { text: "59.00", number: 59, exact: true },
      unit: "°C",
    });
  });

  it("divides the sum by the public window length for a mean, exactly when it can", () => {
    expect(one("mean(temperature)", THERMOMETER_READINGS)).toMatchObject({ type: "value", value: { text: "14.7500", number: 14.75, exact: true } });
    expect(one("mean(temperature)", ["1.00", "1.00", "2.00"])).toMatchObject({ value: { text: "1.3333", exact: false } });
  });

  it("handles negative values and rounds half away from zero", () => {
    expect(one("mean(temperature)", ["-1.00", "-1.00", "-2.00"])).toMatchObject({ value: { text: "-1.3333" } });
    expect(one("mean(temperature)", ["-0.01", "-0.02"])).toMatchObject({ value: { text: "-0.0150", exact: true } });
    expect(one("min(temperature)", ["-50.00", "12.00"])).toMatchObject({ value: { text: "-50.00", number: -50 } });
  });

  it("reads min, max and range in the dataset's unit", () => {
    const { results } = run(["min(temperature)", "max(temperature)", "range(temperature)"], THERMOMETER_READINGS);
    expect(results.map((r) => r.type === "value" && r.value?.text)).toEqual(["-3.25", "22.00", "25.25"]);
  });

  it("counts the window and the readings meeting a condition", () => {
    const { results } = run(["count()", "count(temperature > 20)", "count(temperature between 18.75 and 21.5)", "count(temperature == 22)"], THERMOMETER_READINGS);
    expect(results.map((r) => r.type === "count" && r.count)).toEqual([4, 2, 2, 1]);
  });

  it("gives a share as a fraction and a percentage", () => {
    expect(one("share(temperature > 0)", THERMOMETER_READINGS)).toMatchObject({
      type: "share",
      share: { text: "0.7500", number: 0.75, exact: true },
      percent: "75%",
      matching: 3,
      total: 4,
    });
    expect(one("share(temperature > 0)", ["1.00", "1.00", "-1.00"])).toMatchObject({ share: { text: "0.6667", exact: false }, percent: "66.67%" });
  });

  it("undoes the offset of a conditional sum with its count", () => {
    expect(one("sum(temperature where temperature > 20)", THERMOMETER_READINGS)).toMatchObject({ value: { text: "43.50", exact: true } });
    expect(one("sum(temperature where temperature < 0)", THERMOMETER_READINGS)).toMatchObject({ value: { text: "-3.25" } });
  });

  it("averages only the readings meeting a condition, and says when none did", () => {
    expect(one("mean(temperature where temperature > 20)", THERMOMETER_READINGS)).toMatchObject({ value: { text: "21.7500", exact: true } });
    expect(one("mean(temperature where temperature > 40)", THERMOMETER_READINGS)).toMatchObject({ value: null, note: "no reading met the condition" });
  });

  it("computes the population variance and standard deviation from the sum and sum of squares", () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, variance 4, standard deviation 2.
    const readings = ["2", "4", "4", "4", "5", "5", "7", "9"];
    const { results } = run(["variance(temperature)", "stddev(temperature)"], readings);
    expect(results[0]).toMatchObject({ type: "squared", value: { text: "4.000000", number: 4, exact: true }, unit: "°C²" });
    expect(results[1]).toMatchObject({ type: "value", value: { text: "2.0000", number: 2, exact: true }, unit: "°C" });
  });

  it("is not fooled by the offset in the variance and rounds an irrational deviation", () => {
    const { results } = run(["variance(temperature)", "stddev(temperature)"], ["-49.99", "-49.98", "-49.96"]);
    // Mean −49.9766…, variance 0.00015555…, deviation 0.012472…
    expect(results[0]).toMatchObject({ value: { text: "0.000156", exact: false } });
    expect(results[1]).toMatchObject({ value: { text: "0.0125", exact: false } });
  });

  it("labels histogram buckets from the bounds", () => {
    expect(one("histogram(temperature, [0, 10, 20])", [...THERMOMETER_READINGS, "10.00", "35.00"])).toMatchObject({
      type: "histogram",
      total: 6,
      buckets: [
        { label: "< 0", to: "0", count: 1 },
        { label: "0 – 10", from: "0", to: "10", count: 0 },
        { label: "10 – 20", from: "10", to: "20", count: 2 },
        { label: "≥ 20", from: "20", count: 3 },
      ],
    });
  });

  it("answers an alert with yes or no", () => {
    expect(one("alert(temperature > 21.9)", THERMOMETER_READINGS)).toMatchObject({ type: "boolean", value: true });
    expect(one("alert(temperature > 22)", THERMOMETER_READINGS)).toMatchObject({ type: "boolean", value: false });
  });

  it("works with scale 0 and no offset, and with many decimals", () => {
    expect(one("mean(temperature)", ["3", "4"], { scale: 0, offset: 0 })).toMatchObject({ value: { text: "3.50", exact: true } });
    expect(one("sum(temperature)", ["0.000001", "1.5"], { scale: 6, offset: 0 })).toMatchObject({ value: { text: "1.500001" } });
  });

  it("stays exact for sums beyond 2^53", () => {
    const big = "90000000000000.00"; // 9e15 scaled units each
    expect(one("sum(temperature)", [big, big], { scale: 2, offset: 0 })).toMatchObject({ value: { text: "180000000000000.00", exact: true } });
  });

  it("gives every statistic of a mixed recipe its own result, in recipe order", () => {
    const { results } = run(['mean(temperature) as "Average"', "max(temperature)", "count(temperature > 20)", "alert(temperature < -3)"], THERMOMETER_READINGS);
    expect(results.map((r) => r.label)).toEqual(["Average", "max(temperature)", "count(temperature > 20)", "alert(temperature < -3)"]);
  });

  it("refuses values that do not match the plan's handles", () => {
    const { plan: p } = run(["mean(temperature)", "alert(temperature > 1)"], THERMOMETER_READINGS);
    expect(() => interpretResults({ plan: p, decrypted: [1n] })).toThrow("the plan has 2 result handles, got 1 values");
    expect(() => interpretResults({ plan: p, decrypted: [true, 1n] })).toThrow("result handle 0 is a euint64");
    expect(() => interpretResults({ plan: p, decrypted: [1n, 1n] })).toThrow("result handle 1 is a ebool");
  });
});

describe("interpretResults on a private dataset", () => {
  const PRIVATE = { mode: "private", lowerBound: "1000", upperBound: "11000", budget: 10_000, minEpsilon: 100, maxEpsilon: 2000 } as const;
  const READINGS = ["21.50", "22.00", "-3.25", "18.75", "75.00"]; // 75 °C is clamped to 60 °C, the range's top

  function privateRun(statistics: string[], noise: (handle: number) => bigint) {
    const source = ['from "d" window all', ...statistics].join("\n");
    const checked = check({ source, dataset: { field: "temperature", scale: 2, offset: -5000, unit: "°C", k: 1, privacy: PRIVATE } });
    if (!checked.ok) throw new Error(checked.diagnostics.map((d) => d.message).join("\n"));
    const planned = plan({ ir: checked.ir, dataset: { ...sampleDataset({ readingCount: READINGS.length, k: 1, unit: "°C" }), privacy: PRIVATE }, now: NOW });
    if (!planned.ok) throw new Error(planned.error.message);
    // What the buyer decrypts: the clamped results plus noise, mod 2^64 (as the contract adds it).
    const decrypted = simulateRun(planned.plan, READINGS).map((v, i) => BigInt.asUintN(64, (v as bigint) + noise(i)));
    return { plan: planned.plan, results: interpretResults({ plan: planned.plan, decrypted }) };
  }

  it("reads noised values as signed and adds ½ (the noise's mean is −½)", () => {
    const { results } = privateRun(["count(temperature > 30)", "sum(temperature)", "mean(temperature)", "count()"], (i) => [-3n, 7n, -1n, 0n][i]);
    expect(results[0]).toMatchObject({ type: "count", count: 1 - 3 + 0.5 });
    // Sum of the clamped readings: 119 °C; 7 encoded units of noise + ½ = 0.075 °C (noisy values get the extra digits).
    expect(results[1]).toMatchObject({ type: "value", value: { text: "119.0750", exact: false } });
    expect(results[2]).toMatchObject({ type: "value", value: { text: "23.7990", number: 23.799, exact: false } });
    expect(results[3]).toEqual({ label: "count()", stat: "count", source: "count()", type: "count", count: 5 });
  });

  it("takes a count below zero as the signed number it stands for", () => {
    const { results } = privateRun(["count(temperature > 70)"], () => -1n);
    expect(results[0]).toMatchObject({ count: -0.5 });
  });

  it("attaches each statistic's ± at 95 %, the same as the plan's before the run", () => {
    const { plan: p, results } = privateRun(["mean(temperature)", "histogram(temperature, [0, 20])"], () => 0n);
    expect(results[0].noise).toEqual(p.privacy!.statistics[0].noise);
    expect(results[1].noise).toEqual(p.privacy!.statistics[1].noise);
    expect(results[1]).toMatchObject({ buckets: [{ count: 1.5 }, { count: 1.5 }, { count: 3.5 }] });
  });

  it("divides a conditional sum by its noisy count and bounds the mean with that count", () => {
    const { results } = privateRun(["mean(temperature where temperature > 20)"], (i) => [0n, 1n][i]);
    // 21.50 + 22.00 + 60.00 (clamped; encoded 25,350 + ½) over 3 + 1 + ½ noisy readings; the offset enters with the noisy count.
    const expected = (25_350.5 + 4.5 * -5000) / (4.5 * 100);
    expect(results[0]).toMatchObject({ value: { number: Number(expected.toFixed(4)) } });
    // The bound divides by the noisy count: with 8.5 noisy readings it is 4.5 / 8.5 of the bound with 4.5.
    const moreMatching = privateRun(["mean(temperature where temperature > 20)"], (i) => [0n, 5n][i]).results[0];
    expect(moreMatching.noise!.halfWidth! / results[0].noise!.halfWidth!).toBeCloseTo(4.5 / 8.5, 12);
  });

  it("reads VARIANCE's second result as squares centred on the middle of the range", () => {
    const { results } = privateRun(["variance(temperature)", "stddev(temperature)"], () => 0n);
    // Population variance of 21.5, 22, −3.25, 18.75, 60 (clamped): 415.235 °C²; the ½ on the sum moves it by −0.0276.
    expect((results[0] as { value: { number: number } }).value.number).toBeCloseTo(415.235 - 0.0276, 3);
    expect((results[1] as { value: { number: number } }).value.number).toBeCloseTo(Math.sqrt(415.235 - 0.0276), 3);
    expect(results[1].noise).toMatchObject({ unit: "°C", interval: "bound" });
  });
});
