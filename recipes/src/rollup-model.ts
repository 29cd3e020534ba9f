/**
 * The encrypted rollups a dataset keeps at ingestion, and what they cost, mirroring
 * contracts/src/libraries/RollupTree.sol (the contract is the authority; its HCU tests measure these
 * formulas against the fhevm mock).
 *
 * Readings are grouped in blocks of `blockSize` (the dataset's k at creation, at least 2). SUM and
 * SQUARES keep the prefix sum Σx (Σx²) at every block boundary, so a window's sum is one subtraction
 * of two prefixes; MIN and MAX keep a tree of fan-out 4 over the blocks' minima (maxima), so a window
 * of B blocks combines at most 2 × 3 × log₄ B nodes. A run whose window is aligned to the blocks and
 * whose every op is COUNT or has its rollup (SUM, MEAN: SUM; VARIANCE: SUM + SQUARES; MIN; MAX) steps
 * over these nodes instead of its readings; any other run reads every reading as before.
 *
 * Rolled-up step over blocks [a, b) (`finalizes` when it reaches the window's end):
 *
 * | kind      | HCU                                             |
 * |-----------|-------------------------------------------------|
 * | COUNT     | finalize: 32                                    |
 * | SUM, MEAN | (a > 0 ? 162 000 sub : 0) + 162 000 merge        |
 * | VARIANCE  | 2 × the above                                   |
 * | MIN, MAX  | nodes(a, b) × 219 000 (218 000)                 |
 *
 * Ingestion of a batch, split at block boundaries into parts of m readings: SUM m − 1 adds per part
 * plus one merge into the running prefix (none for the dataset's very first part); SQUARES m
 * multiplications and the same adds; MIN and MAX m − 1 per part, one more when the part continues a
 * block begun in an earlier batch, and 3 per tree node the batch completes above its blocks.
 */
import { RecipeKind, type RecipeKindCode } from "./catalogue";
import { HCU_PRICES as P, HCU_TRANSACTION_LIMIT, type PlannedStep } from "./cost-model";

/** Bits of a dataset's rollup mask (the contract's `Rollup` library). */
export const ROLLUP = { SUM: 1, SQUARES: 2, MIN: 4, MAX: 8 } as const;
export type RollupName = keyof typeof ROLLUP;
/** Every rollup. */
export const ALL_ROLLUPS = 15;
/** Children per node of the MIN and MAX trees. */
export const ROLLUP_FAN_OUT = 4;
/** euint64 subtraction, both encrypted (a window's prefix difference). */
const SUB64 = 162_000;

/** A dataset's rollups: its mask and block size (0 and 0 without rollups), as `datasetInfo` returns them. */
export interface DatasetRollups {
  readonly kinds: number;
  readonly blockSize: number;
}

/**
 * A dataset's rollups as the planner reads them, from the chain's names for them (`datasetInfo`'s `rollups` and
 * `rollupBlockSize`, which the worker reads and the service indexes from `RollupsChosen`).
 */
export function rollupsOf(dataset: { readonly rollups: number; readonly rollupBlockSize: number | bigint }): DatasetRollups {
  return { kinds: dataset.rollups, blockSize: Number(dataset.rollupBlockSize) };
}

/** The names of the rollups in `kinds`, in bit order (SUM first). */
export function rollupNames(kinds: number): RollupName[] {
  return (Object.keys(ROLLUP) as RollupName[]).filter((name) => (kinds & ROLLUP[name]) !== 0);
}

/** Whether `kinds` is a mask the contract accepts: 0, or any rollups including SUM. */
export function validRollups(kinds: number): boolean {
  return Number.isInteger(kinds) && kinds >= 0 && (kinds & ~ALL_ROLLUPS) === 0 && (kinds === 0 || (kinds & ROLLUP.SUM) !== 0);
}

/** The block size the contract fixes for a dataset created with bucket size `k`. */
export function rollupBlockSize(k: number): number {
  return k < 2 ? 2 : k;
}

/** The rollups an op of `kind` needs, or undefined when it needs every reading. */
export function neededRollups(kind: RecipeKindCode): number | undefined {
  switch (kind) {
    case RecipeKind.COUNT:
      return 0;
    case RecipeKind.SUM:
    case RecipeKind.MEAN:
      return ROLLUP.SUM;
    case RecipeKind.VARIANCE:
      return ROLLUP.SUM | ROLLUP.SQUARES;
    case RecipeKind.MIN:
      return ROLLUP.MIN;
    case RecipeKind.MAX:
      return ROLLUP.MAX;
    default:
      return undefined;
  }
}

/** Whether the rollups serve a run of `ops` over [from, to) (the contract's `RollupTree.serves`). */
export function rollupsServe(rollups: DatasetRollups | undefined, ops: readonly { readonly kind: RecipeKindCode }[], from: number, to: number): boolean {
  if (!rollups || rollups.kinds === 0) return false;
  if (from % rollups.blockSize !== 0 || to % rollups.blockSize !== 0) return false;
  return ops.every((op) => {
    const needed = neededRollups(op.kind);
    return needed !== undefined && (rollups.kinds & needed) === needed;
  });
}

/** Span in blocks of the largest tree node that starts at block `a` and ends within `b`. */
function largestSpan(a: number, b: number): number {
  let span = 1;
  while (a % (span * ROLLUP_FAN_OUT) === 0 && a + span * ROLLUP_FAN_OUT <= b) span *= ROLLUP_FAN_OUT;
  return span;
}

