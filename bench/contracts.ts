/**
 * Contract benchmark: `npm run bench:contracts` prints a table, `npm run bench:contracts -- --json` one JSON document.
 *
 * Per recipe kind, on the in-process fhevm mock: HCU per reading of a full step (measured with
 * fhevm.computeTransactionHCU), the minimum FHE operations the statistic needs per reading and the ratio, readings
 * per step at the 20M HCU limit (the contract's maxStepSize), the share of the limit a full step uses, and the
 * transactions a run over 10,000 readings takes (start + steps). Then gas per ingested reading for batches of 1, 8
 * and 32, next to a bare reference contract (fromExternal + allowThis + store) measured in the same run.
 *
 * How it runs: the fhevm Hardhat plugin sets its mock up only inside `hardhat test` (or against a node), so this file
 * is both the command and, in a child `hardhat test`, the measurement (bench/hardhat-bench.ts).
 */
import type { Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import { Comparator, EXACT_PRIVACY, RecipeKind, encodeProgram, op, type Op } from "@iotdm/contracts-client";
import {
  ALL_ROLLUPS,
  ROLLUP,
  largestIngestionBatch,
  planRolledUpSteps,
  rolledUpStepHcu,
  rollupBlockSize,
  rollupNodeCount,
} from "@iotdm/recipes/rollup-model";
import { renderTable, runHardhatBenchmark } from "./hardhat-bench";
import { EXACT_QUOTE_CASES, PRIVATE, QUOTE_BAND, measureQuote, paidMarket, type QuoteMeasurement } from "../contracts/test/iot-data-market/quote-support";

const HCU_LIMIT = 20_000_000;
const RUN_LENGTH = 10_000;
const BATCHES = [1, 8, 32] as const;
const TARGETS = { stepShare: 0.9, hcuRatio: 1.2, ingestionRatio: 1.15 };

// Prices from @fhevm/host-contracts HCULimit.sol (euint64 unless said, scalar comparisons).
const PRICE = { add64: 162_000, min64: 219_000, max64: 218_000, mul64: 596_000, select: 55_000, add8: 88_000, or: 24_000 };
const PREDICATE = { gt: 117_000, ge: 116_000, le: 119_000 };

/** One program per kind, and the least HCU per reading any evaluation of that statistic needs. */
const KINDS: { kind: string; ops: Op[]; minimumPerReading: number; minimumOps: string }[] = [
  { kind: "COUNT", ops: [op({ kind: RecipeKind.COUNT })], minimumPerReading: 0, minimumOps: "none (public window length)" },
  { kind: "SUM", ops: [op({ kind: RecipeKind.SUM })], minimumPerReading: PRICE.add64, minimumOps: "1 add" },
  { kind: "MEAN", ops: [op({ kind: RecipeKind.MEAN })], minimumPerReading: PRICE.add64, minimumOps: "1 add" },
  { kind: "MIN", ops: [op({ kind: RecipeKind.MIN })], minimumPerReading: PRICE.min64, minimumOps: "1 min" },
  { kind: "MAX", ops: [op({ kind: RecipeKind.MAX })], minimumPerReading: PRICE.max64, minimumOps: "1 max" },
  {
    kind: "COUNT_IF (x > a)",
    ops: [op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GT, a: 7000 })],
    minimumPerReading: PREDICATE.gt + PRICE.add8,
    minimumOps: "1 compare + 1 euint8 add",
  },
  {
    kind: "SUM_IF (x <= a)",
    ops: [op({ kind: RecipeKind.SUM_IF, cmp: Comparator.LE, a: 6000 })],
    minimumPerReading: PREDICATE.le + PRICE.select + PRICE.add64,
    minimumOps: "1 compare + 1 select + 1 add",
  },
  {
    kind: "HISTOGRAM (4 bounds)",
    ops: [op({ kind: RecipeKind.HISTOGRAM, bounds: [5000, 6000, 7000, 8000] })],
    minimumPerReading: 4 * (PREDICATE.ge + PRICE.add8),
    minimumOps: "4 x (1 compare + 1 euint8 add)",
  },
  {
    kind: "VARIANCE",
    ops: [op({ kind: RecipeKind.VARIANCE })],
    minimumPerReading: PRICE.mul64 + 2 * PRICE.add64,
    minimumOps: "1 mul + 2 adds",
  },
  {
    kind: "ALERT (x >= a)",
    ops: [op({ kind: RecipeKind.ALERT, cmp: Comparator.GE, a: 9000 })],
    minimumPerReading: PREDICATE.ge + PRICE.or,
    minimumOps: "1 compare + 1 ebool or",
  },
];

