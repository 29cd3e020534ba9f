/**
 * What a program computes, on cleartext: the values the contract's result handles would decrypt
 * to after running a plan over the given encoded readings, in the plan's handle order. The
 * workbench's "Preview" runs recipes on synthetic readings with it, instantly and in the browser
 * (no chain, no signature), and the planner and interpreter tests use it as the contract's
 * plaintext reference. Never used on real readings: those exist only as ciphertexts.
 *
 * On a private dataset (`plan.privacy`) readings are clamped into the range as the contract clamps them
 * at ingestion and VARIANCE's second result is the centred squares; no noise is added (the values are
 * what the noise is added to).
 */
import { Comparator, RecipeKind } from "./catalogue";
import type { Plan } from "./planner";
import type { ContractOp } from "./program";
import { varianceCentre } from "./privacy-figures";

/** Whether reading `x` (encoded) satisfies the op's predicate: COUNT_IF, SUM_IF and ALERT count or test with it. */
export function predicateHolds(op: Pick<ContractOp, "cmp" | "a" | "b">, x: bigint): boolean {
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
  throw new RangeError(`unknown comparator ${String(op.cmp)}`);
}

/**
 * The result values of `plan` over `encoded` (the window's readings, encoded as the device encodes
 * them: `round(value × 10^scale) − offset`), as user decryption would return them.
 */
export function evaluatePlan(
  plan: Pick<Plan, "ops" | "privacy"> & { readonly window: Pick<Plan["window"], "length"> },
  encoded: readonly bigint[],
): (bigint | boolean)[] {
  if (encoded.length !== plan.window.length) throw new RangeError(`the window holds ${plan.window.length} readings, not ${encoded.length}`);
  const range = plan.privacy;
  const xs = range ? encoded.map((x) => (x < range.lowerBound ? range.lowerBound : x > range.upperBound ? range.upperBound : x)) : encoded;
  const centre = range ? varianceCentre(range) : 0n;
  const sum = (values: readonly bigint[]) => values.reduce((a, b) => a + b, 0n);
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
        return [BigInt(xs.filter((x) => predicateHolds(op, x)).length)];
      case RecipeKind.SUM_IF:
        return [sum(xs.filter((x) => predicateHolds(op, x)))];
      case RecipeKind.HISTOGRAM: {
        const b = op.bounds;
        return Array.from({ length: b.length + 1 }, (_, i) =>
          BigInt(xs.filter((x) => (i === 0 || x >= b[i - 1]!) && (i === b.length || x < b[i]!)).length),
        );
      }
      case RecipeKind.VARIANCE:
        return [sum(xs), sum(xs.map((x) => (x - centre) * (x - centre)))];
      case RecipeKind.ALERT:
        return [xs.some((x) => predicateHolds(op, x))];
    }
    throw new RangeError(`unknown recipe kind ${String(op.kind)}`);
  });
}
