/** Formatting for screens: amounts of ETH, durations, dates, addresses, counts. */
import { formatEther } from "ethers";

/** `0x7099…79C8`. */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** Wei as ETH with at most 6 significant decimals: `0.001 ETH`. */
export function formatEth(wei: bigint | string): string {
  const text = formatEther(BigInt(wei));
  const [whole, fraction = ""] = text.split(".");
  const trimmed = fraction.replace(/0+$/, "");
  if (!trimmed) return `${whole} ETH`;
  const significant = /^0*/.exec(trimmed)![0].length + 4;
  return `${whole}.${trimmed.slice(0, Math.max(significant, 2)).replace(/0+$/, "")} ETH`;
}

const UNITS: [number, string][] = [
  [365 * 86_400, "year"],
  [30 * 86_400, "month"],
  [7 * 86_400, "week"],
  [86_400, "day"],
  [3_600, "hour"],
  [60, "minute"],
  [1, "second"],
];

/** A duration in words: `1 day`, `30 days`, `2 hours`, `90 minutes`. Exact units are preferred. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return "0 seconds";
  for (const [size, name] of UNITS) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n.toLocaleString("en-US")} ${name}${n === 1 ? "" : "s"}`;
    }
  }
  for (const [size, name] of UNITS) {
    if (seconds >= size) {
      const n = Math.round((seconds / size) * 10) / 10;
      return `${n} ${name}s`;
    }
  }
  return `${seconds} seconds`;
}

/** A date and time for tables: `12 Nov 2026, 08:30`. Accepts unix seconds or ISO text. */
export function formatDateTime(value: number | string | null | undefined, options: { timeZone?: string } = {}): string {
  if (value === null || value === undefined || value === "") return "—";
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return "—";
  return date.toLocaleString("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", ...options });
}

/** A date without time: `12 Nov 2026`. */
export function formatDate(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return "—";
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
}

/** How long ago: `just now`, `5 minutes ago`, `3 days ago`; `in 2 hours` for the future. */
export function formatRelative(value: string | number, now = Date.now()): string {
  const at = typeof value === "number" ? value * 1000 : Date.parse(value);
  const delta = Math.round((at - now) / 1000);
  const magnitude = Math.abs(delta);
  if (magnitude < 45) return "just now";
  for (const [size, name] of UNITS) {
    if (magnitude >= size) {
      const n = Math.round(magnitude / size);
      const words = `${n} ${name}${n === 1 ? "" : "s"}`;
      return delta < 0 ? `${words} ago` : `in ${words}`;
    }
  }
  return "just now";
}

/** `1,234`. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** The span of a dataset's readings: `3 Nov 2026 – 12 Nov 2026`, or `—`. */
export function formatSpan(first: number | null | undefined, last: number | null | undefined): string {
  if (!first && !last) return "—";
  if (!first) return `until ${formatDate(last)}`;
  return `${formatDate(first)} – ${formatDate(last)}`;
}
