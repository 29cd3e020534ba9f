import { describe, expect, it } from "vitest";
import { PrivacyMode } from "@iotdm/contracts-client";
import type { Dataset } from "../api/datasets-api";
import { testDataset } from "../datasets/testing";
import { getTemplate } from "../lib/recipes";
import { templateFit } from "./dataset-fit";

const exact: Dataset = testDataset({ k: 12, readingCount: 864, priceWei: "1000" });
// The demo's home-temperature: −10 to 40 °C, ε 0.1 to 2, budget ε 10; MIN, MAX and ALERT not approved.
const NOT_ON_PRIVATE = (1 << 3) | (1 << 4) | (1 << 9);
const home: Dataset = {
  ...exact,
  id: "5",
  name: "home-temperature",
  approvedMask: 0b1111111111 & ~NOT_ON_PRIVATE,
  approvedKinds: ["COUNT", "SUM", "MEAN", "COUNT_IF", "SUM_IF", "HISTOGRAM", "VARIANCE"],
  privacy: { mode: PrivacyMode.PRIVATE, lowerBound: 4000n, upperBound: 9000n, budget: 10_000, minEpsilon: 100, maxEpsilon: 2000 },
};
const template = (id: string) => getTemplate(id)!.source;

describe("a template forked onto a dataset", () => {
  it("runs on an exact dataset that approves what it needs, without noise", () => {
    expect(templateFit(template("daily-summary"), exact)).toEqual({ fits: true, noisy: false });
  });

  it("runs on a private dataset when it needs no MIN, MAX or ALERT, its results noisy", () => {
    expect(templateFit(template("temperature-histogram"), home)).toEqual({ fits: true, noisy: true });
  });

  it("says why not on a private dataset when it needs a statistic a private dataset does not offer", () => {
    const fit = templateFit(template("daily-summary"), home);
    expect(fit.fits).toBe(false);
    expect(fit.fits === false && fit.reasons.join(" ")).toMatch(/private/i);
  });

  it("says which recipe type the seller has not approved", () => {
    const fit = templateFit(template("temperature-histogram"), { ...exact, approvedMask: 0b1, approvedKinds: ["COUNT"] });
    expect(fit.fits).toBe(false);
    expect(fit.fits === false && fit.reasons.join(" ")).toMatch(/histogram/i);
  });
});
