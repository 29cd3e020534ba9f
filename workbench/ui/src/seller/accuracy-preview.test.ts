import { describe, expect, it } from "vitest";
import { PrivacyMode, type PrivacyParams } from "@iotdm/contracts-client";
import { accuracyPreview, formatPlusMinus, meanInterval95 } from "./accuracy-preview";

// The demo thermometer of `npm run bench:privacy`: [−40, 60] °C at 2 decimals, ε 0.1 to 2.
const demo: PrivacyParams = { mode: PrivacyMode.PRIVATE, lowerBound: 1000n, upperBound: 11000n, budget: 10_000, minEpsilon: 100, maxEpsilon: 2000 };

describe("accuracy preview of a private dataset", () => {
  it("gives the mean's 95 % interval of the exact noise model (the bench's figures over a day at 5 minutes)", () => {
    expect(meanInterval95({ privacy: demo, scale: 2, readings: 288, epsilonMilli: 2000 })).toBeCloseTo(0.52, 2);
    expect(meanInterval95({ privacy: demo, scale: 2, readings: 288, epsilonMilli: 500 })).toBeCloseTo(2.08, 2);
  });

  it("lists MEAN over an hour, a day and a week in whole buckets, at the smallest and largest ε", () => {
    const rows = accuracyPreview({ privacy: demo, scale: 2, k: 12, cadenceSeconds: 300 });
    expect(rows.map((r) => [r.window, r.readings])).toEqual([["1 hour", 12], ["1 day", 288], ["1 week", 2016]]);
    const [hour, day, week] = rows;
    // More readings, less noise on the mean; more ε, less noise.
    expect(hour.atMaxEpsilon).toBeGreaterThan(day.atMaxEpsilon as number);
    expect(day.atMaxEpsilon).toBeGreaterThan(week.atMaxEpsilon as number);
    expect(day.atMinEpsilon).toBeGreaterThan(day.atMaxEpsilon as number);
    // A window shorter than a bucket still reads one bucket.
    expect(accuracyPreview({ privacy: demo, scale: 2, k: 50, cadenceSeconds: 300 })[0].readings).toBe(50);
  });

  it("says when ε is too small for the range, as the contract refuses it", () => {
    // Far beyond the contract's largest range (2³² − 1), where a 62-bit sampler no longer holds the noise.
    const huge = { lowerBound: 0n, upperBound: 2n ** 60n };
    expect(meanInterval95({ privacy: huge, scale: 0, readings: 10, epsilonMilli: 1 })).toBe("too wide");
    expect(formatPlusMinus("too wide", "°C")).toBe("ε too small for the range");
  });

  it("writes ± with two significant digits", () => {
    expect(formatPlusMinus(0.5194, "°C")).toBe("± 0.52 °C");
    expect(formatPlusMinus(2.08, "°C")).toBe("± 2.1 °C");
    expect(formatPlusMinus(152.4, "")).toBe("± 150");
    expect(formatPlusMinus(1234, "readings")).toBe("± 1,200 readings");
    expect(formatPlusMinus(0.00123, "%")).toBe("± 0.0012 %");
  });
});
