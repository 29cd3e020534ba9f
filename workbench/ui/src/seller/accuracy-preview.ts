/**
 * What accuracy a buyer would get from a private dataset, before the seller creates it: the 95 %
 * interval of a MEAN over typical windows at the smallest and the largest ε per statistic, from the
 * exact noise model (`@iotdm/recipes` noise-model: the contract's own thresholds and law) and the
 * contracts client's noise table (which sensitivity a MEAN's sum is noised for).
 */
import { noiseUnits, op, RecipeKind, type PrivacyParams } from "@iotdm/contracts-client";
import { noiseInterval, noiseParameters, NoiseTooWideError } from "../lib/recipes";

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

/**
 * The 95 % half-width of a MEAN over `readings` readings at ε (thousandths), in the unit: the
 * interval of the noise on the sum (calibrated to the range's width), divided by the public count
 * and the scale. "too wide" where the contract refuses the noise (ε too small for the range).
 */
export function meanInterval95(options: { privacy: Pick<PrivacyParams, "lowerBound" | "upperBound">; scale: number; readings: number; epsilonMilli: number }): number | "too wide" {
  const [unit] = noiseUnits([op({ kind: RecipeKind.MEAN, epsilon: options.epsilonMilli })], options.privacy);
  try {
    const { thresholds } = noiseParameters({ epsilonMilli: unit.epsilon, sensitivity: unit.sensitivity, parts: unit.parts });
    return Number(noiseInterval(thresholds, 0.95)) / options.readings / 10 ** options.scale;
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

/** A ± half-width as a buyer reads it: two significant digits, no exponent ("± 0.52 °C", "± 2.1 °C", "± 150 °C"). */
export function formatPlusMinus(halfWidth: number | "too wide", unit: string): string {
  if (halfWidth === "too wide") return "ε too small for the range";
  const suffix = unit ? ` ${unit}` : "";
  if (halfWidth === 0) return `± 0${suffix}`;
  const digits = Math.max(0, 1 - Math.floor(Math.log10(halfWidth)));
  return `± ${halfWidth.toFixed(Math.min(digits, 12))}${suffix}`;
}
