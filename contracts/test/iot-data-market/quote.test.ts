import { expect } from "chai";
import { RecipeKind, Comparator, op, type Op, type PrivacyParams } from "@iotdm/contracts-client";
import { ALL_ROLLUPS } from "@iotdm/recipes/rollup-model";
import { EXACT_QUOTE_CASES, PRIVATE, QUOTE_BAND, measureQuote, paidMarket, type Market } from "./quote-support";

const K = RecipeKind;

/** Plans, quotes and runs one case; checks the quote covers it within the band. */
async function expectQuoteCovers(m: Market, label: string, ops: Op[], from: number, to: number, options: { rolledUpBlock?: number; privacy?: PrivacyParams; nonce: bigint; scheduled?: boolean }) {
  const { quote, reimbursed, sellerShare, transactions, ratio } = await measureQuote(m, ops, from, to, options);
  expect(sellerShare, `${label}: the seller's share is the run price`).to.equal(quote.sellerWei);
  expect(reimbursed <= quote.relayerWei, `${label}: reimbursed ${reimbursed} within the quote's ${quote.relayerWei}`).to.equal(true);
  expect(ratio, `${label}: quote ÷ actual = ${ratio.toFixed(3)} over ${transactions} transactions`).to.be.within(QUOTE_BAND.low, QUOTE_BAND.high);
}

describe("IoTDataMarket: the planner's quote covers what every run costs (issue 15)", () => {
  it("covers every recipe kind at its largest step, within 1.0–1.2 of the reimbursed gas", async () => {
    const m = await paidMarket(192);
    let nonce = 1n;
    for (const [label, ops] of EXACT_QUOTE_CASES) {
      // Once with the program's first storage in the start, once with it stored.
      await expectQuoteCovers(m, `${label} (first run)`, ops, 0, 192, { nonce: nonce++ });
      await expectQuoteCovers(m, label, ops, 0, 192, { nonce: nonce++ });
    }
  });

  it("covers rolled-up steps, from one stored node to the most a window combines", async () => {
    const m = await paidMarket(256, { rollups: ALL_ROLLUPS, k: 4 });
    let nonce = 1n;
    const programs: [string, Op[]][] = [
      ["SUM", [op({ kind: K.SUM })]],
      ["MEAN", [op({ kind: K.MEAN })]],
      ["MIN", [op({ kind: K.MIN })]],
      ["MAX", [op({ kind: K.MAX })]],
      ["VARIANCE", [op({ kind: K.VARIANCE })]],
      ["mean, min, max, variance", [op({ kind: K.MEAN }), op({ kind: K.MIN }), op({ kind: K.MAX }), op({ kind: K.VARIANCE })]],
    ];
    for (const [label, ops] of programs) {
      for (const [from, to] of [[0, 256], [4, 252]]) await expectQuoteCovers(m, `rolled-up ${label} [${from}, ${to})`, ops, from, to, { rolledUpBlock: 4, nonce: nonce++ });
    }
  });

  it("covers a private dataset's runs with their noise, on a fresh and on a used ε ledger", async () => {
    const m = await paidMarket(64, { privacy: PRIVATE });
    let nonce = 1n;
    const programs: [string, Op[]][] = [
      ["SUM", [op({ kind: K.SUM, epsilon: 100 })]],
      ["MEAN", [op({ kind: K.MEAN, epsilon: 2000 })]],
      ["COUNT_IF", [op({ kind: K.COUNT_IF, cmp: Comparator.GT, a: 7000, epsilon: 500 })]],
      ["SUM_IF", [op({ kind: K.SUM_IF, cmp: Comparator.LE, a: 6000, epsilon: 500 })]],
      ["HISTOGRAM", [op({ kind: K.HISTOGRAM, bounds: [5000, 6000, 7000, 8000], epsilon: 100 })]],
      ["VARIANCE", [op({ kind: K.VARIANCE, epsilon: 500 })]],
    ];
    for (const [label, ops] of programs) await expectQuoteCovers(m, `private ${label}`, ops, 0, 64, { privacy: PRIVATE, nonce: nonce++ });
  });

  it("covers a schedule's report, which starts through its standing authorization", async () => {
    const m = await paidMarket(192);
    let nonce = 1n;
    for (const [label, ops] of EXACT_QUOTE_CASES.slice(0, 3)) {
      await expectQuoteCovers(m, `scheduled ${label} (first report)`, ops, 0, 192, { nonce: nonce++, scheduled: true });
    }
  });
});