interface KindFigures {
  kind: string;
  hcuPerReading: number;
  minimumHcuPerReading: number;
  minimumOps: string;
  ratioToMinimum: number | null;
  readingsPerStep: number | "unbounded";
  readingsPerFinalStep: number | "unbounded";
  fullStepHcu: number;
  fullStepShare: number;
  transactionsFor10k: number;
}

interface IngestionFigures {
  batch: number;
  marketGasPerReading: number;
  referenceGasPerReading: number;
  ratio: number;
}

/** A kind over the dataset's rollups (issue 13): transactions of any aligned window up to `windowUpTo` readings. */
interface RolledUpKindFigures {
  kind: string;
  /** The rollups it needs. */
  rollups: string;
  /** HCU of the step measured on the mock over a window of `measuredWindow` readings, and the model's figure. */
  measuredWindow: number;
  measuredStepHcu: number;
  modelStepHcu: number;
  /** Most stored nodes any aligned window up to `windowUpTo` combines (MIN, MAX), at the smallest block (2). */
  worstNodes: number;
  /** Steps of the costliest aligned window up to `windowUpTo` readings, after the start (start excluded). */
  transactionsAfterStart: number;
}

interface RollupFigures {
  windowUpTo: number;
  kinds: RolledUpKindFigures[];
  /** appendReadings at batch 32 with the sum rollup (k = 32) against the market without rollups, same run. */
  sumIngestion: { batch: number; blockSize: number; gasPerReading: number; withoutRollupsGasPerReading: number; ratio: number; hcu: number };
  /** Largest batch whose HCU fits wherever it lands in 1,000,000 readings, every rollup on (k = 32 and k = 1). */
  largestBatchEveryRollup: { blockSize: number; batch: number }[];
  /** Gas per reading with every rollup on at that batch (k = 32), measured. */
  everyRollupGasPerReading: number;
}

/** Issue 15: the planner's quote ÷ what the operator was actually reimbursed, per kind at its largest step. */
interface QuoteFigures {
  kind: string;
  /** quote.relayerWei ÷ the reimbursed total (start, steps, noise), the program already stored. */
  ratio: number;
  relayerGasQuoted: number;
  transactions: number;
}

type Report = {
  hcuLimit: number;
  runLength: number;
  kinds: KindFigures[];
  ingestion: IngestionFigures[];
  rollups: RollupFigures;
  quotes: QuoteFigures[];
  targets: Record<string, number | boolean>;
};

