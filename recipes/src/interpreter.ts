/**
 * The result interpreter: the buyer's browser decrypts a finished run's result handles (in the
 * plan's handle order) and this turns them into statistics in the dataset's unit.
 *
 * Every handle holds encoded values (`encoded = scaled − offset`, `scaled = value × 10^scale`).
 * With n the public window length, D = 10^scale and o the offset:
 * - sum        = (S + n·o) / D                  (S: encoded sum)
 * - mean       = (S + n·o) / (n·D)
 * - sum where  = (S' + c·o) / D                 (S': conditional encoded sum, c: its count)
 * - mean where = (S' + c·o) / (c·D)
 * - min, max   = (m + o) / D;  range = (M − m) / D
 * - variance   = (n·Q − S²) / (n²·D²)           (Q: encoded sum of squares; the offset cancels)
 * - stddev     = √variance
 * - share      = c / n
 * All arithmetic is on bigints; a result is rounded only when it is printed (half away from zero).
 *
 * Private datasets (`plan.privacy`): every result but COUNT's carries the contract's noise z, added
 * mod 2⁶⁴, with mean −½. Each noised value v is read as a signed 64-bit integer and estimated as
 * v + ½ (unbiased), then the formulas above apply to the estimates (a mean is the noisy sum ÷ the
 * public n; a conditional mean the noisy sum ÷ the noisy count; VARIANCE's second result holds the
 * squares centred on c = ⌊(lo + hi)/2⌋, so variance = (n·Q′ − (S − n·c)²)/(n²·D²), clamped at 0).
 * Counts become fractional (41.5) and may be negative; each result carries its `noise` (the ± at
 * 95 %, privacy-figures.ts, refined with the decrypted values) and `exact: false` quantities.
 * This is the one place results are interpreted: the notebook, the reports and the tests call it.
 */
import type { StatisticFormId } from "./catalogue";
import { divideRounded, dividesExactly, formatFixed, isqrt, pow10, trimFraction } from "./decimal";
import type { Statistic } from "./ir";
import type { Plan } from "./planner";
import type { HandleType } from "./program";
import { statisticNoise, varianceCentre, type NoiseFigure, type ObservedResult } from "./privacy-figures";

/** A number for display: exact text (possibly rounded), a float for charts, and whether the text is exact. */
export interface Quantity {
  readonly text: string;
  readonly number: number;
  readonly exact: boolean;
}

/** One bucket of a histogram. */
export interface HistogramBucket {
  /** `< 0`, `0 – 10`, `≥ 40`. */
  readonly label: string;
  /** Inclusive lower bound (absent for the first bucket). */
  readonly from?: string;
  /** Exclusive upper bound (absent for the last bucket). */
  readonly to?: string;
  readonly count: number;
}

/** What every result has. */
interface ResultBase {
  readonly label: string;
  readonly stat: StatisticFormId;
  readonly source: string;
  /**
   * On a private dataset: the noise on this estimate (± at 95 % in the value's unit), refined with the
   * decrypted values; absent for exact results (and for count(), which is the public window length).
   */
  readonly noise?: NoiseFigure;
}

/** The interpreted result of one statistic, by the catalogue form's result shape. */
export type StatisticResult = ResultBase &
  (
    | { readonly type: "count"; readonly count: number }
    | { readonly type: "share"; readonly share: Quantity; readonly percent: string; readonly matching: number; readonly total: number }
    | { readonly type: "value"; readonly value: Quantity | null; readonly unit?: string; readonly note?: string }
    | { readonly type: "squared"; readonly value: Quantity; readonly unit?: string; readonly note?: string }
    | { readonly type: "histogram"; readonly buckets: readonly HistogramBucket[]; readonly total: number }
    | { readonly type: "boolean"; readonly value: boolean }
  );

