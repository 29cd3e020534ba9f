/**
 * Dates and times of `window from … to …`: ISO 8601 calendar dates with an optional time, in UTC
 * unless an offset is written. A date alone is its midnight UTC.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(Z|([+-])(\d{2}):(\d{2}))?)?$/;

/**
 * Unix seconds of an ISO date or date-time (`2026-11-01`, `2026-11-01T08:30`,
 * `2026-11-01T08:30:00+02:00`), or undefined when it is malformed or names a day or time that
 * does not exist (`2026-02-30`, `25:00`).
 */
export function parseDateTime(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) =>
    x === undefined ? undefined : Number(x),
  ) as number[];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(millis);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;
  let offsetMinutes = 0;
  if (m[8]) {
    const offsetHours = Number(m[9]);
    const offsetMins = Number(m[10]);
    if (offsetHours > 14 || offsetMins > 59) return undefined;
    offsetMinutes = (m[8] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return Math.floor(millis / 1000) - offsetMinutes * 60;
}

/** A unix time as an ISO 8601 UTC text without milliseconds (`2026-11-01T08:30:00Z`). */
export function formatUnixTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

/** A duration in words for notes: `24 hours`, `7 days`, `90 seconds`. */
export function describeDuration(seconds: number): string {
  const units: [number, string][] = [
    [604_800, "week"],
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
    [1, "second"],
  ];
  for (const [size, name] of units) {
    if (seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${name}${n === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} seconds`;
}
