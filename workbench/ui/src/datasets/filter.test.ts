import { describe, expect, it } from "vitest";
import { testDataset } from "./testing";
import { filterDatasets, hasAccess } from "./filter";

const base = { priceWei: "1000", readingCount: 100, approvedMask: 0b100 };
const datasets = [
  testDataset(base),
  testDataset({ ...base, id: "2", name: "cold room", field: "temperature", priceWei: "10", readingCount: 900, approvedMask: 0b10000000, accessExpiresAt: 2_000 }),
  testDataset({ ...base, id: "3", name: "meter", field: "power", unit: "W", priceWei: "5000", readingCount: 5 }),
];

describe("catalogue filter", () => {
  it("finds words in names, fields and units", () => {
    expect(filterDatasets(datasets, { q: "temperature" }, 0).map((d) => d.id)).toEqual(["2", "1"]);
    expect(filterDatasets(datasets, { q: "w" }, 0).map((d) => d.id)).toEqual(["3"]);
    expect(filterDatasets(datasets, { q: "#2" }, 0).map((d) => d.id)).toEqual(["2"]);
  });

  it("keeps datasets approving a recipe kind, or those the buyer can use now", () => {
    expect(filterDatasets(datasets, { kind: "HISTOGRAM" }, 0).map((d) => d.id)).toEqual(["2"]);
    expect(filterDatasets(datasets, { access: true }, 1_000).map((d) => d.id)).toEqual(["2"]);
    expect(filterDatasets(datasets, { access: true }, 3_000)).toEqual([]);
    expect(hasAccess({ accessExpiresAt: null }, 0)).toBe(false);
  });

  it("sorts by readings or price", () => {
    expect(filterDatasets(datasets, { sort: "readings" }, 0).map((d) => d.id)).toEqual(["2", "1", "3"]);
    expect(filterDatasets(datasets, { sort: "price" }, 0).map((d) => d.id)).toEqual(["2", "1", "3"]);
  });
});
