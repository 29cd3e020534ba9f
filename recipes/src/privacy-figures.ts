/**
 * The accuracy of a private dataset's results, in the value's unit, from the exact noise model
 * (noise-model.ts): per statistic the standard deviation of the estimate's error and the half-width
 * of its 95 % interval, before the run (in the plan) and, refined with the decrypted values, after it
 * (the interpreter). One place for both, so the ± a buyer sees before signing is the one he sees after.
 *
 * The contract noises each result r with z (discrete Laplace, mean −½); the estimate is r + z + ½,
 * whose error e = z + ½ is symmetric around 0. Noise units per op, as the contract's
 * `PrivacyNoise.unitSensitivity` (and the contracts client's `noiseUnits`) draw them, over readings
 * clamped into [lo, hi] (encoded units), c = ⌊(lo + hi)/2⌋:
 *
 * | op | noised result | Δ | ε per draw |
 * | --- | --- | --- | --- |
 * | SUM, MEAN | the sum S | hi − lo | ε |
 * | COUNT_IF | the count | 1 | ε |
 * | SUM_IF | the conditional sum | hi | ε |
 * | HISTOGRAM | each bucket count | 2 | ε |
 * | VARIANCE | the sum S, and Σ(x − c)² | hi − lo, (hi − c)² | ε/2 each |
 *
 * With D = 10^scale, o the offset, n the window length and hₚ the half-width at confidence p:
 * - count where, histogram buckets: ± h₉₅ readings; share: ± h₉₅/n; sum: ± h₉₅/D; mean: ± h₉₅/(n·D) —
 *   exact intervals (one noise each);
 * - sum where = (S′ + c′·o)/D has two noises: error (e₁ + o·e₂)/D, bounded by (h₉₇.₅(S′) + |o|·h₉₇.₅(c′))/D
 *   (a union bound: coverage ≥ 95 %), σ exact;
 * - mean where = (S′ + c′·o)/(c′·D): error (e₁ − e₂·x̄)/(c̃′·D) with x̄ ≤ hi the matching readings' encoded
 *   mean and c̃′ the noisy count: bounded by (h₉₇.₅(S′) + hi·h₉₇.₅(c′))/(c̃′·D); before the run c̃′ ≥ m − h₉₇.₅(c′)
 *   for m matching readings, taken as the whole window (an assumption the figure states);
 * - variance = Σ(x−c)²/n − μ′² (μ′ = S/n − c the centred mean): error e₂/n − 2μ′·e₁/n − e₁²/n², bounded by
 *   (h₉₇.₅(Q)/n + 2M·h₉₇.₅(S)/n + h₉₇.₅(S)²/n²)/D² with M ≥ |μ′|: hi − c before the run, |μ̃′| + h₉₇.₅(S)/n after;
 * - stddev = √variance: |√a − √b| ≤ √|a − b|, so ± √(variance's half-width) before the run; after it, the
 *   widest side of [√(ṽ − h), √(ṽ + h)].
 */
import type { StatisticFormId } from "./catalogue";
import type { Statistic } from "./ir";
import {
  noiseCentredInterval,
  noiseParameters,
  noiseVariance,
  ratioToNumber,
  type NoiseParameters,
} from "./noise-model";
import { RecipeKind, type RecipeKindCode } from "./catalogue";
import type { ContractOp } from "./program";
import type { PrivateSetting } from "./privacy";

/** The confidence of every interval the product shows. */
export const CONFIDENCE = 0.95;

/** The noise on one statistic's estimate. */
export interface NoiseFigure {
  /** Standard deviation of the estimate's error, in `unit`; null where it depends on the result itself (stddev). */
  readonly standardDeviation: number | null;
  /** Half-width of the 95 % interval around the estimate, in `unit`; null when it cannot be bounded (too few matching readings). */
  readonly halfWidth: number | null;
  /** `exact`: from the exact law of one noise; `bound`: a conservative bound over several noises (coverage ≥ 95 %). */
  readonly interval: "exact" | "bound";
  /** The figures' unit: the dataset's unit, its square (variance), `readings` (counts, histogram buckets) or `%` (share, percentage points). */
  readonly unit: string;
  /** What the figure assumes about the result, when it depends on it (a sentence). */
  readonly assumption?: string;
  /** The interval in words, e.g. `± 0.31 °C (95 %)`. */
  readonly text: string;
}