/** Input of {@link interpretResults}. */
export interface InterpretOptions {
  readonly plan: Plan;
  /**
   * The decrypted result handles, in `plan.handles` order: bigint for euint64/euint32, boolean for ebool.
   * A private run's noised values may be given as decrypted (uint64) or already signed (`noisyValue`).
   */
  readonly decrypted: readonly (bigint | boolean)[];
  /** Decimals beyond the dataset's own for derived results (mean, variance, stddev); default 2. */
  readonly extraDigits?: number;
}

/**
 * Interprets a run's decrypted results, one per statistic in recipe order.
 * Throws a TypeError when the values do not match the plan's handles (a caller's mistake).
 */
export function interpretResults({ plan, decrypted, extraDigits = 2 }: InterpretOptions): StatisticResult[] {
  if (decrypted.length !== plan.handles.length) {
    throw new TypeError(`the plan has ${plan.handles.length} result handles, got ${decrypted.length} values`);
  }
  const noisy = plan.privacy !== undefined;
  decrypted.forEach((value, i) => checkType(value, plan.handles[i].type, i, noisy && plan.handles[i].role !== "windowLength"));
  const byOp: (bigint | boolean)[][] = plan.ops.map(() => []);
  plan.handles.forEach((handle, i) => byOp[handle.op].push(decrypted[i]));
  if (noisy) return interpretNoisy(plan, byOp, extraDigits);
  const context = new Context(plan, extraDigits);
  return plan.outputs.map(({ statistic, ops }) => context.interpret(statistic, ops.map((op) => byOp[op])));
}

function checkType(value: bigint | boolean, type: HandleType, index: number, signed: boolean): void {
  const ok =
    type === "ebool"
      ? typeof value === "boolean"
      : typeof value === "bigint" && (signed ? value >= -(1n << 63n) && value < 1n << 64n : value >= 0n);
  if (!ok) throw new TypeError(`result handle ${index} is a ${type}; got ${typeof value} ${String(value)}`);
}

/**
 * A private run's results: each noised value (signed 64-bit, noise mean −½) as twice its unbiased
 * estimate, 2v + 1, so that every formula stays exact in bigints; then the exact formulas over 2·D.
 */
