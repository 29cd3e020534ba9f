import { describe, expect, it } from "vitest";
import type { StatisticResult } from "../lib/recipes";
import { ResultsCache, type KeyValueStorage } from "./results-cache";

const memory = (): KeyValueStorage & { map: Map<string, string> } => {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
};

describe("results cache", () => {
  it("gives back a buyer's results of a run, and nobody else's", () => {
    const storage = memory();
    const cache = new ResultsCache(storage);
    const results: StatisticResult[] = [{ label: "count", stat: "count", source: "count(x)", type: "count", count: 12 }];
    cache.put("0xAbC", "run-1", results);
    expect(cache.get("0xabc", "run-1")).toEqual(results);
    expect(cache.get("0xdef", "run-1")).toBeUndefined();
    expect(cache.get("0xabc", "run-2")).toBeUndefined();
  });

  it("survives a broken or missing storage", () => {
    const storage = memory();
    storage.map.set("iotdm.results.v1.0xabc.run-1", "{not json");
    expect(new ResultsCache(storage).get("0xabc", "run-1")).toBeUndefined();
    const none = new ResultsCache(undefined);
    none.put("0xabc", "r", []);
    expect(none.get("0xabc", "r")).toBeUndefined();
  });
});
