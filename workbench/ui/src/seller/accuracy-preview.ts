/**
 * What accuracy a buyer would get from a private dataset, before the seller creates it: the 95 %
 * interval of a MEAN over typical windows at the smallest and the largest ε per statistic — the
 * recipes' own noise figures (`statisticNoise`, from the exact noise model), the ones a buyer's plan
 * and results show.
 */
import { RecipeKind, type PrivacyParams } from "@iotdm/contracts-client";
import { formatFigure, NoiseTooWideError, statisticNoise, type Statistic } from "../lib/recipes";

/** The windows a buyer typically asks about. */
export const PREVIEW_WINDOWS: readonly { label: string; seconds: number }[] = [
  { label: "1 hour", seconds: 3_600 },
  { label: "1 day", seconds: 86_400 },
  { label: "1 week", seconds: 7 * 86_400 },
];

/** One row of the preview: a window, its readings, the mean's ± (95 %, in the unit) at min and max ε, or why none. */
export interface AccuracyRow {
  window: string;
  readings: number;
  atMinEpsilon: number | "too wide";
  atMaxEpsilon: number | "too wide";
}

const MEAN: Statistic = { stat: "mean", label: "mean(value)", source: "mean(value)" };

/**
 * The 95 % half-width of a MEAN over `readings` readings at ε (thousandths), in the unit. "too wide"
 * where the contract refuses the noise (ε too small for the range).
 */
export function meanInterval95(options: { privacy: Pick<PrivacyParams, "lowerBound" | "upperBound">; scale: number; readings: number; epsilonMilli: number }): number | "too wide" {
  const { privacy, scale, readings, epsilonMilli } = options;
  const op = { kind: RecipeKind.MEAN, cmp: 0, epsilon: epsilonMilli, a: 0n, b: 0n, bounds: [] } as const;
  const setting = { lowerBound: privacy.lowerBound, upperBound: privacy.upperBound, budget: epsilonMilli, minEpsilon: epsilonMilli, maxEpsilon: epsilonMilli, privateFrom: 0 };
  try {
    // The offset does not change a mean's noise; the figure is in the unit.
    return statisticNoise(MEAN, [op], { setting, scale, offset: 0n, length: readings })?.halfWidth ?? "too wide";
  } catch (error) {
    if (error instanceof NoiseTooWideError) return "too wide";
    throw error;
  }
}

/** The preview table: MEAN over each typical window at a reading every `cadenceSeconds`, in whole buckets of k. */
export function accuracyPreview(options: { privacy: PrivacyParams; scale: number; k: number; cadenceSeconds: number }): AccuracyRow[] {
  const { privacy, scale, k, cadenceSeconds } = options;
  return PREVIEW_WINDOWS.map(({ label, seconds }) => {
    const raw = Math.max(1, Math.floor(seconds / cadenceSeconds));
    // Windows cover whole buckets: a window shorter than one bucket still reads k readings.
    const readings = Math.max(k, Math.floor(raw / k) * k);
    const at = (epsilonMilli: number) => meanInterval95({ privacy, scale, readings, epsilonMilli });
    return { window: label, readings, atMinEpsilon: at(privacy.minEpsilon), atMaxEpsilon: at(privacy.maxEpsilon) };
  });
}

/** A ± half-width as a buyer reads it, with the recipes' two significant digits ("± 0.52 °C", "± 2.1 °C"). */
export function formatPlusMinus(halfWidth: number | "too wide", unit: string): string {
  if (halfWidth === "too wide") return "ε too small for the range";
  return `± ${formatFigure(halfWidth)}${unit ? ` ${unit}` : ""}`;
}