function interpretNoisy(plan: Plan, byOp: (bigint | boolean)[][], extraDigits: number): StatisticResult[] {
  const setting = { lowerBound: plan.privacy!.lowerBound, upperBound: plan.privacy!.upperBound };
  const n = BigInt(plan.window.length);
  const d = pow10(plan.encoding.scale);
  const o = plan.encoding.offset;
  const digits = plan.encoding.scale + extraDigits;
  const unit = plan.unit === undefined ? {} : { unit: plan.unit };
  const context = { setting, scale: plan.encoding.scale, offset: o, length: plan.window.length, ...unit };
  /** Twice the estimate of a noised value: 2·(signed v + ½). */
  const twice = (value: bigint | boolean) => 2n * BigInt.asIntN(64, value as bigint) + 1n;
  const quantity = (numerator: bigint, denominator: bigint, places = digits): Quantity => {
    const text = formatFixed(divideRounded(numerator, denominator, places), places);
    return { text, number: Number(text), exact: false };
  };
  const count = (value: bigint | boolean) => Number(twice(value)) / 2;
  return plan.outputs.map(({ statistic, ops }) => {
    const values = ops.map((op) => byOp[op]);
    const contractOps = ops.map((op) => plan.ops[op]);
    const base = { label: statistic.label, stat: statistic.stat, source: statistic.source };
    const noise = (observed: ObservedResult = {}) => statisticNoise(statistic, contractOps, context, observed) ?? undefined;
    const withNoise = <T extends object>(result: T, observed?: ObservedResult) => {
      const figure = noise(observed);
      return (figure ? { ...result, noise: figure } : result) as T & { noise?: NoiseFigure };
    };
    switch (statistic.stat) {
      case "count":
        return { ...base, type: "count", count: Number(values[0][0] as bigint) };
      case "countIf":
        return withNoise({ ...base, type: "count", count: count(values[0][0]) });
      case "share": {
        const matching = twice(values[0][0]);
        const share = quantity(matching, 2n * n, 4);
        const percent = `${trimFraction(formatFixed(divideRounded(matching * 100n, 2n * n, 2), 2))}%`;
        return withNoise({ ...base, type: "share", share, percent, matching: Number(matching) / 2, total: Number(n) });
      }
      case "sum":
        return withNoise({ ...base, type: "value", value: quantity(twice(values[0][0]) + 2n * n * o, 2n * d), ...unit });
      case "mean":
        return withNoise({ ...base, type: "value", value: quantity(twice(values[0][0]) + 2n * n * o, 2n * n * d), ...unit });
      case "sumIf":
      case "meanIf": {
        const [sum, matching] = [twice(values[0][0]), twice(values[1][0])];
        const scaled = 2n * sum + matching * 2n * o; // 4 × (S′ + c′·o)
        if (statistic.stat === "sumIf") return withNoise({ ...base, type: "value", value: quantity(scaled, 4n * d), ...unit });
        const observed = { matchingCount: Number(matching) / 2 };
        if (matching <= 0n) {
          return withNoise({ ...base, type: "value", value: null, note: "no reading met the condition, as far as the noisy count tells", ...unit }, observed);
        }
        return withNoise({ ...base, type: "value", value: quantity(scaled, 2n * matching * d), ...unit }, observed);
      }
      case "histogram":
        return withNoise({ ...base, type: "histogram", buckets: bucketsOf(statistic.bounds, values[0].map(count)), total: Number(n) });
      case "variance":
      case "stddev": {
        const [sum, squares] = [twice(values[0][0]), twice(values[0][1])];
        // Centred: S′ = S − n·c (twice: sum − 2nc); variance·n²·D² = n·Q′ − S′², here over 4n²D².
        const centred = sum - 2n * n * varianceCentre(setting);
        let numerator = 2n * n * squares - centred * centred;
        const denominator = 4n * n * n * d * d;
        const clamped = numerator < 0n;
        if (clamped) numerator = 0n;
        const variance = Number(numerator) / Number(denominator);
        const observed = { centredMean: Number(centred) / Number(2n * n), variance };
        const note = clamped ? { note: "the noise took the estimate below 0; shown as 0" } : {};
        if (statistic.stat === "variance") {
          const value = quantity(numerator, denominator, 2 * plan.encoding.scale + extraDigits);
          return withNoise({ ...base, type: "squared", value, ...(plan.unit ? { unit: `${plan.unit}²` } : {}), ...note }, observed);
        }
        const root = isqrt((numerator * pow10(2 * digits + 2)) / denominator);
        const text = formatFixed((root + 5n) / 10n, digits);
        return withNoise({ ...base, type: "value", value: { text, number: Number(text), exact: false }, ...unit, ...note }, observed);
      }
      case "min":
      case "max":
      case "range":
      case "alert":
        throw new TypeError(`${statistic.stat} cannot run on a private dataset`);
    }
    const unknown: never = statistic;
    throw new TypeError(`no interpretation for ${JSON.stringify(unknown)}`);
  }) as StatisticResult[];
}

/** Histogram buckets labelled by their bounds. */
function bucketsOf(bounds: readonly string[], counts: readonly number[]): HistogramBucket[] {
  return counts.map((count, i) => {
    const from = i > 0 ? bounds[i - 1] : undefined;
    const to = i < bounds.length ? bounds[i] : undefined;
    const label = from === undefined ? `< ${to}` : to === undefined ? `≥ ${from}` : `${from} – ${to}`;
    return { label, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), count };
  });
}

class Context {
  private readonly d: bigint;
  private readonly o: bigint;
  private readonly n: bigint;
  private readonly scale: number;

  constructor(
    private readonly plan: Plan,
    private readonly extraDigits: number,
  ) {
    this.scale = plan.encoding.scale;
    this.d = pow10(this.scale);
    this.o = plan.encoding.offset;
    this.n = BigInt(plan.window.length);
  }

