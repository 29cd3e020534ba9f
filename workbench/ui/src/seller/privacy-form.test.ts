import { describe, expect, it } from "vitest";
import { EXACT_PRIVACY, PrivacyMode, type PrivacyParams } from "@iotdm/contracts-client";
import { checkPrivacyForm, defaultPrivacyForm, narrowsRange, parseEpsilon, privacyChangeConsequences, privacyFormOf, type PrivacyForm } from "./privacy-form";

const celsius = { scale: 2, offset: -5000n };
const privateForm = (change: Partial<PrivacyForm> = {}): PrivacyForm => ({ mode: "private", lower: "-40", upper: "60", budget: "10", minEpsilon: "0.1", maxEpsilon: "2", ...change });
const demo: PrivacyParams = { mode: PrivacyMode.PRIVATE, lowerBound: 1000n, upperBound: 11000n, budget: 10_000, minEpsilon: 100, maxEpsilon: 2000 };

describe("privacy fields of the seller's forms", () => {
  it("start from a range typical of the sensor, never below the dataset's lowest value", () => {
    expect(defaultPrivacyForm({ field: "temperature", unit: "°C", lowest: "-50" })).toEqual({ mode: "exact", lower: "-40", upper: "60", budget: "10", minEpsilon: "0.1", maxEpsilon: "2" });
    expect(defaultPrivacyForm({ field: "humidity", unit: "", lowest: "0" })).toMatchObject({ lower: "0", upper: "100" });
    expect(defaultPrivacyForm({ field: "temperature", unit: "°C", lowest: "0" })).toMatchObject({ lower: "0", upper: "60" });
    expect(defaultPrivacyForm({ field: "flow", unit: "l/min", lowest: "5" })).toMatchObject({ lower: "5", upper: "105" });
  });

  it("convert a private setting to the contract's parameters: range encoded, ε in thousandths", () => {
    expect(checkPrivacyForm(privateForm(), celsius)).toEqual({ ok: true, privacy: demo });
    expect(checkPrivacyForm({ ...privateForm(), mode: "exact", lower: "nonsense" }, celsius)).toEqual({ ok: true, privacy: EXACT_PRIVACY });
    expect(parseEpsilon("0.25")).toBe(250);
    expect(parseEpsilon("0.0001")).toBeUndefined();
    expect(parseEpsilon("0")).toBeUndefined();
    expect(parseEpsilon("-1")).toBeUndefined();
  });

  it("explain each value the contract would refuse", () => {
    const errors = (change: Partial<PrivacyForm>) => {
      const result = checkPrivacyForm(privateForm(change), celsius);
      return result.ok ? {} : result.errors;
    };
    expect(errors({ lower: "-60" })).toEqual({ lower: "Not below the lowest value the dataset stores (−50)." });
    expect(errors({ upper: "60.125" })).toEqual({ upper: "At most 2 decimals (the dataset's precision)." });
    expect(errors({ upper: "-40" })).toEqual({ upper: "Above the lower end of the range." });
    expect(errors({ upper: "50000000" }).upper).toMatch(/^At most 42949622\.95 /);
    expect(errors({ minEpsilon: "6" })).toMatchObject({ minEpsilon: "An ε from 0.001 to 5." });
    expect(errors({ maxEpsilon: "0.05" })).toEqual({ maxEpsilon: "At least the smallest ε per statistic." });
    expect(errors({ budget: "1" })).toEqual({ maxEpsilon: "At most the budget: one statistic cannot spend more than a reading's whole budget." });
    expect(errors({ budget: "lots" })).toMatchObject({ budget: "An ε above 0 with at most 3 decimals, such as 10." });
  });

  it("show a dataset's current setting, and an exact dataset's defaults", () => {
    const dataset = { ...celsius, field: "temperature", unit: "°C" };
    expect(privacyFormOf({ ...dataset, privacy: demo })).toEqual(privateForm());
    expect(privacyFormOf({ ...dataset, privacy: EXACT_PRIVACY })).toMatchObject({ mode: "exact", lower: "-40", upper: "60" });
  });
});

describe("what a change of privacy setting does", () => {
  const dataset = { ...celsius, unit: "°C", readingCount: 288 };

  it("exact → private: old readings stay out of private runs, and what was revealed stays revealed", () => {
    const sentences = privacyChangeConsequences({ ...dataset, from: EXACT_PRIVACY, to: demo });
    expect(sentences[0]).toBe("Private runs will read only readings appended from now on: the 288 readings appended so far were not clamped into the range, so no private result will include them.");
    expect(sentences.join(" ")).toContain("stays revealed");
    expect(sentences.join(" ")).toContain("clamped into −40 °C to 60 °C");
    expect(sentences.join(" ")).toContain("MIN, MAX and ALERT recipes are refused");
  });

  it("private → exact: the seller gives up the protection", () => {
    expect(privacyChangeConsequences({ ...dataset, from: demo, to: EXACT_PRIVACY })[0]).toMatch(/^Every reading becomes exact again, for every buyer/);
  });

  it("private → private: a narrower range is refused, a raised budget lets buyers learn more", () => {
    const narrower = { ...demo, lowerBound: 2000n };
    expect(narrowsRange(demo, narrower)).toBe(true);
    expect(privacyChangeConsequences({ ...dataset, from: demo, to: narrower })[0]).toMatch(/^The range can only widen/);
    expect(narrowsRange(demo, { ...demo, lowerBound: 0n })).toBe(false);
    expect(privacyChangeConsequences({ ...dataset, from: demo, to: { ...demo, budget: 20_000 } })).toEqual([
      "Buyers may spend up to ε 20 per reading instead of ε 10: what they already spent stays spent, and they can learn more about every reading.",
    ]);
    expect(privacyChangeConsequences({ ...dataset, from: demo, to: demo })).toEqual([]);
  });
});
