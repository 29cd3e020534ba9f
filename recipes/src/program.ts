/**
 * Programs: the contract operations a recipe needs. First abstractly (kinds and decimal
 * constants, deduplicated: `min` and `range` share one MIN op), then encoded for the contract
 * (`Op { uint8 kind; uint8 cmp; uint32 epsilon; uint64 a; uint64 b; uint64[] bounds }`, constants
 * converted with the dataset's scale and offset), hashed as the contract hashes it, and laid out as the result
 * handles a finished run returns.
 */
import { keccak256 } from "ethers";
import { Comparator, RecipeKind, formOf, type ComparatorCode, type RecipeKindCode, type RecipeKindName } from "./catalogue";
import type { CostedOp } from "./cost-model";
import { parseDecimal } from "./decimal";
import type { DecimalString, Predicate, Statistic } from "./ir";
import { encodeValue, UINT64_MAX, type EncodeFailure, type ValueEncoding } from "./values";

/** A contract operation before encoding: its kind and decimal constants. */
export interface AbstractOp {
  readonly kind: RecipeKindName;
  /** The condition of COUNT_IF, SUM_IF and ALERT. */
  readonly predicate?: Predicate;
  /** The bounds of HISTOGRAM. */
  readonly bounds?: readonly DecimalString[];
  /**
   * The ε the recipe chose for it (the statistic's `privacy`, else the recipe's), as written; absent
   * when the recipe names none (the dataset's default then) and for COUNT, which is never noised.
   */
  readonly epsilon?: DecimalString;
}

/** The deduplicated operations of a list of statistics. */
export interface AbstractProgram {
  readonly ops: readonly AbstractOp[];
  /** For each statistic, the indices of its ops, in the order of its catalogue form's kinds. */
  readonly statisticOps: readonly (readonly number[])[];
}

const PREDICATE_KINDS: ReadonlySet<RecipeKindName> = new Set(["COUNT_IF", "SUM_IF", "ALERT"]);

/**
 * The operations the statistics need, identical operations shared. `defaultEpsilon` is the recipe's
 * `privacy` line: each op carries its statistic's ε, else that one; ops share only at equal ε.
 */
export function abstractProgram(statistics: readonly Statistic[], defaultEpsilon?: DecimalString): AbstractProgram {
  const ops: AbstractOp[] = [];
  const index = new Map<string, number>();
  const statisticOps = statistics.map((statistic) =>
    formOf(statistic.stat).kinds.map((kind) => {
      const epsilon = kind === "COUNT" ? undefined : (statistic.epsilon ?? defaultEpsilon);
      const withEpsilon = epsilon === undefined ? {} : { epsilon };
      const op: AbstractOp = PREDICATE_KINDS.has(kind)
        ? { kind, predicate: (statistic as { predicate: Predicate }).predicate, ...withEpsilon }
        : kind === "HISTOGRAM"
          ? { kind, bounds: (statistic as { bounds: DecimalString[] }).bounds, ...withEpsilon }
          : { kind, ...withEpsilon };
      // Decimals are canonical strings, so equal constants have equal keys.
      const key = JSON.stringify([op.kind, op.predicate ?? null, op.bounds ?? null, op.epsilon ?? null]);
      let i = index.get(key);
      if (i === undefined) {
        i = ops.push(op) - 1;
        index.set(key, i);
      }
      return i;
    }),
  );
  return { ops, statisticOps };
}

/** The cost shape of an abstract op (its kind, comparator and number of bounds). */
export function costShape(op: AbstractOp): CostedOp {
  return { kind: RecipeKind[op.kind], cmp: op.predicate ? Comparator[op.predicate.cmp] : Comparator.GT, bounds: op.bounds ?? [] };
}

/** An operation as the contract takes it (ethers encodes bigint as uint64). */
export interface ContractOp {
  readonly kind: RecipeKindCode;
  readonly cmp: ComparatorCode;
  /**
   * ε in thousandths this statistic spends on a private dataset's noise; 0 on an exact dataset (the
   * contract refuses anything else there) and for COUNT. Recipes choose it with `privacy 0.5`.
   */
  readonly epsilon: number;
  readonly a: bigint;
  readonly b: bigint;
  readonly bounds: readonly bigint[];
}

/** Encoding a program fails when a constant cannot be represented in the dataset's encoding. */
export type EncodeProgramResult =
  | { readonly ok: true; readonly ops: ContractOp[] }
  | { readonly ok: false; readonly value: DecimalString; readonly reason: EncodeFailure };

/**
 * Encodes abstract operations for the contract with the dataset's scale and offset. `epsilons` are the
 * ops' ε in thousandths, resolved by the planner (0 on an exact dataset and for COUNT); all 0 when omitted.
 */
