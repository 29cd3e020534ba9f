/**
 * A result as one short text for tables (a schedule's reports side by side): the number at the
 * data's precision with its unit, as the result cards show it. Pure.
 */
import type { StatisticResult } from "../lib/recipes";
import { noisyText } from "./noisy-display";

/** `21.35 °C`, `1,204 readings`, `12.5 %`, `yes`, `3 ranges`, `—` for no value. */
export function resultText(result: StatisticResult): string {
  // A private dataset's result says it is an estimate, with its ± (a noisy count may be fractional or below zero).
  const noisy = noisyText(result);
  if (noisy) return noisy;
  switch (result.type) {
    case "value":
    case "squared":
      return result.value ? `${result.value.text}${result.unit ? ` ${result.unit}` : ""}` : "—";
    case "count":
      return `${result.count.toLocaleString("en-US")} readings`;
    case "share":
      return result.percent;
    case "boolean":
      return result.value ? "yes" : "no";
    case "histogram":
      return `${result.buckets.map((b) => b.count.toLocaleString("en-US")).join(" / ")} readings`;
  }
}
