/**
 * The relayer's gas for a plan and the quote a buyer signs (issue 15, pay per run). Every operator transaction of a
 * run (start, each step, each batch of noise) is reimbursed from the run's locked funds at the gas the contract
 * meters for it (RunEscrow.charge: the metered body + 35,000 + 16 gas per calldata byte) times the operator's
 * published gas price (`runGasPrice()`, capped by the transaction's own). This model predicts that reimbursed gas
 * from what the plan already knows: the ops, each step's size and HCU, and on a private dataset each noise draw's bits.
 *
 * The constants were measured on the fhevm mock (contracts/test/iot-data-market/quote.test.ts holds the quote
 * within 1.0–1.2 of what every recipe kind is actually reimbursed at its largest step). Gas follows the number of FHE
 * operations, not their HCU: a reading costs the per-reading load plus its ops' encrypted operations.
 *
 * | transaction | gas                                                                                             |
 * |-------------|-------------------------------------------------------------------------------------------------|
 * | start       | 365,483 + Σ ops (4,096 calldata + 512 per bound + accumulators) [+ program storage, first use] [+ privacy ledger] |
 * | step (n)    | 109,131 + Σ ops (merge) + n × (4,423 load + Σ ops per reading) [+ Σ ops release, final step]    |
 * | rolled step | 136,483 + Σ ops + 0.0982 gas per HCU of the step's nodes                                         |
 * | noise       | 40,000 per transaction + Σ draws (base + 55,300 per random bit)                                  |
 *
 * The quote is that gas times a safety margin ({@link QUOTE_GAS_MARGIN_PERCENT}, the one place it is stated) at the
 * published gas price, plus the seller's per-run price. What the run does not use returns to the buyer's balance.
 */
import { Comparator, RecipeKind, type ComparatorCode, type RecipeKindCode } from "./catalogue";
import type { PlannedStep } from "./cost-model";
import { noiseParameters } from "./noise-model";
import { unitSensitivity } from "./privacy-figures";

/** What the gas of an op depends on: its kind, comparator, bounds and (private datasets) ε. */
export interface GasOp {
  readonly kind: RecipeKindCode;
  readonly cmp: ComparatorCode;
  readonly epsilon: number;
  readonly bounds: readonly unknown[];
}

/**
 * The margin the quote adds to the modelled gas, in percent: the model is within a few percent of the measured gas
 * (it rounds up), and the margin absorbs what it cannot see (storage slots written for the first time). The gas
 * price needs none: the contract reimburses at most the published price.
 */
export const QUOTE_GAS_MARGIN_PERCENT = 8;

/** Gas of the parts of an operator's transactions (measured on the fhevm mock, rounded up). */
export const RELAYER_GAS = {
  start: {
    /** A start whose program has one COUNT op: signature, checks, run record, lock (calldata of the rest included). */
    base: 365_483,
    /** Calldata of one op in `startRunFor` (8 ABI words of 32 bytes, 16 gas each) and of one histogram bound. */
    calldataPerOp: 4_096,
    calldataPerBound: 512,
    /** Per op: its accumulators, encrypted zeros written at start. */
    accumulators: { perOp: 49_300, variance: 83_400, histogram: 20_000, histogramPerBound: 34_500 },
    /** The first run of a program stores it (the contract keeps each program once). */
    programStorage: { first: 92_500, perOp: 22_000, perBound: 7_500 },
    /** A private dataset's budget charge on the buyer's ledger: its first run writes the ledger's nodes. */
    privacyLedgerFresh: 1_060_000,
    privacyLedgerUsed: 430_000,
  },
  step: {
    base: 109_131,
    /** Loading one reading, once whatever the number of ops that read it. */
    loadPerReading: 4_423,
    /** Per op: merging the chunk into its accumulator, and its encrypted operations per reading. */
    merge: { sum: 18_300, mean: 0, min: 18_300, max: 18_400, countIf: 28_300, sumIf: 26_600, histogramPerBound: 42_000, variance: 54_300, alert: 18_300, count: 40_100 },
    perReading: {
      sum: 12_432,
      min: 12_298,
      max: 12_351,
      countIf: 31_645,
      countIfBetween: 53_189,
      sumIf: 35_375,
      sumIfBetween: 57_000,
      histogramPerBound: 31_662,
      variance: 36_326,
      alert: 22_364,
      alertBetween: 44_000,
    },
    /** The final step releases each result to the buyer (or to the contract for noise). */
    release: { perOp: 45_000, histogramPerBucket: 64_200, variance: 56_000 },
  },
  rolledUp: { base: 136_483, perOp: { sum: 20_300, mean: 0, min: 24_300, max: 24_400, variance: 38_900, count: 45_000 }, perHcu: 0.0982 },
  noise: {
    perTransaction: 40_000,
    perBit: 55_300,
    perDraw: { sum: 84_400, countIf: 148_400, histogram: 96_700, variance: 47_100 },
    /** Random bits one `addNoise` transaction holds (the 20M HCU limit over about 210,000 HCU a bit, with room to spare). */
    bitsPerTransaction: 85,
  },
} as const;

