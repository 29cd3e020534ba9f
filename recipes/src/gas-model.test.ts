import { describe, expect, it } from "vitest";
import { Comparator, RecipeKind } from "./catalogue";
import { planSteps } from "./cost-model";
import { QUOTE_GAS_MARGIN_PERCENT, RELAYER_GAS, quoteRun, relayerGas, type GasOp } from "./gas-model";

const op = (kind: GasOp["kind"], fields: Partial<GasOp> = {}): GasOp => ({ kind, cmp: Comparator.GT, epsilon: 0, bounds: [], ...fields });
const stepsOf = (ops: readonly GasOp[], length: number) => {
  const planned = planSteps({ ops, length });
  if (!planned.ok) throw new Error("does not plan");
  return planned.steps;
};

describe("relayerGas: the operator's transactions of a plan", () => {
  it("prices the start, every step and nothing else on an exact dataset", () => {
    const ops = [op(RecipeKind.SUM)];
    const gas = relayerGas({ ops, steps: stepsOf(ops, 300), rolledUp: false, programStored: true });
    expect(gas.transactions.map((t) => t.kind)).toEqual(["start", "step", "step", "step"]);
    expect(gas.total).toBe(gas.transactions.reduce((sum, t) => sum + t.gas, 0));
  });

  it("charges a program's first storage and a private dataset's first ledger writes only when they happen", () => {
    const ops = [op(RecipeKind.MEAN, { epsilon: 500 })];
    const steps = stepsOf(ops, 64);
    const stored = relayerGas({ ops, steps, rolledUp: false, programStored: true }).transactions[0]!.gas;
    expect(relayerGas({ ops, steps, rolledUp: false }).transactions[0]!.gas - stored).toBe(RELAYER_GAS.start.programStorage.first);
    const range = { lowerBound: 1000n, upperBound: 11000n };
    const fresh = relayerGas({ ops, steps, rolledUp: false, programStored: true, privacy: { ...range, ledger: "fresh" } });
    const used = relayerGas({ ops, steps, rolledUp: false, programStored: true, privacy: { ...range, ledger: "used" } });
    expect(fresh.transactions[0]!.gas - used.transactions[0]!.gas).toBe(RELAYER_GAS.start.privacyLedgerFresh - RELAYER_GAS.start.privacyLedgerUsed);
    // One noise draw of a mean: one addNoise transaction after the step.
    expect(used.transactions.map((t) => t.kind)).toEqual(["start", "step", "noise"]);
  });

  it("spreads many noise bits over several addNoise transactions", () => {
    const ops = [op(RecipeKind.HISTOGRAM, { bounds: [1, 2, 3, 4, 5, 6, 7, 8], epsilon: 100 })];
    const gas = relayerGas({ ops, steps: stepsOf(ops, 8), rolledUp: false, privacy: { lowerBound: 0n, upperBound: 10_000n, ledger: "used" } });
    expect(gas.transactions.filter((t) => t.kind === "noise").length).toBeGreaterThan(1);
  });

  it("prices a rolled-up step by its HCU, far below the same window read reading by reading", () => {
    const ops = [op(RecipeKind.MIN)];
    const rolled = relayerGas({ ops, steps: [{ size: 10_000, finalizes: true, hcu: 14 * 219_000 }], rolledUp: true, programStored: true });
    const perReading = relayerGas({ ops, steps: stepsOf(ops, 10_000), rolledUp: false, programStored: true });
    expect(rolled.transactions).toHaveLength(2);
    expect(rolled.total * 50).toBeLessThan(perReading.total);
  });

  it("refuses an op kind it does not know", () => {
    expect(() => relayerGas({ ops: [op(42 as GasOp["kind"])], steps: [{ size: 1, finalizes: true, hcu: 1 }], rolledUp: false })).toThrow(RangeError);
  });
});

describe("quoteRun: what the buyer signs", () => {
  it("adds the margin to the gas, prices it at the published gas price and adds the seller's price", () => {
    const quote = quoteRun({ gas: 1_000_000, gasPriceWei: 2_000_000_000n, sellerWei: 5n });
    expect(quote.relayerGas).toBe(BigInt(1_000_000 * (100 + QUOTE_GAS_MARGIN_PERCENT)) / 100n);
    expect(quote.relayerWei).toBe(quote.relayerGas * 2_000_000_000n);
    expect(quote.totalWei).toBe(quote.relayerWei + 5n);
  });

  it("quotes nothing for the relayer when the operator publishes no gas price", () => {
    const quote = quoteRun({ gas: 1_000_000, gasPriceWei: 0n, sellerWei: 7n });
    expect(quote.relayerWei).toBe(0n);
    expect(quote.totalWei).toBe(7n);
  });
});
