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
 */
import type { StatisticFormId } from "./catalogue";
import { divideRounded, dividesExactly, formatFixed, isqrt, pow10, trimFraction } from "./decimal";
import type { Statistic } from "./ir";
import type { Plan } from "./planner";
import type { HandleType } from "./program";

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
}

/** The interpreted result of one statistic, by the catalogue form's result shape. */
export type StatisticResult = ResultBase &
  (
    | { readonly type: "count"; readonly count: number }
    | { readonly type: "share"; readonly share: Quantity; readonly percent: string; readonly matching: number; readonly total: number }
    | { readonly type: "value"; readonly value: Quantity | null; readonly unit?: string; readonly note?: string }
    | { readonly type: "squared"; readonly value: Quantity; readonly unit?: string }
    | { readonly type: "histogram"; readonly buckets: readonly HistogramBucket[]; readonly total: number }
    | { readonly type: "boolean"; readonly value: boolean }
  );

/** Input of {@link interpretResults}. */
export interface InterpretOptions {
  readonly plan: Plan;
  /** The decrypted result handles, in `plan.handles` order: bigint for euint64/euint32, boolean for ebool. */
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
  decrypted.forEach((value, i) => checkType(value, plan.handles[i].type, i));
  const byOp: (bigint | boolean)[][] = plan.ops.map(() => []);
  plan.handles.forEach((handle, i) => byOp[handle.op].push(decrypted[i]));
  const context = new Context(plan, extraDigits);
  return plan.outputs.map(({ statistic, ops }) => context.interpret(statistic, ops.map((op) => byOp[op])));
}

function checkType(value: bigint | boolean, type: HandleType, index: number): void {
  const ok = type === "ebool" ? typeof value === "boolean" : typeof value === "bigint" && value >= 0n;
  if (!ok) throw new TypeError(`result handle ${index} is a ${type}; got ${typeof value} ${String(value)}`);
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
    return counts.map((count, i) => {
      const from = i > 0 ? bounds[i - 1] : undefined;
      const to = i < bounds.length ? bounds[i] : undefined;
      const label = from === undefined ? `< ${to}` : to === undefined ? `≥ ${from}` : `${from} – ${to}`;
      return { label, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), count: Number(count) };
    });
  }
}