export function encodeProgram(ops: readonly AbstractOp[], encoding: ValueEncoding, epsilons: readonly number[] = []): EncodeProgramResult {
  const out: ContractOp[] = [];
  for (const [i, op] of ops.entries()) {
    const epsilon = epsilons[i] ?? 0;
    const constants = op.predicate
      ? op.predicate.cmp === "BETWEEN"
        ? [op.predicate.a, op.predicate.b]
        : [op.predicate.a]
      : (op.bounds ?? []);
    const encoded: bigint[] = [];
    for (const text of constants) {
      const result = encodeValue(parseDecimal(text)!, encoding);
      if (!result.ok) return { ok: false, value: text, reason: result.reason };
      encoded.push(result.encoded);
    }
    const kind = RecipeKind[op.kind];
    if (op.predicate) {
      out.push({ kind, cmp: Comparator[op.predicate.cmp], epsilon, a: encoded[0], b: encoded[1] ?? 0n, bounds: [] });
    } else {
      out.push({ kind, cmp: Comparator.GT, epsilon, a: 0n, b: 0n, bounds: op.bounds ? encoded : [] });
    }
  }
  return { ok: true, ops: out };
}

/** The ABI type of a program, as the contract's `abi.encode(ops)` sees it. */
export const PROGRAM_ABI_TYPE = "tuple(uint8 kind,uint8 cmp,uint32 epsilon,uint64 a,uint64 b,uint64[] bounds)[]";

/**
 * ABI-encodes a program as `abi.encode(ops)` does (the bytes the contract hashes), as 0x-hex.
 * Written out for this one type rather than through ethers' generic coder, which is about 20
 * times slower and dominated compile time; a test holds it equal to `AbiCoder.encode`.
 *
 * Layout: offset of the array (0x20), its length N, N offsets of the tuples (relative to the first
 * of them), then each tuple: kind, cmp, epsilon, a, b, offset of bounds (0xc0), bounds length, bounds.
 */
export function encodeProgramAbi(ops: readonly ContractOp[]): `0x${string}` {
  const words: bigint[] = [0x20n, BigInt(ops.length)];
  let offset = ops.length * 32;
  for (const op of ops) {
    words.push(BigInt(offset));
    offset += (7 + op.bounds.length) * 32;
  }
  for (const op of ops) {
    words.push(BigInt(op.kind), BigInt(op.cmp), checkUint32(op.epsilon), checkUint64(op.a), checkUint64(op.b), 0xc0n, BigInt(op.bounds.length));
    for (const bound of op.bounds) words.push(checkUint64(bound));
  }
  return `0x${words.map((w) => w.toString(16).padStart(64, "0")).join("")}`;
}

function checkUint32(value: number): bigint {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw new RangeError(`${value} does not fit a uint32`);
  return BigInt(value);
}

function checkUint64(value: bigint): bigint {
  if (value < 0n || value > UINT64_MAX) throw new RangeError(`${value} does not fit a uint64`);
  return value;
}

/** `keccak256(abi.encode(ops))`, the program hash the buyer signs and the contract checks. */
export function programHash(ops: readonly ContractOp[]): `0x${string}` {
  return keccak256(encodeProgramAbi(ops)) as `0x${string}`;
}

/** The FHE type of a result handle. */
export type HandleType = "euint64" | "euint32" | "ebool";

/**
 * What a result handle holds (all encoded values: offset-shifted, scaled). On a private dataset
 * VARIANCE's second handle holds the squares centred on the middle of the range (`centredSquares`).
 */
export type HandleRole = "windowLength" | "sum" | "min" | "max" | "count" | "bucket" | "sumOfSquares" | "centredSquares" | "any";

/** One result handle of a finished run. */
export interface HandleSpec {
  /** Index of the op that produces it. */
  readonly op: number;
  readonly type: HandleType;
  readonly role: HandleRole;
}

/**
 * The result handles of one op, in the interface's order. With `noisy` (a private dataset's run) every
 * result but COUNT's is a noised euint64 (the contracts client's `resultLayout`), read as signed.
 */
export function handlesOf(op: Pick<ContractOp, "kind" | "bounds">, opIndex: number, noisy = false): HandleSpec[] {
  if (noisy && op.kind !== RecipeKind.COUNT) {
    return handlesOf(op, opIndex).map((h) => ({ ...h, type: "euint64", role: h.role === "sumOfSquares" ? "centredSquares" : h.role }));
  }
  const one = (type: HandleType, role: HandleRole): HandleSpec[] => [{ op: opIndex, type, role }];
  switch (op.kind) {
    case RecipeKind.COUNT:
      return one("euint64", "windowLength");
    case RecipeKind.SUM:
    case RecipeKind.MEAN:
    case RecipeKind.SUM_IF:
      return one("euint64", "sum");
    case RecipeKind.MIN:
      return one("euint64", "min");
    case RecipeKind.MAX:
      return one("euint64", "max");
    case RecipeKind.COUNT_IF:
      return one("euint32", "count");
    case RecipeKind.HISTOGRAM:
      return Array.from({ length: op.bounds.length + 1 }, () => ({ op: opIndex, type: "euint32", role: "bucket" }));
    case RecipeKind.VARIANCE:
      return [
        { op: opIndex, type: "euint64", role: "sum" },
        { op: opIndex, type: "euint64", role: "sumOfSquares" },
      ];
    case RecipeKind.ALERT:
      return one("ebool", "any");
    default:
      throw new RangeError(`unknown recipe kind ${String(op.kind)}`);
  }
}

/** The result handles of a whole program, flattened in op order (`noisy`: a private dataset's run). */
export function handleLayout(ops: readonly Pick<ContractOp, "kind" | "bounds">[], noisy = false): HandleSpec[] {
  return ops.flatMap((op, i) => handlesOf(op, i, noisy));
}
