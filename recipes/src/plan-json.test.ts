import { describe, expect, it } from "vitest";
import { ContractOpJsonSchema, ContractOpSchema, contractOpToJSON } from "./plan-json";
import type { ContractOp } from "./program";

const op: ContractOp = { kind: 1, cmp: 2, epsilon: 500, a: (1n << 64n) - 1n, b: 0n, bounds: [10n, 2n ** 60n] };

describe("a program op on the wire (one schema for plans and the worker's results)", () => {
  it("is written with its uint64 fields as decimal strings and read back as the same bigints", () => {
    const json = contractOpToJSON(op);
    expect(json).toEqual({ kind: 1, cmp: 2, epsilon: 500, a: "18446744073709551615", b: "0", bounds: ["10", "1152921504606846976"] });
    expect(ContractOpSchema.parse(JSON.parse(JSON.stringify(json)))).toEqual(op);
  });

  it("keeps the JSON form for what is stored as JSON, accepting an in-memory op's bigints", () => {
    expect(ContractOpJsonSchema.parse(op)).toEqual(contractOpToJSON(op));
  });

  it("reads an op written before ε existed as ε 0", () => {
    expect(ContractOpSchema.parse({ kind: 0, cmp: 0, a: "0", b: "0", bounds: [] }).epsilon).toBe(0);
  });

  it("refuses values that do not fit the contract's Op struct", () => {
    const bad = [
      { ...contractOpToJSON(op), a: "18446744073709551616" },
      { ...contractOpToJSON(op), b: "-1" },
      { ...contractOpToJSON(op), a: 5 },
      { ...contractOpToJSON(op), kind: 10 },
      { ...contractOpToJSON(op), cmp: 5 },
      { ...contractOpToJSON(op), bounds: Array(9).fill("1") },
      { ...contractOpToJSON(op), extra: true },
    ];
    for (const value of bad) expect(ContractOpSchema.safeParse(value).success, JSON.stringify(value)).toBe(false);
  });
});