async function measure(): Promise<Report> {
  const hre = (await import("hardhat")).default;
  const { ethers, fhevm } = hre;
  const [admin, buyer] = await ethers.getSigners();
  const { market, address } = await deployMarket({ signer: admin });
  const marketAs = (signer: typeof admin) => market.connect(signer);

  const datasetId = await openBenchDataset({ market, buyer, name: "bench", bucketSize: 1n, rollups: 0 });

  const reference = (await (await ethers.getContractFactory("IngestionReference")).deploy()) as unknown as Contract;
  const referenceAddress = await reference.getAddress();
  let seed = 12345;
  const random = () => BigInt(((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 10_000) + 1);
  const encrypt = async (contract: string, size: number) => {
    const input = fhevm.createEncryptedInput(contract, admin.address);
    for (let i = 0; i < size; i++) input.add64(random());
    return input.encrypt();
  };
  let timestamp = 1_700_000_000;
  const appendToMarket = async (size: number) => {
    const { handles, inputProof } = await encrypt(address, size);
    const stamps = handles.map(() => ++timestamp);
    return (await (await market.appendReadings(datasetId, handles, inputProof, stamps)).wait())!.gasUsed;
  };
  const appendToReference = async (size: number) => {
    const { handles, inputProof } = await encrypt(referenceAddress, size);
    return (await (await reference.append(handles, inputProof)).wait())!.gasUsed;
  };

  // Ingestion: one warm-up batch each (first writes of counters), then the measured batches.
  await appendToMarket(1);
  await appendToReference(1);
  const ingestion: IngestionFigures[] = [];
  for (const batch of BATCHES) {
    const repeats = batch === 32 ? 5 : 4;
    let marketGas = 0n;
    let referenceGas = 0n;
    for (let r = 0; r < repeats; r++) {
      marketGas += await appendToMarket(batch);
      referenceGas += await appendToReference(batch);
    }
    const perReading = (gas: bigint) => Number(gas) / (repeats * batch);
    ingestion.push({
      batch,
      marketGasPerReading: Math.round(perReading(marketGas)),
      referenceGasPerReading: Math.round(perReading(referenceGas)),
      ratio: perReading(marketGas) / perReading(referenceGas),
    });
  }
  const readingCount = Number(await market.readingCount(datasetId));

  // Recipe kinds: a full step at maxStepSize on the readings appended above.
  const kinds: KindFigures[] = [];
  for (const { kind, ops, minimumPerReading, minimumOps } of KINDS) {
    const program = encodeProgram(ops);
    const maxStep = BigInt(await market.maxStepSize(program, false));
    const maxFinal = BigInt(await market.maxStepSize(program, true));
    const unbounded = maxStep > BigInt(Number.MAX_SAFE_INTEGER);
    const n = unbounded ? 100 : Number(maxStep);
    if (n + 1 > readingCount) throw new Error(`need ${n + 1} readings, have ${readingCount}`);
    await (await marketAs(buyer).startRun(datasetId, program, 0, n + 1)).wait();
    const runId = await market.runCount();
    const receipt = await (await marketAs(buyer).step(runId, n)).wait();
    const measured = fhevm.computeTransactionHCU(receipt!).globalHCU;
    const hcuPerReading = measured / n;
    kinds.push({
      kind,
      hcuPerReading: Math.round(hcuPerReading),
      minimumHcuPerReading: minimumPerReading,
      minimumOps,
      ratioToMinimum: minimumPerReading === 0 ? null : hcuPerReading / minimumPerReading,
      readingsPerStep: unbounded ? "unbounded" : n,
      readingsPerFinalStep: unbounded ? "unbounded" : Number(maxFinal),
      fullStepHcu: measured,
      fullStepShare: unbounded ? 0 : measured / HCU_LIMIT,
      transactionsFor10k: 1 + (unbounded ? 1 : stepsFor(RUN_LENGTH, Number(maxStep), Number(maxFinal))),
    });
  }

  const rollups = await measureRollups({ admin, buyer, market, address, fhevm, encrypt, nextTimestamp: () => ++timestamp, batch32: ingestion.find((i) => i.batch === 32)!.marketGasPerReading });

  const quotes = await measureQuotes();

  const bounded = kinds.filter((k) => k.readingsPerStep !== "unbounded");
  const batch32 = ingestion.find((i) => i.batch === 32)!;
  const targets = {
    fullStepShareAtLeast: TARGETS.stepShare,
    fullStepShareMet: bounded.every((k) => k.fullStepShare >= TARGETS.stepShare),
    hcuRatioAtMost: TARGETS.hcuRatio,
    hcuRatioMet: bounded.every((k) => (k.ratioToMinimum ?? 0) <= TARGETS.hcuRatio),
    ingestionRatioAtBatch32AtMost: TARGETS.ingestionRatio,
    ingestionRatioMet: batch32.ratio <= TARGETS.ingestionRatio,
    rolledUpSumMeanTransactionsAtMost: 1,
    rolledUpSumMeanMet: rollups.kinds.filter((k) => k.kind === "SUM" || k.kind === "MEAN").every((k) => k.transactionsAfterStart <= 1),
    rolledUpMinMaxVarianceTransactionsAtMost: 2,
    rolledUpMinMaxVarianceMet: rollups.kinds.filter((k) => k.kind !== "SUM" && k.kind !== "MEAN").every((k) => k.transactionsAfterStart <= 2),
    sumRollupIngestionRatioAtMost: 1.3,
    sumRollupIngestionRatioMet: rollups.sumIngestion.ratio <= 1.3 && rollups.sumIngestion.hcu < HCU_LIMIT,
    quoteRatioAtLeast: QUOTE_BAND.low,
    quoteRatioAtMost: QUOTE_BAND.high,
    quoteRatioMet: quotes.every((q) => q.ratio >= QUOTE_BAND.low && q.ratio <= QUOTE_BAND.high),
  };
  return { hcuLimit: HCU_LIMIT, runLength: RUN_LENGTH, kinds, ingestion, rollups, quotes, targets };
}

/**
 * Issue 15's row: each kind run through the real contracts for its quote (quote-support.ts, as quote.test.ts does),
 * over a window whose first step is its largest, its program already stored; rolled-up and private rows too.
 */
async function measureQuotes(): Promise<QuoteFigures[]> {
  const figures: QuoteFigures[] = [];
  const record = (kind: string, m: QuoteMeasurement) =>
    figures.push({ kind, ratio: m.ratio, relayerGasQuoted: Number(m.quote.relayerGas), transactions: m.transactions });
  let nonce = 1n;
  const exact = await paidMarket(192);
  for (const [kind, ops] of EXACT_QUOTE_CASES) {
    await measureQuote(exact, ops, 0, 192, { nonce: nonce++ });
    record(kind, await measureQuote(exact, ops, 0, 192, { nonce: nonce++ }));
  }
  const rolled = await paidMarket(256, { rollups: ALL_ROLLUPS, k: 4 });
  for (const { kind, ops } of ROLLED_UP_KINDS) record(`rolled-up ${kind}`, await measureQuote(rolled, ops, 4, 252, { rolledUpBlock: 4, nonce: nonce++ }));
  const noisy = await paidMarket(64, { privacy: PRIVATE });
  for (const [kind, ops] of [
    ["private MEAN (noise)", [op({ kind: RecipeKind.MEAN, epsilon: 1000 })]],
    ["private HISTOGRAM (noise)", [op({ kind: RecipeKind.HISTOGRAM, bounds: [5000, 6000, 7000, 8000], epsilon: 500 })]],
  ] as const) {
    record(kind, await measureQuote(noisy, [...ops], 0, 64, { privacy: PRIVATE, nonce: nonce++ }));
  }
  return figures;
}

const WINDOW_UP_TO = 1_000_000;
const ROLLED_UP_KINDS: { kind: string; rollups: string; ops: Op[] }[] = [
  { kind: "SUM", rollups: "SUM", ops: [op({ kind: RecipeKind.SUM })] },
  { kind: "MEAN", rollups: "SUM", ops: [op({ kind: RecipeKind.MEAN })] },
  { kind: "VARIANCE", rollups: "SUM + SQUARES", ops: [op({ kind: RecipeKind.VARIANCE })] },
  { kind: "MIN", rollups: "MIN", ops: [op({ kind: RecipeKind.MIN })] },
  { kind: "MAX", rollups: "MAX", ops: [op({ kind: RecipeKind.MAX })] },
];

/**
 * The costliest aligned window of at most `upTo` readings over blocks of `blockSize`, for `ops`: its steps after the
 * start and its node count. Sums cost the same over any window; MIN and MAX combine the most nodes when the window
 * starts just after a block and ends just before the highest node boundary, so those ends are searched.
 */
function worstWindow(ops: Op[], blockSize: number, upTo: number) {
  const blocks = Math.floor(upTo / blockSize);
  let worst = { steps: 0, nodes: 0 };
  for (let a = 0; a < 256 && a < blocks; a++) {
    for (let b = blocks; b > Math.max(a, blocks - 256); b--) {
      const nodes = rollupNodeCount(a, b);
      if (nodes < worst.nodes) continue;
      const steps = planRolledUpSteps(ops, blockSize, a * blockSize, b * blockSize).length;
      if (steps > worst.steps || nodes > worst.nodes) worst = { steps: Math.max(steps, worst.steps), nodes };
    }
  }
  return worst;
}

/** A free exact temperature dataset with every recipe kind approved and `buyer`'s access bought; its id. */
async function openBenchDataset(options: {
  market: MeasureContext["market"];
  buyer: HardhatEthersSigner;
  name: string;
  bucketSize: bigint;
  rollups: number;
}): Promise<bigint> {
  const { market, buyer, name, bucketSize, rollups } = options;
  await (
    await market.createDataset({
      name,
      field: "temperature",
      unit: "°C",
      scale: 2,
      offset: -5000n,
      pricePerPeriod: 0n,
      periodSeconds: 86_400,
      bucketSize,
      privacy: EXACT_PRIVACY,
      rollups,
    })
  ).wait();
  const id = await market.datasetCount();
  await (await market.approveRecipeKinds(id, 0x3ff)).wait();
  await (await market.connect(buyer).purchaseAccess(id, 1, { value: 0 })).wait();
  return id;
}

type MeasureContext = {
  admin: HardhatEthersSigner;
  buyer: HardhatEthersSigner;
  market: Awaited<ReturnType<typeof deployMarket>>["market"];
  address: string;
  fhevm: HardhatRuntimeEnvironment["fhevm"];
  encrypt: (contract: string, size: number) => Promise<{ handles: Uint8Array[]; inputProof: Uint8Array }>;
  nextTimestamp: () => number;
  batch32: number;
};

/** Issue 13's rows: ingestion with rollups and rolled-up runs, measured on the mock next to the model's figures. */
async function measureRollups(c: MeasureContext): Promise<RollupFigures> {
  const { market, buyer, fhevm } = c;
  const create = (rollups: number, bucketSize: bigint) => openBenchDataset({ market, buyer, name: "bench rollups", bucketSize, rollups });
  const append = async (id: bigint, size: number) => {
    const { handles, inputProof } = await c.encrypt(c.address, size);
    const stamps = handles.map(() => c.nextTimestamp());
    return (await (await market.appendReadings(id, handles, inputProof, stamps)).wait())!;
  };

  // Sum rollup at batch 32, k = 32: every batch closes one block (one stored prefix).
  const sumId = await create(ROLLUP.SUM, 32n);
  await append(sumId, 32);
  let gas = 0n;
  let hcu = 0;
  const repeats = 5;
  for (let r = 0; r < repeats; r++) {
    const receipt = await append(sumId, 32);
    gas += receipt.gasUsed;
    hcu = Math.max(hcu, fhevm.computeTransactionHCU(receipt).globalHCU);
  }
  const gasPerReading = Number(gas) / (repeats * 32);

  // Every rollup on, k = 32, at the largest batch that fits anywhere in 1,000,000 readings.
  const everyBatch = largestIngestionBatch(ALL_ROLLUPS, 32);
  const allId = await create(ALL_ROLLUPS, 32n);
  let everyGas = 0n;
  let appended = 0;
  for (; appended < 32 * 40; appended += everyBatch) {
    const size = Math.min(everyBatch, 32 * 40 - appended);
    const receipt = await append(allId, size);
    if (appended >= 32 * 4 && size === everyBatch) everyGas += receipt.gasUsed;
  }
  const measuredBatches = Math.floor((32 * 40 - 32 * 4) / everyBatch);

  // Rolled-up runs over a window of 38 blocks (from block 1, so the sums subtract), measured; worst windows modelled.
  const kinds: RolledUpKindFigures[] = [];
  const [from, to] = [32, 32 * 39];
  for (const { kind, rollups, ops } of ROLLED_UP_KINDS) {
    const program = encodeProgram(ops);
    await (await market.connect(buyer).startRun(allId, program, from, to)).wait();
    const runId = await market.runCount();
    const receipt = (await (await market.connect(buyer).step(runId, to - from)).wait())!;
    const worst = worstWindow(ops, rollupBlockSize(1), WINDOW_UP_TO);
    kinds.push({
      kind,
      rollups,
      measuredWindow: to - from,
      measuredStepHcu: fhevm.computeTransactionHCU(receipt).globalHCU,
      modelStepHcu: rolledUpStepHcu(ops, from / 32, to / 32, true),
      worstNodes: kind === "MIN" || kind === "MAX" ? worst.nodes : 0,
      transactionsAfterStart: worst.steps,
    });
  }
  return {
    windowUpTo: WINDOW_UP_TO,
    kinds,
    sumIngestion: {
      batch: 32,
      blockSize: 32,
      gasPerReading: Math.round(gasPerReading),
      withoutRollupsGasPerReading: c.batch32,
      ratio: gasPerReading / c.batch32,
      hcu,
    },
    largestBatchEveryRollup: [32, 2].map((blockSize) => ({ blockSize, batch: largestIngestionBatch(ALL_ROLLUPS, blockSize) })),
    everyRollupGasPerReading: Math.round(Number(everyGas) / (measuredBatches * everyBatch)),
  };
}

/** Steps of a run over `length` readings: full steps, then a final step that fits the finalising bound. */
function stepsFor(length: number, maxStep: number, maxFinal: number): number {
  let steps = 0;
  let remaining = length;
  while (remaining > maxFinal) {
    remaining -= Math.min(maxStep, remaining - 1);
    steps++;
  }
  return steps + 1;
}

function printTable(report: Report) {
  const fmt = (n: number) => n.toLocaleString("en-US");
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows: string[][] = [
    ["recipe kind", "HCU/reading", "min ops HCU/reading", "ratio", "readings/step", "share of 20M", "txs for 10k"],
    ...report.kinds.map((k) => [
      k.kind,
      fmt(k.hcuPerReading),
      fmt(k.minimumHcuPerReading),
      k.ratioToMinimum === null ? "n/a" : `${k.ratioToMinimum.toFixed(3)}x`,
      String(k.readingsPerStep),
      k.readingsPerStep === "unbounded" ? "0 (no FHE per reading)" : pct(k.fullStepShare),
      String(k.transactionsFor10k),
    ]),
  ];
  console.log("Recipe steps on the fhevm mock (full step at maxStepSize; HCU measured per transaction)\n");
  console.log(renderTable(rows));
  console.log("\ntxs for 10k = 1 start + steps (full steps, then a finalising step within maxStepSize(ops, true)).\n");
  const ingestionRows = [
    ["batch", "market gas/reading", "reference gas/reading", "ratio"],
    ...report.ingestion.map((i) => [String(i.batch), fmt(i.marketGasPerReading), fmt(i.referenceGasPerReading), `${i.ratio.toFixed(3)}x`]),
  ];
  console.log("Ingestion: appendReadings vs a bare fromExternal + allowThis + store reference, same run\n");
  console.log(renderTable(ingestionRows));
  const r = report.rollups;
  console.log(`\nRollups (issue 13): rolled-up runs; transactions after the start for the costliest aligned window up to ${fmt(r.windowUpTo)} readings (blocks of 2)\n`);
  console.log(
    renderTable([
      ["kind", "rollups", "step HCU measured / model", "worst nodes", "txs after start"],
      ...r.kinds.map((k) => [k.kind, k.rollups, `${fmt(k.measuredStepHcu)} / ${fmt(k.modelStepHcu)} (${fmt(k.measuredWindow)} readings)`, String(k.worstNodes), String(k.transactionsAfterStart)]),
    ]),
  );
  const si = r.sumIngestion;
  console.log(
    `\nIngestion with the sum rollup, batch ${si.batch}, k = ${si.blockSize}: ${fmt(si.gasPerReading)} gas/reading vs ${fmt(si.withoutRollupsGasPerReading)} without rollups = ${si.ratio.toFixed(3)}x; ${fmt(si.hcu)} HCU per batch.`,
  );
  console.log(
    `Largest batch with every rollup on (fits anywhere in 1,000,000 readings): ${r.largestBatchEveryRollup.map((b) => `${b.batch} (k = ${b.blockSize})`).join(", ")}; ${fmt(r.everyRollupGasPerReading)} gas/reading at k = 32.`,
  );
  console.log("\nPay per run (issue 15): the planner's quote ÷ what the operator was reimbursed, through the real contracts\n");
  console.log(renderTable([["run", "quote ÷ actual", "relayer gas quoted", "txs"], ...report.quotes.map((q) => [q.kind, `${q.ratio.toFixed(3)}x`, fmt(q.relayerGasQuoted), String(q.transactions)])]));
  const t = report.targets;
  console.log(
    `\nTargets: full step >= ${pct(t.fullStepShareAtLeast as number)} of 20M: ${t.fullStepShareMet ? "met" : "MISSED"}; ` +
      `HCU/reading <= ${t.hcuRatioAtMost}x minimum: ${t.hcuRatioMet ? "met" : "MISSED"}; ` +
      `ingestion at batch 32 <= ${t.ingestionRatioAtBatch32AtMost}x reference: ${t.ingestionRatioMet ? "met" : "MISSED"}; ` +
      `rolled-up SUM/MEAN <= 1 tx after start: ${t.rolledUpSumMeanMet ? "met" : "MISSED"}; MIN/MAX/VARIANCE <= 2: ${t.rolledUpMinMaxVarianceMet ? "met" : "MISSED"}; ` +
      `sum-rollup ingestion <= 1.3x: ${t.sumRollupIngestionRatioMet ? "met" : "MISSED"}; ` +
      `quote ÷ actual within ${t.quoteRatioAtLeast}–${t.quoteRatioAtMost}: ${t.quoteRatioMet ? "met" : "MISSED"}`,
  );
}

runHardhatBenchmark({ file: "bench/contracts.ts", title: "contracts benchmark", measure, print: printTable });
