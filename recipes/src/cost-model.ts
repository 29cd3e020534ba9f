/**
 * The HCU cost model of one `step(runId, n)` transaction, mirroring the contract's pure
 * `stepHcu(ops, n, finalizes)` and `maxStepSize(ops, finalizes)` (contracts/src/libraries/
 * RecipeProgram.sol; the contract is the authority and its HCU tests measure these formulas
 * against the fhevm mock). Prices are euint64 unless said, from
 * `@fhevm/host-contracts` HCULimit.sol: an encrypted-operand op where both sides are ciphertexts,
 * a scalar op where the contract compares with a plaintext constant.
 *
 * A step reduces its chunk of n readings as a balanced tree (n − 1 ops) and merges the chunk's
 * result into the stored accumulator (1 op): n ops per reduction. The tree keeps the sequential
 * depth at about log2(n) ops, far under the 5M depth limit for every n this model allows, so the
 * binding limit is the 20M HCU total per transaction.
 *
 * Per op, for a step of n readings (P = predicate cost):
 *
 * | kind      | HCU per step                                                            | finalize       |
 * |-----------|-------------------------------------------------------------------------|----------------|
 * | COUNT     | 0                                                                       | 32             |
 * | SUM, MEAN | n × 162 000 (add)                                                       | 0              |
 * | MIN       | n × 219 000 (min)                                                       | 0              |
 * | MAX       | n × 218 000 (max)                                                       | 0              |
 * | COUNT_IF  | n × (P + 32 cast ebool→euint8) + (n − 1) × 88 000 (euint8 add) + 32 (cast euint8→euint32) + 125 000 (euint32 merge) | 0 |
 * | SUM_IF    | n × (P + 55 000 select) + 32 (trivial zero) + n × 162 000 (add)          | 0              |
 * | HISTOGRAM | B × COUNT_IF with GE (one counter per bound)                            | B × 125 000 + 32 |
 * | VARIANCE  | n × (596 000 mul + 162 000 add + 162 000 add)                            | 0              |
 * | ALERT     | n × (P + 24 000 ebool or)                                               | 0              |
 *
 * P: GT 117 000, GE 116 000, LT 118 000, LE 119 000, BETWEEN 116 000 + 119 000 + 25 000 (ebool and).
 * HISTOGRAM's finalize turns the B counters "readings ≥ bᵢ" into B + 1 bucket counts with B euint32
 * subtractions, the first from the trivially encrypted window length (`FHE.sub(uint32, euint32)`:
 * 32 + 125 000).
 */
import { Comparator, RecipeKind, type ComparatorCode, type RecipeKindCode } from "./catalogue";

/** What the cost of an op depends on: its kind, its comparator and how many bounds it has. */
export interface CostedOp {
  readonly kind: RecipeKindCode;
  readonly cmp: ComparatorCode;
  readonly bounds: readonly unknown[];
}

/** HCU one transaction may use in total; a step must stay strictly below (the mock reverts at >=). */
export const HCU_TRANSACTION_LIMIT = 20_000_000;

/** Largest chunk for programs with per-chunk euint8 counters (COUNT_IF, HISTOGRAM): a euint8 counts to 255. */
export const EUINT8_COUNTER_LIMIT = 255;

/** HCU prices of the FHE operations a step uses (HCULimit.sol). */
export const HCU_PRICES = {
  /** euint64 add, both encrypted (tree node and accumulator merge). */
  addEuint64: 162_000,
  /** euint64 min, both encrypted. */
  minEuint64: 219_000,
  /** euint64 max, both encrypted. */
  maxEuint64: 218_000,
  /** euint64 mul, both encrypted (squares for VARIANCE). */
  mulEuint64: 596_000,
  /** euint8 add, both encrypted (per-chunk counter tree). */
  addEuint8: 88_000,
  /** euint32 add, both encrypted (merging a chunk's count into the stored counter). */
  addEuint32: 125_000,
  /** euint32 sub, both encrypted (histogram finalize). */
  subEuint32: 125_000,
  /** Any cast, and any trivial encryption. */
  cast: 32,
  /** select(c, x, y). */
  select: 55_000,
  /** ebool and / or, both encrypted. */
  andEbool: 25_000,
  orEbool: 24_000,
  /** euint64 comparisons with a plaintext constant. */
  gtScalar: 117_000,
  geScalar: 116_000,
  ltScalar: 118_000,
  leScalar: 119_000,
} as const;

const P = HCU_PRICES;

/** HCU of evaluating a predicate on one reading. */
export function predicateHcu(cmp: ComparatorCode): number {
  switch (cmp) {
    case Comparator.GT:
      return P.gtScalar;
    case Comparator.GE:
      return P.geScalar;
    case Comparator.LT:
      return P.ltScalar;
    case Comparator.LE:
      return P.leScalar;
    case Comparator.BETWEEN:
      return P.geScalar + P.leScalar + P.andEbool;
    default:
      throw new RangeError(`unknown comparator ${String(cmp)}`);
  }
}

/** HCU of counting, in a euint8 tree merged into a euint32 counter, the readings meeting a predicate. */
function countIfHcu(cmp: ComparatorCode, n: number): number {
  return n * (predicateHcu(cmp) + P.cast) + (n - 1) * P.addEuint8 + P.cast + P.addEuint32;
}

