/**
 * Plain TypeScript statistics, the reference the encrypted results are compared with. Two views:
 * - `encodedResults`: what the decrypted result handles must equal exactly (encoded units, result-handle layout);
 * - `plainStatistic` / `interpretResults`: the statistic in real units (°C, ...) computed directly from the real
 *   values, and recovered from the decrypted handles with the dataset's scale and offset.
 */
import { RecipeKind, type Op } from "@iotdm/contracts-client";
import { evaluatePlan, predicateHolds } from "@iotdm/recipes/cleartext";

export interface FixedPoint {
  scale: number;
  offset: bigint;
}

/** encoded = round(value * 10^scale) - offset */
export function encode(value: number, fp: FixedPoint): bigint {
  return BigInt(Math.round(value * 10 ** fp.scale)) - fp.offset;
}

/** value = (encoded + offset) / 10^scale, for sums of `count` readings: (sum + count * offset) / 10^scale */
export function decode(encoded: bigint, fp: FixedPoint, count = 1n): number {
  return Number(encoded + fp.offset * count) / 10 ** fp.scale;
}

/** The decrypted values a finished run must hold, flattened in result-handle order: recipes' one cleartext rule. */
export function encodedResults(ops: readonly Op[], window: readonly bigint[]): (bigint | boolean)[] {
  return evaluatePlan({ ops, window: { length: window.length } }, window);
}

export type Statistic = number | boolean | number[];

/** The statistic of one op computed on real values, predicates and bounds converted from encoded units. */
export function plainStatistic(op: Op, values: readonly number[], fp: FixedPoint): Statistic {
  const real = (encoded: bigint) => decode(encoded, fp);
  const test = (v: number) => predicateHolds(op, encode(v, fp));
  const total = (vs: readonly number[]) => vs.reduce((acc, v) => acc + v, 0);
  switch (op.kind) {
    case RecipeKind.COUNT:
      return values.length;
    case RecipeKind.SUM:
      return total(values);
    case RecipeKind.MEAN:
      return total(values) / values.length;
    case RecipeKind.MIN:
      return Math.min(...values);
    case RecipeKind.MAX:
      return Math.max(...values);
    case RecipeKind.COUNT_IF:
      return values.filter(test).length;
    case RecipeKind.SUM_IF:
      return total(values.filter(test));
    case RecipeKind.HISTOGRAM: {
      const bounds = op.bounds.map(real);
      const buckets = new Array<number>(bounds.length + 1).fill(0);
      for (const v of values) buckets[bounds.filter((bound) => v >= bound).length] += 1;
      return buckets;
    }
    case RecipeKind.VARIANCE: {
      const mean = total(values) / values.length;
      return total(values.map((v) => (v - mean) ** 2)) / values.length;
    }
    case RecipeKind.ALERT:
      return values.some(test);
  }
}

/**
 * Recovers each op's statistic in real units from the decrypted result handles (what the buyer's browser does).
 * SUM_IF needs the number of matching readings to undo the offset: the program must also hold a COUNT_IF with the
 * same predicate (as the recipe language pairs them).
 */
export function interpretResults(
  ops: readonly Op[],
  decrypted: readonly (bigint | boolean)[],
  windowLength: number,
  fp: FixedPoint,
): Statistic[] {
  let at = 0;
  const perOp = ops.map((op) => {
    const width = op.kind === RecipeKind.HISTOGRAM ? op.bounds.length + 1 : op.kind === RecipeKind.VARIANCE ? 2 : 1;
    const values = decrypted.slice(at, at + width);
    at += width;
    return values;
  });
  const n = BigInt(windowLength);
  const scale = 10 ** fp.scale;
  return ops.map((op, i): Statistic => {
    const [first, second] = perOp[i] as bigint[];
    switch (op.kind) {
      case RecipeKind.COUNT:
      case RecipeKind.COUNT_IF:
        return Number(first);
      case RecipeKind.SUM:
        return decode(first, fp, n);
      case RecipeKind.MEAN:
        return decode(first, fp, n) / windowLength;
      case RecipeKind.MIN:
      case RecipeKind.MAX:
        return decode(first, fp);
      case RecipeKind.SUM_IF: {
        const partner = ops.findIndex(
          (other) => other.kind === RecipeKind.COUNT_IF && other.cmp === op.cmp && other.a === op.a && other.b === op.b,
        );
        if (partner < 0) throw new Error("SUM_IF needs a COUNT_IF with the same predicate to be interpreted");
        return decode(first, fp, perOp[partner][0] as bigint);
      }
      case RecipeKind.HISTOGRAM:
        return (perOp[i] as bigint[]).map(Number);
      case RecipeKind.VARIANCE: {
        // Offset-invariant: E[x^2] - E[x]^2 in encoded units, scaled by 10^-2s.
        const mean = Number(first) / windowLength;
        return (Number(second) / windowLength - mean * mean) / (scale * scale);
      }
      case RecipeKind.ALERT:
        return perOp[i][0] as boolean;
    }
  });
}
