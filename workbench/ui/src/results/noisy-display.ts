/**
 * How a private dataset's noisy result reads: "≈ 20.9 °C ± 0.3 (95 %)". The value is the
 * interpreter's estimate (recipes' interpretResults, the one place results are interpreted) and the
 * ± its noise figure; here only the presentation: the estimate shown to the precision the noise
 * leaves meaningful, and counts that say they are noisy whenever they are fractional or negative.
 */
import { formatFigure, type NoiseFigure, type StatisticResult } from "../lib/recipes";

/** A result with its noise figure (the interpreter sets `noise` on a private dataset's results). */
export type MaybeNoisy = StatisticResult & { readonly noise?: NoiseFigure };

/** What the result card shows for a noisy result. */
export interface NoisyDisplay {
  /** The estimate with its unit: "≈ 20.9 °C", "≈ 42 readings". */
  approx: string;
  /** The interval: "± 0.3 (95 %)". */
  plusMinus: string;
  /** A sentence when the figure needs one (a noisy count below zero or fractional, an assumption). */
  note?: string;
}

/** Decimals of a figure's text ("0.31" → 2, "15" → 0, "1,200" → 0). */
function decimalsOf(text: string): number {
  const dot = text.indexOf(".");
  return dot === -1 ? 0 : text.length - dot - 1;
}

/** A number with `decimals` decimals, a real minus sign, no "-0". */
function fixed(x: number, decimals: number): string {
  const text = x.toFixed(decimals);
  const zero = Number(text) === 0;
  return zero ? text.replace(/^-/, "") : text.replace(/^-/, "−");
}

/** The ± of a figure, without its unit (the estimate carries it): "± 0.3 (95 %)"; `unit` for a figure in other units than the estimate's (a share's points). */
function plusMinusOf(noise: NoiseFigure, what = "", unit = ""): string {
  return noise.halfWidth === null ? `± unknown (too few readings to bound the noise${what})` : `± ${formatFigure(noise.halfWidth)}${unit} (95 %${what})`;
}

/** Shows an estimate to the ± figure's precision, never finer than the interpreter's own text. */
function estimate(value: number, ownDecimals: number, noise: NoiseFigure): string {
  const decimals = noise.halfWidth === null ? ownDecimals : Math.min(ownDecimals, decimalsOf(formatFigure(noise.halfWidth)));
  return fixed(value, decimals);
}

/** The noisy reading of a value, squared value, count or share result; undefined for exact results (no `noise`) and histograms. */
export function noisyDisplay(result: MaybeNoisy): NoisyDisplay | undefined {
  const noise = result.noise;
  if (!noise) return undefined;
  const assumption = noise.assumption ? `Assumes ${noise.assumption}.` : undefined;
  switch (result.type) {
    case "value":
    case "squared": {
      if (!result.value) return { approx: "—", plusMinus: plusMinusOf(noise), ...(result.type === "value" && result.note ? { note: result.note } : {}) };
      const unit = result.unit ? ` ${result.unit}` : "";
      return { approx: `≈ ${estimate(result.value.number, decimalsOf(result.value.text), noise)}${unit}`, plusMinus: plusMinusOf(noise), ...(assumption ? { note: assumption } : {}) };
    }
    case "count": {
      const shown = estimate(result.count, decimalsOf(String(result.count)), noise);
      const odd = result.count < 0 || !Number.isInteger(result.count);
      return {
        approx: `≈ ${shown} readings`,
        plusMinus: plusMinusOf(noise, ", noisy count"),
        ...(odd
          ? {
              note: `A noisy count: the released figure is ${fixed(result.count, decimalsOf(String(result.count)))}, not a whole number of readings${result.count < 0 ? " and below zero" : ""}, because noise protects each reading; the true count is a whole number from ${Math.max(0, Math.ceil(result.count - (noise.halfWidth ?? Infinity)))} up, within the ± above at 95 %.`,
            }
          : {}),
      };
    }
    case "share":
      return { approx: `≈ ${estimate(result.share.number * 100, 2, noise)} %`, plusMinus: plusMinusOf(noise, "", " points") };
    default:
      return undefined;
  }
}

/** Each histogram bar's 95 % half-width (readings), for error bars; undefined for an exact histogram. */
export function histogramErrors(result: MaybeNoisy & { type: "histogram" }): number[] | undefined {
  const width = result.noise?.halfWidth;
  return width === undefined || width === null ? undefined : result.buckets.map(() => width);
}

/** A noisy result in one line, for tables of reports and runs side by side: "≈ 20.9 °C ± 0.3 (95 %)"; undefined for an exact result. */
export function noisyText(result: MaybeNoisy): string | undefined {
  if (result.type === "histogram") {
    const errors = histogramErrors(result);
    if (!errors) return undefined;
    return `≈ ${result.buckets.map((b) => b.count.toLocaleString("en-US")).join(" / ")} readings, each ± ${formatFigure(errors[0]!)} (95 %, noisy counts)`;
  }
  const shown = noisyDisplay(result);
  return shown && `${shown.approx} ${shown.plusMinus}`;
}