/** One noise draw's law: the variance of its error and its centred half-widths (w such that ±(w + ½) covers p). */
interface UnitLaw {
  readonly variance: number;
  readonly halfWidth95: number;
  readonly halfWidth975: number;
}

const lawCache = new Map<string, UnitLaw>();

/** The law of one draw for ε (thousandths), Δ and parts (memoised: a histogram repeats one). */
function unitLaw(epsilonMilli: number, sensitivity: bigint, parts: number): UnitLaw {
  const key = `${epsilonMilli}/${sensitivity}/${parts}`;
  let law = lawCache.get(key);
  if (!law) {
    const { thresholds }: NoiseParameters = noiseParameters({ epsilonMilli, sensitivity, parts });
    law = {
      variance: ratioToNumber(noiseVariance(thresholds)),
      halfWidth95: Number(noiseCentredInterval(thresholds, CONFIDENCE)) + 0.5,
      halfWidth975: Number(noiseCentredInterval(thresholds, (1 + CONFIDENCE) / 2)) + 0.5,
    };
    if (lawCache.size > 256) lawCache.clear();
    lawCache.set(key, law);
  }
  return law;
}

/** What the figures are computed from. */
export interface FigureContext {
  /** The private range readings are clamped into (encoded units). */
  readonly setting: Pick<PrivateSetting, "lowerBound" | "upperBound">;
  readonly scale: number;
  readonly offset: bigint;
  /** The window's number of readings (public). */
  readonly length: number;
  readonly unit?: string;
}

/**
 * What the decrypted results tell about the figures that depend on them (after the run): a conditional
 * mean's noisy matching count, the variance's noisy centred mean (encoded units) and its estimate
 * (the dataset's unit squared).
 */
export interface ObservedResult {
  readonly matchingCount?: number;
  readonly centredMean?: number;
  readonly variance?: number;
}

/**
 * The sensitivity Δ of noise draw `part` of an op of `kind` over readings clamped into [lo, hi], and how
 * many draws share the op's ε: the contract's `PrivacyNoise.unitSensitivity` (a worker test holds it
 * equal to the contracts client's `noiseUnits`). Undefined for kinds that are not noised.
 */
export function unitSensitivity(
  kind: RecipeKindCode,
  part: number,
  setting: Pick<PrivateSetting, "lowerBound" | "upperBound">,
): { sensitivity: bigint; parts: number } | undefined {
  const { lowerBound: lo, upperBound: hi } = setting;
  switch (kind) {
    case RecipeKind.SUM:
    case RecipeKind.MEAN:
      return { sensitivity: hi - lo, parts: 1 };
    case RecipeKind.COUNT_IF:
      return { sensitivity: 1n, parts: 1 };
    case RecipeKind.SUM_IF:
      return { sensitivity: hi, parts: 1 };
    case RecipeKind.HISTOGRAM:
      return { sensitivity: 2n, parts: 1 };
    case RecipeKind.VARIANCE:
      return part === 0 ? { sensitivity: hi - lo, parts: 2 } : { sensitivity: (hi - varianceCentre(setting)) ** 2n, parts: 2 };
    default:
      return undefined;
  }
}

/** The centre the contract's VARIANCE squares around: ⌊(lo + hi)/2⌋. */
export const varianceCentre = (setting: Pick<PrivateSetting, "lowerBound" | "upperBound">): bigint =>
  (setting.lowerBound + setting.upperBound) / 2n;

/**
 * The noise on a statistic's estimate, from its ops (the plan's ops with their ε); null for count(),
 * which is the public window length. `observed` refines figures that depend on the result.
 */