/** One planned operator transaction and its gas. */
export interface PlannedTransactionGas {
  readonly kind: "start" | "step" | "noise";
  readonly gas: number;
}

/** The relayer's gas of a plan: per planned transaction, and their total. */
export interface RelayerGas {
  readonly transactions: readonly PlannedTransactionGas[];
  readonly total: number;
}

/** Input of {@link relayerGas}. */
export interface RelayerGasOptions {
  readonly ops: readonly GasOp[];
  /** The plan's steps (size, finalizes, HCU). */
  readonly steps: readonly PlannedStep[];
  /** Whether the steps combine rollups. */
  readonly rolledUp: boolean;
  /** Whether the contract already stores the program (`program(programHash)`): only a program's first run stores it. */
  readonly programStored?: boolean;
  /**
   * On a private dataset: its range (the noise's sensitivity) and whether the buyer's ε ledger over the window is
   * still unwritten (`fresh`: no ε spent on it yet, the costlier first charge).
   */
  readonly privacy?: { readonly lowerBound: bigint; readonly upperBound: bigint; readonly ledger: "fresh" | "used" };
}

const B = RELAYER_GAS;
const isBetween = (op: GasOp) => op.cmp === Comparator.BETWEEN;

function startGas({ ops, programStored, privacy }: RelayerGasOptions): number {
  let gas = B.start.base;
  for (const op of ops) {
    const bounds = op.bounds.length;
    gas += B.start.calldataPerOp + B.start.calldataPerBound * bounds;
    if (op.kind === RecipeKind.VARIANCE) gas += B.start.accumulators.variance;
    else if (op.kind === RecipeKind.HISTOGRAM) gas += B.start.accumulators.histogram + B.start.accumulators.histogramPerBound * bounds;
    else if (op.kind !== RecipeKind.COUNT) gas += B.start.accumulators.perOp;
  }
  // The base holds one op's calldata: the COUNT program it was measured with.
  gas -= B.start.calldataPerOp;
  if (!programStored) {
    const bounds = ops.reduce((sum, op) => sum + op.bounds.length, 0);
    gas += B.start.programStorage.first + B.start.programStorage.perOp * (ops.length - 1) + B.start.programStorage.perBound * bounds;
  }
  if (privacy) gas += privacy.ledger === "fresh" ? B.start.privacyLedgerFresh : B.start.privacyLedgerUsed;
  return gas;
}

function opStepGas(op: GasOp, n: number, finalizes: boolean): number {
  const { merge, perReading: r, release } = B.step;
  const bounds = op.bounds.length;
  let gas: number;
  switch (op.kind) {
    case RecipeKind.COUNT:
      gas = merge.count;
      break;
    case RecipeKind.SUM:
      gas = merge.sum + n * r.sum;
      break;
    case RecipeKind.MEAN:
      gas = merge.mean + n * r.sum;
      break;
    case RecipeKind.MIN:
      gas = merge.min + n * r.min;
      break;
    case RecipeKind.MAX:
      gas = merge.max + n * r.max;
      break;
    case RecipeKind.COUNT_IF:
      gas = merge.countIf + n * (isBetween(op) ? r.countIfBetween : r.countIf);
      break;
    case RecipeKind.SUM_IF:
      gas = merge.sumIf + n * (isBetween(op) ? r.sumIfBetween : r.sumIf);
      break;
    case RecipeKind.HISTOGRAM:
      gas = bounds * (merge.histogramPerBound + n * r.histogramPerBound);
      break;
    case RecipeKind.VARIANCE:
      gas = merge.variance + n * r.variance;
      break;
    case RecipeKind.ALERT:
      gas = merge.alert + n * (isBetween(op) ? r.alertBetween : r.alert);
      break;
    default:
      throw new RangeError(`unknown recipe kind ${String(op.kind)}`);
  }
  if (finalizes) {
    if (op.kind === RecipeKind.HISTOGRAM) gas += release.histogramPerBucket * (bounds + 1);
    else if (op.kind === RecipeKind.VARIANCE) gas += release.variance;
    else gas += release.perOp;
  }
  return gas;
}

function stepGas(ops: readonly GasOp[], step: PlannedStep): number {
  const reads = ops.some((op) => op.kind !== RecipeKind.COUNT);
  return B.step.base + (reads ? step.size * B.step.loadPerReading : 0) + ops.reduce((sum, op) => sum + opStepGas(op, step.size, step.finalizes), 0);
}

