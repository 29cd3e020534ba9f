import { describe, expect, it } from "vitest";
import {
  canonicalDecimal,
  compareDecimals,
  divideRounded,
  dividesExactly,
  formatFixed,
  isqrt,
  parseDecimal,
  toScaledInteger,
  trimFraction,
} from "./decimal";

describe("decimal", () => {
  it.each([
    ["30", "30"],
    ["30.0", "30"],
    ["030.50", "30.5"],
    ["-0.0", "0"],
    ["-12.340", "-12.34"],
    ["0.001", "0.001"],
  ])("canonicalises %s as %s", (text, expected) => {
    expect(canonicalDecimal(text)).toBe(expected);
  });

  it("rejects what is not a decimal literal", () => {
    for (const text of ["", "1e5", ".5", "5.", "1,5", "--1", "NaN"]) expect(parseDecimal(text)).toBeUndefined();
  });

  it("compares exactly", () => {
    expect(compareDecimals(parseDecimal("0.1")!, parseDecimal("0.10")!)).toBe(0);
    expect(compareDecimals(parseDecimal("-0.5")!, parseDecimal("-0.25")!)).toBeLessThan(0);
    expect(compareDecimals(parseDecimal("100000000000000000000.1")!, parseDecimal("100000000000000000000")!)).toBeGreaterThan(0);
  });

  it("scales to the dataset's decimals without rounding", () => {
    expect(toScaledInteger(parseDecimal("30.5")!, 2)).toBe(3050n);
    expect(toScaledInteger(parseDecimal("-50")!, 2)).toBe(-5000n);
    expect(toScaledInteger(parseDecimal("30.125")!, 2)).toBeUndefined();
    expect(toScaledInteger(parseDecimal("30.120")!, 2)).toBe(3012n);
  });

  it("formats fixed-point values", () => {
    expect(formatFixed(2150n, 2)).toBe("21.50");
    expect(formatFixed(-5n, 2)).toBe("-0.05");
    expect(formatFixed(7n, 0)).toBe("7");
    expect(trimFraction("21.500")).toBe("21.5");
    expect(trimFraction("-0.000")).toBe("0");
  });

  it("divides with rounding half away from zero", () => {
    expect(formatFixed(divideRounded(2n, 3n, 4), 4)).toBe("0.6667");
    expect(formatFixed(divideRounded(-2n, 3n, 4), 4)).toBe("-0.6667");
    expect(formatFixed(divideRounded(1n, 8n, 2), 2)).toBe("0.13");
    expect(formatFixed(divideRounded(-1n, 8n, 2), 2)).toBe("-0.13");
    expect(dividesExactly(1n, 8n, 3)).toBe(true);
    expect(dividesExactly(1n, 3n, 10)).toBe(false);
  });

  it("takes exact integer square roots", () => {
    for (const n of [0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, 10n ** 40n, 10n ** 40n - 1n]) {
      const r = isqrt(n);
      expect(r * r <= n && (r + 1n) * (r + 1n) > n).toBe(true);
    }
  });
});
