import { describe, expect, it } from "vitest";
import { benchmarkCompile } from "./benchmark";

describe("benchmarkCompile", () => {
  it("times every built-in template and summarises the samples", () => {
    const result = benchmarkCompile({ rounds: 3, warmup: 1 });
    expect(result.templates).toBeGreaterThanOrEqual(12);
    expect(result.samples).toBe(result.templates * 3);
    expect(result.perTemplate).toHaveLength(result.templates);
    expect(result.medianMs).toBeGreaterThan(0);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.medianMs);
    expect(result.maxMs).toBeGreaterThanOrEqual(result.p99Ms);
  });
});