  interpret(statistic: Statistic, values: (bigint | boolean)[][]): StatisticResult {
    const base: ResultBase = { label: statistic.label, stat: statistic.stat, source: statistic.source };
    const unit = this.plan.unit === undefined ? {} : { unit: this.plan.unit };
    const big = (op: number, i = 0) => values[op][i] as bigint;
    switch (statistic.stat) {
      case "count":
      case "countIf":
        return { ...base, type: "count", count: Number(big(0)) };
      case "share": {
        const matching = big(0);
        const share = this.ratio(matching, this.n, 4);
        const percent = `${trimFraction(formatFixed(divideRounded(matching * 100n, this.n, 2), 2))}%`;
        return { ...base, type: "share", share, percent, matching: Number(matching), total: Number(this.n) };
      }
      case "sum":
        return { ...base, type: "value", value: this.fixed(big(0) + this.n * this.o), ...unit };
      case "mean":
        return { ...base, type: "value", value: this.ratio(big(0) + this.n * this.o, this.n * this.d, this.scale + this.extraDigits), ...unit };
      case "sumIf":
      case "meanIf": {
        const [sum, count] = [big(0), big(1)];
        const scaledSum = sum + count * this.o;
        if (statistic.stat === "sumIf") return { ...base, type: "value", value: this.fixed(scaledSum), ...unit };
        if (count === 0n) return { ...base, type: "value", value: null, note: "no reading met the condition", ...unit };
        return { ...base, type: "value", value: this.ratio(scaledSum, count * this.d, this.scale + this.extraDigits), ...unit };
      }
      case "min":
      case "max":
        return { ...base, type: "value", value: this.fixed(big(0) + this.o), ...unit };
      case "range":
        return { ...base, type: "value", value: this.fixed(big(1) - big(0)), ...unit };
      case "variance":
      case "stddev": {
        const [sum, squares] = [big(0, 0), big(0, 1)];
        // n²·D²·variance = n·Q − S² (population variance, in scaled units squared).
        const numerator = this.n * squares - sum * sum;
        const denominator = this.n * this.n * this.d * this.d;
        if (statistic.stat === "variance") {
          return { ...base, type: "squared", value: this.ratio(numerator, denominator, 2 * this.scale + this.extraDigits), ...(this.plan.unit ? { unit: `${this.plan.unit}²` } : {}) };
        }
        return { ...base, type: "value", value: this.sqrt(numerator, denominator, this.scale + this.extraDigits), ...unit };
      }
      case "histogram":
        return { ...base, type: "histogram", buckets: this.buckets(statistic.bounds, values[0] as bigint[]), total: Number(this.n) };
      case "alert":
        return { ...base, type: "boolean", value: values[0][0] as boolean };
    }
    const unknown: never = statistic;
    throw new TypeError(`no interpretation for ${JSON.stringify(unknown)}`);
  }

  /** A scaled integer as a value with the dataset's decimals (exact). */
  private fixed(scaled: bigint): Quantity {
    const text = formatFixed(scaled, this.scale);
    return { text, number: Number(text), exact: true };
  }

  /** num / den rounded to `digits` decimals. */
  private ratio(numerator: bigint, denominator: bigint, digits: number): Quantity {
    const text = formatFixed(divideRounded(numerator, denominator, digits), digits);
    return { text, number: Number(text), exact: dividesExactly(numerator, denominator, digits) };
  }

  /** √(num / den) rounded to `digits` decimals (num >= 0). */
  private sqrt(numerator: bigint, denominator: bigint, digits: number): Quantity {
    // √(num/den)·10^d = √(num·10^(2d+2) / den) / 10 — two guard digits, then round half up.
    const guarded = isqrt((numerator * pow10(2 * digits + 2)) / denominator);
    const rounded = (guarded + 5n) / 10n;
    const exact = rounded * rounded * denominator === numerator * pow10(2 * digits);
    const text = formatFixed(rounded, digits);
    return { text, number: Number(text), exact };
  }

  private buckets(bounds: readonly string[], counts: readonly bigint[]): HistogramBucket[] {
    return bucketsOf(bounds, counts.map(Number));
  }
}
