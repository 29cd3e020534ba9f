import { AbiCoder, keccak256 } from "ethers";

/** Recipe kinds; each value is also its bit in a dataset's uint16 approval mask. */
export enum RecipeKind {
  COUNT = 0,
  SUM = 1,
  MEAN = 2,
  MIN = 3,
  MAX = 4,
  COUNT_IF = 5,
  SUM_IF = 6,
  HISTOGRAM = 7,
  VARIANCE = 8,
  ALERT = 9,
}

/** Predicates of COUNT_IF, SUM_IF and ALERT, comparing the encrypted reading x with plaintext constants. */
export enum Comparator {
  /** x > a */
  GT = 0,
  /** x >= a */
  GE = 1,
  /** x < a */
  LT = 2,
  /** x <= a */
  LE = 3,
  /** a <= x <= b (inclusive) */
  BETWEEN = 4,
}

/** One aggregate operation, exactly the Solidity `Op` struct. Constants are in encoded units (see the README). */
export interface Op {
  kind: RecipeKind;
  cmp: Comparator;
  /** ε in thousandths spent on this statistic's noise on a private dataset; 0 on an exact one and for COUNT. */
  epsilon: number;
  a: bigint;
  b: bigint;
  bounds: bigint[];
}

/** A program is 1..8 ops. */
export type Program = readonly Op[];

/** The ABI type of a program, as the contract's `Op[] calldata` parameter. */
export const PROGRAM_ABI_TYPE = "tuple(uint8 kind,uint8 cmp,uint32 epsilon,uint64 a,uint64 b,uint64[] bounds)[]";

/** Largest program, largest histogram and the bit mask of every kind, as the contract enforces them. */
export const MAX_OPS = 8;
export const MAX_HISTOGRAM_BOUNDS = 8;
export const ALL_RECIPE_KINDS = (1 << 10) - 1;

/** Builds an op with the unused fields zeroed; `op({ kind: RecipeKind.SUM })`. */
export function op(fields: {
  kind: RecipeKind;
  cmp?: Comparator;
  epsilon?: number;
  a?: bigint | number;
  b?: bigint | number;
  bounds?: readonly (bigint | number)[];
}): Op {
  return {
    kind: fields.kind,
    cmp: fields.cmp ?? Comparator.GT,
    epsilon: fields.epsilon ?? 0,
    a: BigInt(fields.a ?? 0),
    b: BigInt(fields.b ?? 0),
    bounds: (fields.bounds ?? []).map((bound) => BigInt(bound)),
  };
}

/** A program as the `Op[]` argument of the market's functions (a fresh copy, field names as the Solidity struct's). */
export function encodeProgram(ops: Program): Op[] {
  return ops.map((o) => ({ kind: o.kind, cmp: o.cmp, epsilon: o.epsilon, a: o.a, b: o.b, bounds: [...o.bounds] }));
}

/** keccak256(abi.encode(ops)): the hash runs, signatures and the contract's program store use. */
export function programHash(ops: Program): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode([PROGRAM_ABI_TYPE], [encodeProgram(ops)]));
}

/** Approval mask with the bits of `kinds` set. */
export function kindMask(kinds: readonly RecipeKind[]): number {
  return kinds.reduce((mask, kind) => mask | (1 << kind), 0);
}

/** The encrypted type of one result handle. */
export type ResultType = "euint64" | "euint32" | "ebool";

/**
 * How to read a decrypted result: `unsigned` as it is; `noisy` (a private dataset's results) as a two's-complement
 * signed 64-bit value, since the noise added mod 2^64 can take a small result below zero.
 */
export type ResultEncoding = "unsigned" | "noisy";

/** One result handle's place in a finished run's results. */
export interface ResultSlot {
  /** Index of the op in the program. */
  opIndex: number;
  kind: RecipeKind;
  /** What the handle holds, e.g. "sum", "sumOfSquares", "bucket 2". */
  label: string;
  type: ResultType;
  encoding: ResultEncoding;
}

/**
 * The layout of a run's result handles, in op order (the interface's "Result handles"): COUNT [euint64 window length],
 * SUM/MEAN [euint64 sum], MIN/MAX [euint64], COUNT_IF [euint32], SUM_IF [euint64], HISTOGRAM [euint32 x (B + 1)],
 * VARIANCE [euint64 sum, euint64 sum of squares], ALERT [ebool]. With `noisy` (a private dataset's run), every
 * result but COUNT's is a noised euint64 read as signed, and VARIANCE's second handle holds the squares centred on the
 * middle of the dataset's range (README, "Private datasets").
 */
export function resultLayout(ops: Program, options: { noisy?: boolean } = {}): ResultSlot[] {
  const slots: ResultSlot[] = [];
  ops.forEach((o, opIndex) => {
    const slot = (label: string, type: ResultType) => {
      const noised = options.noisy === true && o.kind !== RecipeKind.COUNT;
      slots.push({ opIndex, kind: o.kind, label, type: noised ? "euint64" : type, encoding: noised ? "noisy" : "unsigned" });
    };
    switch (o.kind) {
      case RecipeKind.COUNT:
        return slot("count", "euint64");
      case RecipeKind.SUM:
      case RecipeKind.MEAN:
      case RecipeKind.SUM_IF:
        return slot("sum", "euint64");
      case RecipeKind.MIN:
        return slot("min", "euint64");
      case RecipeKind.MAX:
        return slot("max", "euint64");
      case RecipeKind.COUNT_IF:
        return slot("count", "euint32");
      case RecipeKind.HISTOGRAM:
        for (let bucket = 0; bucket <= o.bounds.length; bucket++) slot(`bucket ${bucket}`, "euint32");
        return;
      case RecipeKind.VARIANCE:
        slot("sum", "euint64");
        return slot(options.noisy === true ? "centredSquares" : "sumOfSquares", "euint64");
      case RecipeKind.ALERT:
        return slot("any", "ebool");
    }
  });
  return slots;
}

/** Plain ops from what the contract returns for `program(hash)` (ethers `Result` tuples are read-only). */
export function programFromResult(result: ArrayLike<ArrayLike<unknown>>): Op[] {
  return Array.from(result, (tuple) => {
    const [kind, cmp, epsilon, a, b, bounds] = Array.from(tuple);
    return {
      kind: Number(kind) as RecipeKind,
      cmp: Number(cmp) as Comparator,
      epsilon: Number(epsilon),
      a: BigInt(a as bigint),
      b: BigInt(b as bigint),
      bounds: Array.from(bounds as ArrayLike<bigint>, (bound) => BigInt(bound)),
    };
  });
}
