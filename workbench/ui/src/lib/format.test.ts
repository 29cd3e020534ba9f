import { describe, expect, it } from "vitest";
import { formatDuration, formatEth, formatRelative, shortAddress } from "./format";

describe("formatting", () => {
  it.each([
    ["1000000000000000", "0.001 ETH"],
    ["1500000000000000000", "1.5 ETH"],
    ["2000000000000000000", "2 ETH"],
    ["123456789", "0.0000000001234 ETH"],
    ["0", "0 ETH"],
  ])("prints %s wei as %s", (wei, text) => {
    expect(formatEth(wei)).toBe(text);
  });

  it.each([
    [86_400, "1 day"],
    [30 * 86_400, "1 month"],
    [7200, "2 hours"],
    [90, "90 seconds"],
    [5400, "90 minutes"],
  ])("prints %i seconds as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("says how long ago, and how soon", () => {
    const now = Date.parse("2030-01-01T12:00:00Z");
    expect(formatRelative("2030-01-01T11:55:00Z", now)).toBe("5 minutes ago");
    expect(formatRelative("2030-01-01T14:00:00Z", now)).toBe("in 2 hours");
    expect(formatRelative("2030-01-01T12:00:10Z", now)).toBe("just now");
  });

  it("shortens addresses", () => {
    expect(shortAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")).toBe("0x7099…79C8");
  });
});