function rolledUpStepGas(ops: readonly GasOp[], step: PlannedStep): number {
  const perOp = B.rolledUp.perOp;
  const fixed = ops.reduce((sum, op) => {
    switch (op.kind) {
      case RecipeKind.SUM:
        return sum + perOp.sum;
      case RecipeKind.MEAN:
        return sum + perOp.mean;
      case RecipeKind.MIN:
        return sum + perOp.min;
      case RecipeKind.MAX:
        return sum + perOp.max;
      case RecipeKind.VARIANCE:
        return sum + perOp.variance;
      case RecipeKind.COUNT:
        return sum + perOp.count;
      default:
        throw new RangeError(`recipe kind ${op.kind} has no rollup`);
    }
  }, 0);
  return B.rolledUp.base + fixed + Math.ceil(B.rolledUp.perHcu * step.hcu);
}

/** The noise draws of the ops on a private dataset with range [lowerBound, upperBound]: each draw's op kind and random bits. */
function noiseDraws(ops: readonly GasOp[], range: { lowerBound: bigint; upperBound: bigint }): { kind: RecipeKindCode; bits: number }[] {
  const draws: { kind: RecipeKindCode; bits: number }[] = [];
  for (const op of ops) {
    const parts = op.kind === RecipeKind.HISTOGRAM ? op.bounds.length + 1 : op.kind === RecipeKind.VARIANCE ? 2 : 1;
    for (let part = 0; part < parts; part++) {
      const law = unitSensitivity(op.kind, op.kind === RecipeKind.HISTOGRAM ? 0 : part, range);
      if (!law) break; // COUNT is public; MIN, MAX and ALERT are not offered on private datasets
      draws.push({ kind: op.kind, bits: noiseParameters({ epsilonMilli: op.epsilon, sensitivity: law.sensitivity, parts: law.parts }).bitCount });
    }
  }
  return draws;
}

function noiseTransactions(ops: readonly GasOp[], range: { lowerBound: bigint; upperBound: bigint }): number[] {
  const { perDraw, perBit, perTransaction, bitsPerTransaction } = B.noise;
  const transactions: number[] = [];
  let gas = 0;
  let bits = 0;
  for (const draw of noiseDraws(ops, range)) {
    if (bits > 0 && bits + draw.bits > bitsPerTransaction) {
      transactions.push(perTransaction + gas);
      gas = 0;
      bits = 0;
    }
    const base =
      draw.kind === RecipeKind.COUNT_IF ? perDraw.countIf : draw.kind === RecipeKind.HISTOGRAM ? perDraw.histogram : draw.kind === RecipeKind.VARIANCE ? perDraw.variance : perDraw.sum;
    gas += base + perBit * draw.bits;
    bits += draw.bits;
  }
  if (bits > 0) transactions.push(perTransaction + gas);
  return transactions;
}

/** The gas the relayer's transactions of a plan are reimbursed, per transaction (start, steps, noise) and in total. */
export function relayerGas(options: RelayerGasOptions): RelayerGas {
  const { ops, steps, rolledUp, privacy } = options;
  const transactions: PlannedTransactionGas[] = [{ kind: "start", gas: startGas(options) }];
  for (const step of steps) transactions.push({ kind: "step", gas: rolledUp ? rolledUpStepGas(ops, step) : stepGas(ops, step) });
  if (privacy) for (const gas of noiseTransactions(ops, privacy)) transactions.push({ kind: "noise", gas });
  return { transactions, total: transactions.reduce((sum, t) => sum + t.gas, 0) };
}

/** A run's price in wei: the relayer's gas (with the margin) at the published gas price, plus the seller's per-run price. */
export interface RunQuote {
  readonly gasPriceWei: bigint;
  /** The modelled gas with {@link QUOTE_GAS_MARGIN_PERCENT} added. */
  readonly relayerGas: bigint;
  readonly relayerWei: bigint;
  readonly sellerWei: bigint;
  /** relayerWei + sellerWei: the most the buyer agrees to pay (RunRequest.maxPayment, StandingAuthorization.maxPaymentPerRun). */
  readonly totalWei: bigint;
}

/** The quote of a run whose transactions need `gas` (the model's total), at `gasPriceWei`, with the seller's `sellerWei`. */
export function quoteRun(options: { gas: number; gasPriceWei: bigint; sellerWei: bigint }): RunQuote {
  const relayerGasWithMargin = (BigInt(Math.ceil(options.gas)) * BigInt(100 + QUOTE_GAS_MARGIN_PERCENT) + 99n) / 100n;
  const relayerWei = relayerGasWithMargin * options.gasPriceWei;
  return {
    gasPriceWei: options.gasPriceWei,
    relayerGas: relayerGasWithMargin,
    relayerWei,
    sellerWei: options.sellerWei,
    totalWei: relayerWei + options.sellerWei,
  };
}