/** HCU of one op in a step of `n` readings (0 when n is 0); `finalizes` when the step reaches the window's end. */
export function opStepHcu(op: CostedOp, n: number, finalizes: boolean): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`a step reads a whole number of readings, got ${n}`);
  if (n === 0) return 0;
  switch (op.kind) {
    case RecipeKind.COUNT:
      return finalizes ? P.cast : 0;
    case RecipeKind.SUM:
    case RecipeKind.MEAN:
      return n * P.addEuint64;
    case RecipeKind.MIN:
      return n * P.minEuint64;
    case RecipeKind.MAX:
      return n * P.maxEuint64;
    case RecipeKind.COUNT_IF:
      return countIfHcu(op.cmp, n);
    case RecipeKind.SUM_IF:
      return n * (predicateHcu(op.cmp) + P.select) + P.cast + n * P.addEuint64;
    case RecipeKind.HISTOGRAM: {
      const b = op.bounds.length;
      return b * countIfHcu(Comparator.GE, n) + (finalizes ? b * P.subEuint32 + P.cast : 0);
    }
    case RecipeKind.VARIANCE:
      return n * (P.mulEuint64 + 2 * P.addEuint64);
    case RecipeKind.ALERT:
      return n * (predicateHcu(op.cmp) + P.orEbool);
    default:
      throw new RangeError(`unknown recipe kind ${String(op.kind)}`);
  }
}

/** HCU of one step of `n` readings over a whole program (mirrors the contract's `stepHcu`). */
export function stepHcu(ops: readonly CostedOp[], n: number, finalizes: boolean): number {
  return ops.reduce((total, op) => total + opStepHcu(op, n, finalizes), 0);
}

/** Whether the program counts in per-chunk euint8 trees (which caps a chunk at 255 readings). */
export function usesEuint8Counters(ops: readonly CostedOp[]): boolean {
  return ops.some((op) => op.kind === RecipeKind.COUNT_IF || op.kind === RecipeKind.HISTOGRAM);
}

/**
 * What {@link maxStepSize} returns for a program whose steps cost nothing per reading (COUNT
 * only): no bound. The contract returns `type(uint64).max`, which a JavaScript number cannot hold.
 */
export const UNBOUNDED_STEP = Number.MAX_SAFE_INTEGER;

/**
 * The largest n with `stepHcu(ops, n, finalizes) < 20 000 000` (and n <= 255 with euint8
 * counters); 0 when not even one reading fits; {@link UNBOUNDED_STEP} when a step costs nothing
 * per reading. Mirrors the contract's `maxStepSize`.
 */
export function maxStepSize(ops: readonly CostedOp[], finalizes: boolean): number {
  const one = stepHcu(ops, 1, finalizes);
  if (one >= HCU_TRANSACTION_LIMIT) return 0;
  // stepHcu is affine in n for n >= 1: one + (n − 1) × slope.
  const slope = stepHcu(ops, 2, finalizes) - one;
  if (slope === 0) return UNBOUNDED_STEP;
  let n = Math.floor((HCU_TRANSACTION_LIMIT - 1 - one) / slope) + 1;
  if (usesEuint8Counters(ops)) n = Math.min(n, EUINT8_COUNTER_LIMIT);
  return n;
}

/** One planned `step(runId, n)` transaction. */
export interface PlannedStep {
  /** Readings it consumes. */
  readonly size: number;
  /** Whether it reaches the window's end and finalises the results. */
  readonly finalizes: boolean;
  /** Its HCU, below {@link HCU_TRANSACTION_LIMIT}. */
  readonly hcu: number;
}

/** Input of {@link planSteps}. */
export interface PlanStepsOptions {
  readonly ops: readonly CostedOp[];
  /** Readings left to consume (the whole window, or what remains after the on-chain cursor). */
  readonly length: number;
}

/** Steps fail only when a single reading does not fit in one transaction. */
export type PlanStepsResult =
  | { readonly ok: true; readonly steps: PlannedStep[] }
  | { readonly ok: false; readonly hcuForOneReading: number };

/**
 * The fewest steps that consume `length` readings: every step but the last takes the most a
 * non-finalising step allows, and the last one (which also pays the finalize cost) takes the rest.
 * With F = maxStepSize(ops, false) and L = maxStepSize(ops, true) that is
 * 1 step when length <= L, else 1 + ceil((length − L) / F) — no plan has fewer, because any
 * T steps consume at most (T − 1) × F + L readings.
 */
export function planSteps({ ops, length }: PlanStepsOptions): PlanStepsResult {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`a window holds at least one reading, got ${length}`);
  const full = maxStepSize(ops, false);
  const last = maxStepSize(ops, true);
  if (full < 1 || last < 1) return { ok: false, hcuForOneReading: stepHcu(ops, 1, true) };
  const count = length <= last ? 1 : 1 + Math.ceil((length - last) / full);
  const steps: PlannedStep[] = [];
  let remaining = length;
  for (let i = 0; i < count - 1; i++) {
    // Leave at least one reading for the finalising step.
    const size = Math.min(full, remaining - 1);
    steps.push({ size, finalizes: false, hcu: stepHcu(ops, size, false) });
    remaining -= size;
  }
  steps.push({ size: remaining, finalizes: true, hcu: stepHcu(ops, remaining, true) });
  return { ok: true, steps };
}
