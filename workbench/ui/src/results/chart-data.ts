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
  points: { x: number; y: number }[];
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
      const unit = result.type === "share" ? "%" : "unit" in result ? result.unit : undefined;
      let line = lines.get(result.label);
      if (!line) {
        line = { label: result.label, ...(unit ? { unit } : {}), points: [] };
        lines.set(result.label, line);
      }
      line.points.push({ x: report.at, y });
    }
  }
  return [...lines.values()];
}
