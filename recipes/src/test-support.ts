/**
 * Test support (not part of the public API): sample datasets and a plaintext reference of what
 * the contract computes, so that planner and interpreter tests can run a plan end to end.
 */
import { Comparator, RecipeKind } from "./catalogue";
import { parseDecimal, toScaledInteger } from "./decimal";
import type { PlanDataset } from "./planner";
import type { Plan } from "./planner";
import type { ContractOp } from "./program";

/** A dataset with one reading every `interval` seconds, the last one at `end`. */
export function sampleDataset(options: {
  readingCount: number;
  k?: number;
  scale?: number;
  offset?: bigint | number;
  interval?: number;
  end?: number;
  unit?: string;
}): PlanDataset & { timestamps: number[] } {
  const { readingCount, k = 10, scale = 2, offset = -5000, interval = 10, end = 1_800_000_000, unit } = options;
  const timestamps = Array.from({ length: readingCount }, (_, i) => end - (readingCount - 1 - i) * interval);
  return { id: 1n, scale, offset, k, readingCount, timestamps, ...(unit ? { unit } : {}) };
}

/** Encodes a reading as the device does: round(v × 10^scale) − offset (here: exact). */
export function encodeReading(value: string, plan: Pick<Plan, "encoding">): bigint {
  const scaled = toScaledInteger(parseDecimal(value)!, plan.encoding.scale);
  if (scaled === undefined) throw new Error(`${value} is finer than scale ${plan.encoding.scale}`);
  const encoded = scaled - plan.encoding.offset;
  if (encoded < 0n) throw new Error(`${value} is below the offset`);
  return encoded;
}

function holds(op: ContractOp, x: bigint): boolean {
  switch (op.cmp) {
    case Comparator.GT:
      return x > op.a;
    case Comparator.GE:
      return x >= op.a;
    case Comparator.LT:
      return x < op.a;
    case Comparator.LE:
      return x <= op.a;
    case Comparator.BETWEEN:
      return op.a <= x && x <= op.b;
  }
  throw new Error(`bad comparator ${op.cmp}`);
}

/**
 * What the contract's result handles decrypt to after running `plan` over the window's readings
 * (given as decimals in the dataset's unit), in the plan's handle order.
 */
export function simulateRun(plan: Plan, readings: readonly string[]): (bigint | boolean)[] {
  if (readings.length !== plan.window.length) throw new Error(`the window holds ${plan.window.length} readings`);
  const xs = readings.map((r) => encodeReading(r, plan));
  const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);
  return plan.ops.flatMap((op): (bigint | boolean)[] => {
    switch (op.kind) {
      case RecipeKind.COUNT:
        return [BigInt(xs.length)];
      case RecipeKind.SUM:
      case RecipeKind.MEAN:
        return [sum(xs)];
      case RecipeKind.MIN:
        return [xs.reduce((a, b) => (b < a ? b : a))];
      case RecipeKind.MAX:
        return [xs.reduce((a, b) => (b > a ? b : a))];
      case RecipeKind.COUNT_IF:
        return [BigInt(xs.filter((x) => holds(op, x)).length)];
      case RecipeKind.SUM_IF:
        return [sum(xs.filter((x) => holds(op, x)))];
      case RecipeKind.HISTOGRAM: {
        const b = op.bounds;
        return Array.from({ length: b.length + 1 }, (_, i) =>
          BigInt(xs.filter((x) => (i === 0 || x >= b[i - 1]) && (i === b.length || x < b[i])).length),
        );
      }
      case RecipeKind.VARIANCE:
        return [sum(xs), sum(xs.map((x) => x * x))];
      case RecipeKind.ALERT:
        return [xs.some((x) => holds(op, x))];
    }
    throw new Error(`bad kind ${op.kind}`);
  });
}