/** The spans (in blocks) of the nodes covering blocks [a, b), greedily from the left. */
export function windowNodeSpans(a: number, b: number): number[] {
  const spans: number[] = [];
  for (let at = a; at < b; ) {
    const span = largestSpan(at, b);
    spans.push(span);
    at += span;
  }
  return spans;
}

/** How many stored nodes a MIN or MAX combines over blocks [a, b). */
export function rollupNodeCount(a: number, b: number): number {
  return windowNodeSpans(a, b).length;
}

/** HCU of one rolled-up step over blocks [a, b) (the contract's `RollupTree.stepHcu`). */
export function rolledUpStepHcu(ops: readonly { readonly kind: RecipeKindCode }[], a: number, b: number, finalizes: boolean): number {
  const difference = (a > 0 ? SUB64 : 0) + P.addEuint64;
  let total = 0;
  for (const op of ops) {
    if (op.kind === RecipeKind.COUNT) total += finalizes ? P.cast : 0;
    else if (op.kind === RecipeKind.SUM || op.kind === RecipeKind.MEAN) total += difference;
    else if (op.kind === RecipeKind.VARIANCE) total += 2 * difference;
    else if (op.kind === RecipeKind.MIN) total += rollupNodeCount(a, b) * P.minEuint64;
    else if (op.kind === RecipeKind.MAX) total += rollupNodeCount(a, b) * P.maxEuint64;
    else throw new RangeError(`recipe kind ${op.kind} has no rollup`);
  }
  return total;
}

/**
 * The fewest rolled-up steps over [from, to) (reading indices, aligned to `blockSize`): each step
 * takes the longest run of the window's nodes, from the left, that fits one transaction. The nodes of
 * a window's prefix are the first nodes of the window's own decomposition, so taking a prefix of
 * them is a valid step. Sums cost the same over any window: one step.
 */
export function planRolledUpSteps(ops: readonly { readonly kind: RecipeKindCode }[], blockSize: number, from: number, to: number): PlannedStep[] {
  const last = to / blockSize;
  const spans = windowNodeSpans(from / blockSize, last);
  const steps: PlannedStep[] = [];
  let a = from / blockSize;
  let next = 0;
  while (a < last) {
    // Grow the step node by node while it fits; the first node always fits (validated programs).
    let b = a + spans[next++]!;
    while (next < spans.length && rolledUpStepHcu(ops, a, b + spans[next]!, b + spans[next]! === last) < HCU_TRANSACTION_LIMIT) {
      b += spans[next++]!;
    }
    const finalizes = b === last;
    steps.push({ size: (b - a) * blockSize, finalizes, hcu: rolledUpStepHcu(ops, a, b, finalizes) });
    a = b;
  }
  return steps;
}

/** HCU of folding a batch of `n` readings appended at index `first` into the rollups `kinds`. */
export function ingestionHcu(kinds: number, blockSize: number, first: number, n: number): number {
  if (kinds === 0) return 0;
  let total = 0;
  for (let start = 0; start < n; ) {
    const index = first + start;
    const offset = index % blockSize;
    const end = Math.min(n, start + blockSize - offset);
    const m = end - start;
    const merge = index > 0 ? 1 : 0;
    total += (m - 1 + merge) * P.addEuint64;
    if (kinds & ROLLUP.SQUARES) total += m * P.mulEuint64 + (m - 1 + merge) * P.addEuint64;
    const closes = (first + end) % blockSize === 0;
    let treeOps = m - 1 + (offset !== 0 ? 1 : 0);
    if (closes) {
      for (let node = Math.floor(index / blockSize); node % ROLLUP_FAN_OUT === ROLLUP_FAN_OUT - 1; node = Math.floor(node / ROLLUP_FAN_OUT)) {
        treeOps += ROLLUP_FAN_OUT - 1;
      }
    }
    if (kinds & ROLLUP.MIN) total += treeOps * P.minEuint64;
    if (kinds & ROLLUP.MAX) total += treeOps * P.maxEuint64;
    start = end;
  }
  return total;
}

/**
 * Average ingestion HCU per reading of one rollup over a long stream: what the seller console shows
 * next to each choice. SUM one add, SQUARES one multiplication and one add. MIN and MAX one operation
 * per reading: a block of m readings takes m − 1 and the tree above the blocks one per block (a tree
 * of fan-out F over B blocks has B / (F − 1) inner nodes of F − 1 operations each).
 */
export function rollupHcuPerReading(rollup: RollupName): number {
  switch (rollup) {
    case "SUM":
      return P.addEuint64;
    case "SQUARES":
      return P.mulEuint64 + P.addEuint64;
    case "MIN":
      return P.minEuint64;
    case "MAX":
      return P.maxEuint64;
  }
}

/**
 * The largest batch (at most 32, one input proof) whose ingestion HCU stays under the transaction
 * limit wherever it lands in a dataset of up to `maxReadings` readings, with `perReadingOverhead` HCU
 * per reading besides the rollups (a private dataset's clamp). The costliest batches are those that
 * close the block completing the dataset's highest tree node, so those positions are the ones tried.
 */
export function largestIngestionBatch(kinds: number, blockSize: number, maxReadings = 1_000_000, perReadingOverhead = 0): number {
  let top = blockSize;
  while (top * ROLLUP_FAN_OUT <= maxReadings) top *= ROLLUP_FAN_OUT;
  let largest = 0;
  for (let n = 1; n <= 32; n++) {
    let worst = 0;
    for (let first = Math.max(1, top - n - blockSize); first <= top; first++) {
      worst = Math.max(worst, ingestionHcu(kinds, blockSize, first, n));
    }
    if (worst + n * perReadingOverhead >= HCU_TRANSACTION_LIMIT) break;
    largest = n;
  }
  return largest;
}
