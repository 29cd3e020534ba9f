import { describe, expect, it } from "vitest";
import { describeDuration, formatUnixTime, parseDateTime } from "./time";

describe("parseDateTime", () => {
  it.each([
    ["2026-11-01", "2026-11-01T00:00:00Z"],
    ["2026-11-01T08:30", "2026-11-01T08:30:00Z"],
    ["2026-11-01T08:30:15Z", "2026-11-01T08:30:15Z"],
    ["2026-11-01T08:30+02:00", "2026-11-01T06:30:00Z"],
    ["2026-11-01T00:30-05:30", "2026-11-01T06:00:00Z"],
    ["2024-02-29", "2024-02-29T00:00:00Z"],
  ])("reads %s as %s (UTC unless an offset is given)", (text, iso) => {
    expect(formatUnixTime(parseDateTime(text)!)).toBe(iso);
  });

  it.each(["2026-02-29", "2026-13-01", "2026-04-31", "2026-11-01T24:00", "2026-11-01T08:60", "2026-11-01T08:00+15:00", "26-11-01"])(
    "rejects %s",
    (text) => {
      expect(parseDateTime(text)).toBeUndefined();
    },
  );
});

describe("describeDuration", () => {
  it.each([
    [86_400, "1 day"],
    [604_800, "1 week"],
    [5_400, "90 minutes"],
    [7_200, "2 hours"],
    [61, "61 seconds"],
  ])("%d seconds read as %s", (seconds, words) => {
    expect(describeDuration(seconds)).toBe(words);
  });
});