export function statisticNoise(statistic: Statistic, ops: readonly ContractOp[], context: FigureContext, observed: ObservedResult = {}): NoiseFigure | null {
  const { setting, length: n } = context;
  const d = 10 ** context.scale;
  const o = Number(context.offset);
  const hi = setting.upperBound;
  const unit = context.unit ?? "";
  const stat: StatisticFormId = statistic.stat;
  const op = (kind: RecipeKindCode) => ops.find((x) => x.kind === kind);
  const law = (kind: RecipeKindCode, part = 0) => {
    const { sensitivity, parts } = unitSensitivity(kind, part, setting)!;
    return unitLaw(op(kind)!.epsilon, sensitivity, parts);
  };
  switch (stat) {
    case "count":
      return null;
    case "countIf": {
      const u = law(RecipeKind.COUNT_IF);
      return figure(Math.sqrt(u.variance), u.halfWidth95, "exact", "readings");
    }
    case "share": {
      const u = law(RecipeKind.COUNT_IF);
      return figure((100 * Math.sqrt(u.variance)) / n, (100 * u.halfWidth95) / n, "exact", "%");
    }
    case "histogram": {
      const u = law(RecipeKind.HISTOGRAM);
      return figure(Math.sqrt(u.variance), u.halfWidth95, "exact", "readings", "each bucket");
    }
    case "sum":
    case "mean": {
      const u = law(stat === "sum" ? RecipeKind.SUM : RecipeKind.MEAN);
      const divisor = stat === "sum" ? d : n * d;
      return figure(Math.sqrt(u.variance) / divisor, u.halfWidth95 / divisor, "exact", unit);
    }
    case "sumIf":
    case "meanIf": {
      const sum = law(RecipeKind.SUM_IF);
      const count = law(RecipeKind.COUNT_IF);
      if (stat === "sumIf") {
        // The count undoes the offset: with none, the sum's own noise is the only one.
        if (o === 0) return figure(Math.sqrt(sum.variance) / d, sum.halfWidth95 / d, "exact", unit);
        return figure(Math.sqrt(sum.variance + o * o * count.variance) / d, (sum.halfWidth975 + Math.abs(o) * count.halfWidth975) / d, "bound", unit);
      }
      const x = Number(hi);
      const sd = Math.sqrt(sum.variance + x * x * count.variance);
      const numerator = sum.halfWidth975 + x * count.halfWidth975;
      if (observed.matchingCount !== undefined) {
        const c = observed.matchingCount;
        return figure(c > 0 ? sd / (c * d) : null, c > 0 ? numerator / (c * d) : null, "bound", unit);
      }
      const least = n - count.halfWidth975;
      return figure(sd / (n * d), least > 0 ? numerator / (least * d) : null, "bound", unit, undefined, "if every reading of the window meets the condition; fewer matching readings make it wider");
    }
    case "variance":
    case "stddev": {
      const centre = varianceCentre(setting);
      const s = law(RecipeKind.VARIANCE, 0);
      const q = law(RecipeKind.VARIANCE, 1);
      const before = observed.centredMean === undefined;
      const m = before ? Number(hi - centre) : Math.abs(observed.centredMean!) + s.halfWidth975 / n;
      const varianceWidth = (q.halfWidth975 / n + (2 * m * s.halfWidth975) / n + (s.halfWidth975 / n) ** 2) / (d * d);
      const varianceSd = Math.sqrt(q.variance / (n * n) + (4 * m * m * s.variance) / (n * n)) / (d * d);
      const assumption = before ? "whatever the window's mean within the dataset's range (a bound)" : undefined;
      if (stat === "variance") return figure(varianceSd, varianceWidth, "bound", unit ? `${unit}²` : "", undefined, assumption);
      if (observed.variance === undefined) return figure(null, Math.sqrt(varianceWidth), "bound", unit, undefined, assumption);
      const v = Math.max(0, observed.variance);
      const width = Math.max(Math.sqrt(v + varianceWidth) - Math.sqrt(v), Math.sqrt(v) - Math.sqrt(Math.max(0, v - varianceWidth)));
      return figure(v > 0 ? varianceSd / (2 * Math.sqrt(v)) : null, width, "bound", unit);
    }
    case "min":
    case "max":
    case "range":
    case "alert":
      throw new RangeError(`${stat} is not offered on a private dataset`);
  }
}

function figure(
  standardDeviation: number | null,
  halfWidth: number | null,
  interval: NoiseFigure["interval"],
  unit: string,
  prefix?: string,
  assumption?: string,
): NoiseFigure {
  const amount = halfWidth === null ? "unbounded" : `± ${formatFigure(halfWidth)}${unit ? (unit === "%" ? " %" : ` ${unit}`) : ""}`;
  return {
    standardDeviation,
    halfWidth,
    interval,
    unit,
    ...(assumption === undefined ? {} : { assumption }),
    text: `${prefix ? `${prefix} ` : ""}${amount} (95 %)`,
  };
}

/** A figure with two significant digits (`0.31`, `2.5`, `1,200`): the noise is known to about that. */
export function formatFigure(x: number): string {
  if (x === 0) return "0";
  const rounded = Number(x.toPrecision(2));
  return rounded.toLocaleString("en-US", { maximumFractionDigits: 20 });
}
