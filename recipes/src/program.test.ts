import { AbiCoder, keccak256 } from "ethers";
import { describe, expect, it } from "vitest";
import { Comparator, RecipeKind } from "./catalogue";
import {
  abstractProgram,
  encodeProgram,
  encodeProgramAbi,
  handleLayout,
  PROGRAM_ABI_TYPE,
  programHash,
  type ContractOp,
} from "./program";
import type { Statistic } from "./ir";

const reference = (ops: readonly ContractOp[]) =>
  AbiCoder.defaultAbiCoder().encode([PROGRAM_ABI_TYPE], [ops.map((op) => ({ ...op, bounds: [...op.bounds] }))]);

const MAX = (1n << 64n) - 1n;

describe("encodeProgramAbi", () => {
  const programs: ContractOp[][] = [
    [{ kind: RecipeKind.MEAN, cmp: 0, epsilon: 0, a: 0n, b: 0n, bounds: [] }],
    [
      { kind: RecipeKind.COUNT_IF, cmp: Comparator.BETWEEN, epsilon: 0, a: 3750n, b: 7400n, bounds: [] },
      { kind: RecipeKind.HISTOGRAM, cmp: 0, epsilon: 0, a: 0n, b: 0n, bounds: [1n, 2n, 3n, 4n, 5n, 6n, 7n, MAX] },
      { kind: RecipeKind.ALERT, cmp: Comparator.LE, epsilon: 0, a: MAX, b: 0n, bounds: [] },
      { kind: RecipeKind.HISTOGRAM, cmp: 0, epsilon: 0, a: 0n, b: 0n, bounds: [0n] },
    ],
    [
      { kind: RecipeKind.MEAN, cmp: 0, epsilon: 2000, a: 0n, b: 0n, bounds: [] },
      { kind: RecipeKind.HISTOGRAM, cmp: 0, epsilon: 0xffff_ffff, a: 0n, b: 0n, bounds: [5n, 9n] },
    ],
    [],
  ];
  it.each(programs.map((p) => [p.length, p] as const))("equals ethers' AbiCoder for a program of %d ops", (_n, ops) => {
    expect(encodeProgramAbi(ops)).toBe(reference(ops));
    expect(programHash(ops)).toBe(keccak256(reference(ops)));
  });

  it("refuses values that are not uint64", () => {
    expect(() => encodeProgramAbi([{ kind: 0, cmp: 0, epsilon: 0, a: MAX + 1n, b: 0n, bounds: [] }])).toThrow(RangeError);
    expect(() => encodeProgramAbi([{ kind: 0, cmp: 0, epsilon: 0, a: 0n, b: 0n, bounds: [-1n] }])).toThrow(RangeError);
    expect(() => encodeProgramAbi([{ kind: 0, cmp: 0, epsilon: 2 ** 32, a: 0n, b: 0n, bounds: [] }])).toThrow(RangeError);
    expect(() => encodeProgramAbi([{ kind: 0, cmp: 0, epsilon: 1.5, a: 0n, b: 0n, bounds: [] }])).toThrow(RangeError);
  });
});

describe("abstractProgram and encodeProgram", () => {
  const base = { label: "x", source: "x" };
  const statistics: Statistic[] = [
    { stat: "min", ...base },
    { stat: "range", ...base },
    { stat: "share", predicate: { cmp: "GT", a: "30" }, ...base },
    { stat: "countIf", predicate: { cmp: "GT", a: "30" }, ...base },
    { stat: "sumIf", predicate: { cmp: "GT", a: "30" }, ...base },
  ];

  it("deduplicates identical ops and keeps the catalogue's kind order per statistic", () => {
    const program = abstractProgram(statistics);
    expect(program.ops.map((op) => op.kind)).toEqual(["MIN", "MAX", "COUNT_IF", "SUM_IF"]);
    expect(program.statisticOps).toEqual([[0], [0, 1], [2], [2], [3, 2]]);
  });

  it("encodes constants and reports the first one the dataset cannot hold", () => {
    const { ops } = abstractProgram(statistics);
    expect(encodeProgram(ops, { scale: 1, offset: -100n })).toMatchObject({ ok: true, ops: expect.arrayContaining([expect.objectContaining({ a: 400n })]) });
    expect(encodeProgram([{ kind: "ALERT", predicate: { cmp: "LT", a: "-11" } }], { scale: 1, offset: -100n })).toEqual({
      ok: false,
      value: "-11",
      reason: "below-range",
    });
  });

  it("lays out one handle per op, two for VARIANCE and bounds + 1 for HISTOGRAM", () => {
    expect(
      handleLayout([
        { kind: RecipeKind.VARIANCE, bounds: [] },
        { kind: RecipeKind.HISTOGRAM, bounds: [1n] },
        { kind: RecipeKind.COUNT, bounds: [] },
      ]).map((h) => `${h.op}:${h.type}:${h.role}`),
    ).toEqual(["0:euint64:sum", "0:euint64:sumOfSquares", "1:euint32:bucket", "1:euint32:bucket", "2:euint64:windowLength"]);
  });
});
