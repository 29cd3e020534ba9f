import { describe, expect, it } from "vitest";
import { decodeReading, encodeReading } from "./encoding";

const thermometer = { scale: 2, offset: -5000n };

describe("reading encoding", () => {
  it.each([
    [21.37, 7137n],
    [-50, 0n],
    [0, 5000n],
    [-12.5, 3750n],
    [21.345, 7135n], // binary floating point would round this down
    [-0.005, 4999n], // half away from zero
  ])("encodes %s °C as %s at scale 2, offset -5000", (value, encoded) => {
    expect(encodeReading({ value, ...thermometer })).toEqual({ encoded, clamped: false });
  });

  it("rounds on the value's own digits, not twice", () => {
    expect(encodeReading({ value: 0.12451, scale: 2, offset: 0n }).encoded).toBe(12n);
    expect(encodeReading({ value: 1234.5, scale: 0, offset: 0n }).encoded).toBe(1235n);
    expect(encodeReading({ value: 3e-7, scale: 6, offset: 0n }).encoded).toBe(0n);
    expect(encodeReading({ value: 6e-7, scale: 6, offset: 0n }).encoded).toBe(1n);
  });

  it("clamps what the encoding cannot represent, and says so", () => {
    expect(encodeReading({ value: -50.01, ...thermometer })).toEqual({ encoded: 0n, clamped: true });
    expect(encodeReading({ value: 1e30, scale: 0, offset: 0n })).toEqual({ encoded: (1n << 64n) - 1n, clamped: true });
  });

  it("rejects values and scales that are not numbers it can encode", () => {
    expect(() => encodeReading({ value: Number.NaN, ...thermometer })).toThrow(RangeError);
    expect(() => encodeReading({ value: 1, scale: 19, offset: 0n })).toThrow(RangeError);
  });

  it("decodes back to the value", () => {
    expect(decodeReading({ encoded: 7137n, ...thermometer })).toBe(21.37);
    expect(decodeReading({ encoded: 0n, ...thermometer })).toBe(-50);
  });
});
