import { describe, expect, it } from "vitest";
import { testDataset } from "../datasets/testing";
import { PrivacyMode } from "@iotdm/contracts-client";
import type { MaybeNoisy } from "../results/noisy-display";
import { previewRecipe } from "./preview-run";
import { cadenceOf, sensorKindFor, syntheticReadings } from "./synthetic-readings";

const NOW = 1_800_000_000;
const greenhouse = testDataset({
  seller: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  priceWei: "10000000000000000",
  periodSeconds: 30 * 86_400,
  k: 12,
  readingCount: 864,
  firstTimestamp: NOW - 863 * 300,
  lastTimestamp: NOW,
});

describe("synthetic readings for a preview", () => {
  it("follow the dataset's sensor, cadence and precision, ending now", () => {
    expect(sensorKindFor(greenhouse)).toBe("temperature");
    expect(sensorKindFor({ field: "x", unit: "W" })).toBe("power");
    expect(cadenceOf(greenhouse)).toBe(300);
    const readings = syntheticReadings({ dataset: greenhouse, now: NOW });
    expect(readings.values).toHaveLength(864);
    expect(readings.timestamps.at(-1)).toBe(NOW);
    expect(readings.timestamps[1]! - readings.timestamps[0]!).toBe(300);
    for (const v of readings.values) expect(Math.round(v * 100) / 100).toBe(v);
    // A greenhouse's daily cycle: nights near 17 °C, sunny afternoons warmer.
    expect(Math.max(...readings.values) - Math.min(...readings.values)).toBeGreaterThan(3);
  });

  it("are the same for the same seed", () => {
    expect(syntheticReadings({ dataset: greenhouse, now: NOW, seed: "a" }).values).toEqual(syntheticReadings({ dataset: greenhouse, now: NOW, seed: "a" }).values);
  });
});

describe("preview of a recipe", () => {
  it("computes the statistics on the window's synthetic readings, with the real run's cost", () => {
    const outcome = previewRecipe({
      source: 'from "greenhouse" window last 24h\nmean(temperature)\ncount(temperature > 20)\nhistogram(temperature, [10, 20, 30])',
      dataset: greenhouse,
      now: NOW,
    });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.window.length).toBe(288);
    const { values } = outcome.readings;
    const window = values.slice(outcome.window.fromIndex, outcome.window.toIndex);
    const mean = window.reduce((s, v) => s + v, 0) / window.length;
    const [avg, hot, histogram] = outcome.results;
    expect(avg).toMatchObject({ type: "value" });
    expect(Number(avg!.type === "value" ? avg!.value?.text : NaN)).toBeCloseTo(mean, 2);
    expect(hot).toMatchObject({ type: "count", count: window.filter((v) => v > 20).length });
    expect(histogram).toMatchObject({ type: "histogram", total: 288 });
    expect(outcome.cost.transactions).toBeGreaterThan(1);
    expect(outcome.cost.hcu).toBeGreaterThan(0);
  });

  it("costs a mean over a dataset's sum rollup the start and one step, as the service will plan it", () => {
    const source = 'from "greenhouse" window last 24h\nmean(temperature)';
    const rolled = previewRecipe({ source, dataset: { ...greenhouse, rollups: 1, rollupNames: ["SUM"], rollupBlockSize: 12 }, now: NOW });
    const perReading = previewRecipe({ source, dataset: greenhouse, now: NOW });
    if (!rolled.ok || !perReading.ok) throw new Error("the previews failed");
    expect(rolled.cost.transactions).toBe(2);
    expect(perReading.cost.transactions).toBeGreaterThan(2);
    expect(rolled.results).toEqual(perReading.results);
  });

  it("uses the parameter values it is given", () => {
    const source = 'param hot = 20 "Hot above"\nfrom "greenhouse" window last 24h\ncount(temperature > hot)';
    const at20 = previewRecipe({ source, dataset: greenhouse, now: NOW });
    const at25 = previewRecipe({ source, dataset: greenhouse, now: NOW, params: { hot: "25" } });
    if (!at20.ok || !at25.ok) throw new Error("no preview");
    const count = (o: typeof at20) => (o.ok && o.results[0]!.type === "count" ? o.results[0]!.count : -1);
    expect(count(at25)).toBeLessThanOrEqual(count(at20));
  });

  it("on a private dataset, gives each result the ± a real run would carry", () => {
    const privacy = { mode: PrivacyMode.PRIVATE, lowerBound: 1000n, upperBound: 11000n, budget: 10_000, minEpsilon: 100, maxEpsilon: 2000 };
    const outcome = previewRecipe({ source: 'from "greenhouse" window last 24h\nmean(temperature) privacy 2', dataset: { ...greenhouse, privacy }, now: NOW });
    if (!outcome.ok) throw new Error(outcome.message);
    const [mean] = outcome.results as MaybeNoisy[];
    // The bench's figure for a day at 5 minutes and ε 2: ± 0.52 °C.
    expect(mean!.noise).toMatchObject({ unit: "°C" });
    expect(mean!.noise!.halfWidth).toBeCloseTo(0.52, 1);
  });

  it("says what to fix for a recipe with errors", () => {
    expect(previewRecipe({ source: 'from "greenhouse" window all\nmaen(temperature)', dataset: greenhouse, now: NOW })).toEqual({
      ok: false,
      message: "Fix the recipe's error first; the problems list shows it.",
    });
  });
});
