/**
 * A cell's runs side by side: one row per statistic label, one column per run, the value as the
 * result view shows it, so that a buyer compares how a number moved between runs.
 */
import type { StatisticResult } from "../lib/recipes";
import { noisyText } from "./noisy-display";

/** The text a result shows in a comparison. */
export function resultText(result: StatisticResult): string {
  // A private dataset's result says it is an estimate, with its ± (a noisy count may be fractional or below zero).
  const noisy = noisyText(result);
  if (noisy) return noisy;
  switch (result.type) {
    case "value":
      return result.value ? `${result.value.text}${result.unit ? ` ${result.unit}` : ""}` : "—";
    case "squared":
      return `${result.value.text}${result.unit ? ` ${result.unit}` : ""}`;
    case "count":
      return result.count.toLocaleString("en-US");
    case "share":
      return result.percent;
    case "boolean":
      return result.value ? "Yes" : "No";
    case "histogram":
      return result.buckets.map((b) => `${b.label}: ${b.count.toLocaleString("en-US")}`).join(" · ");
  }
}

/** Rows of the comparison: each label (in first-seen order) with its text in each run (undefined where absent). */
export function comparisonRows(runs: readonly (readonly StatisticResult[] | undefined)[]): { label: string; values: (string | undefined)[] }[] {
  const labels: string[] = [];
  for (const results of runs) for (const r of results ?? []) if (!labels.includes(r.label)) labels.push(r.label);
  return labels.map((label) => ({
    label,
    values: runs.map((results) => {
      const found = results?.find((r) => r.label === label);
      return found ? resultText(found) : undefined;
    }),
  }));
}
