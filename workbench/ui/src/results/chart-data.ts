/**
 * Results as chart series, independent of the chart library: histogram buckets as bars, and a
 * schedule's reports as one line per numeric statistic over time.
 */
import type { StatisticResult } from "../lib/recipes";

/** Bars of a histogram. */
export interface BarSeries {
  labels: string[];
  counts: number[];
  /** Share of the window in each bucket, 0..1. */
  shares: number[];
  /** On a private dataset: each bucket count's 95 % half-width (readings), drawn as error bars. */
  errors?: number[];
}

/** The bars of a histogram result. */
export function histogramBars(result: Extract<StatisticResult, { type: "histogram" }>): BarSeries {
  const total = result.total || result.buckets.reduce((s, b) => s + b.count, 0);
  return {
    labels: result.buckets.map((b) => b.label),
    counts: result.buckets.map((b) => b.count),
    shares: result.buckets.map((b) => (total > 0 ? b.count / total : 0)),
  };
}

/** One report of a schedule, decrypted. */
export interface ReportPoint {
  /** Unix milliseconds the report's window ends (or the run finished). */
  at: number;
  results: readonly StatisticResult[];
}

/** A line of a report chart. */
export interface LineSeries {
  label: string;
  unit?: string;
  /** `error`: the 95 % half-width of a noisy value (a private dataset's report), drawn as an error bar. */
  points: { x: number; y: number; error?: number }[];
}

/** The lowest and highest values with their error bars, for a scale that shows the whole bar. */
export function extentWithErrors(values: readonly { y: number; error?: number }[]): { min: number; max: number } | undefined {
  if (!values.some((v) => v.error)) return undefined;
  return {
    min: Math.min(...values.map((v) => v.y - (v.error ?? 0))),
    max: Math.max(...values.map((v) => v.y + (v.error ?? 0))),
  };
}

/** The plotted number of a result, when it has one. */
export function numericValue(result: StatisticResult): number | undefined {
  switch (result.type) {
    case "count":
      return result.count;
    case "share":
      return result.share.number * 100;
    case "value":
      return result.value?.number;
    case "squared":
      return result.value.number;
    case "boolean":
      return result.value ? 1 : 0;
    case "histogram":
      return undefined;
  }
}

/** One line per statistic label across the reports, in report time order. */
export function reportLines(reports: readonly ReportPoint[]): LineSeries[] {
  const lines = new Map<string, LineSeries>();
  for (const report of [...reports].sort((a, b) => a.at - b.at)) {
    for (const result of report.results) {
      const y = numericValue(result);
      if (y === undefined) continue;
      const unit = result.type === "share" ? "%" : result.type === "count" ? "readings" : result.type === "boolean" ? "1 = yes" : "unit" in result ? result.unit : undefined;
      // A private dataset's result: its 95 % half-width, as an error bar (shares' in percentage points, as plotted).
      const error = (result as { noise?: { halfWidth: number | null } }).noise?.halfWidth ?? undefined;
      let line = lines.get(result.label);
      if (!line) {
        line = { label: result.label, ...(unit ? { unit } : {}), points: [] };
        lines.set(result.label, line);
      }
      line.points.push(error === undefined ? { x: report.at, y } : { x: report.at, y, error });
    }
  }
  return [...lines.values()];
}

/** The x values of a report chart's ticks: one per report, each once, in time order. */
export function reportTicks(lines: readonly LineSeries[]): number[] {
  return [...new Set(lines.flatMap((line) => line.points.map((p) => p.x)))].sort((a, b) => a - b);
}

/**
 * The titles of a report chart's two y axes: the first line on the left, the others on the right
 * (`mean(temperature) (°C)`; lines sharing a unit name it once: `min, max (°C)`).
 */
export function axisTitles(lines: readonly LineSeries[]): { left: string; right?: string } {
  const title = (group: readonly LineSeries[]) => {
    const units = [...new Set(group.map((l) => l.unit ?? ""))];
    if (units.length === 1) return `${group.map((l) => l.label).join(", ")}${units[0] ? ` (${units[0]})` : ""}`;
    return group.map((l) => (l.unit ? `${l.label} (${l.unit})` : l.label)).join(", ");
  };
  const [first, ...rest] = lines;
  if (!first) return { left: "" };
  return { left: title([first]), ...(rest.length ? { right: title(rest) } : {}) };
}
