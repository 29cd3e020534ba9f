import { describe, expect, it } from "vitest";
import { formatRunEarnings } from "./run-earnings";

describe("a dataset's per-run earnings in words", () => {
  it("says the seller's share and how many runs paid it", () => {
    expect(formatRunEarnings({ settledRuns: 2, sellerWei: "600000000000000" })).toBe("0.0006 ETH from 2 runs");
    expect(formatRunEarnings({ settledRuns: 1, sellerWei: "0" })).toBe("0 ETH from 1 run");
    expect(formatRunEarnings({ settledRuns: 12_345, sellerWei: "1234500000000000000" })).toBe("1.2345 ETH from 12,345 runs");
  });

  it("says when no run has settled, and when the figure is unknown", () => {
    expect(formatRunEarnings({ settledRuns: 0, sellerWei: "0" })).toBe("no settled run yet");
    expect(formatRunEarnings(undefined)).toBe("—");
  });
});
