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
import { deployMarket } from "@iotdm/contracts-client/deploy";
import { Comparator, EXACT_PRIVACY, RecipeKind, encodeProgram, op, type Op } from "@iotdm/contracts-client";
import { renderTable, runHardhatBenchmark } from "./hardhat-bench";

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

type Report = {
  hcuLimit: number;
  runLength: number;
  kinds: KindFigures[];
  ingestion: IngestionFigures[];
  targets: Record<string, number | boolean>;
};

async function measure(): Promise<Report> {
  const hre = (await import("hardhat")).default;
  const { ethers, fhevm } = hre;
  const [admin, buyer] = await ethers.getSigners();
  const { market, address } = await deployMarket({ signer: admin });
  const marketAs = (signer: typeof admin) => market.connect(signer);

  await (
    await market.createDataset({
      name: "bench",
      field: "temperature",
      unit: "°C",
      scale: 2,
      offset: -5000n,
      pricePerPeriod: 0n,
      periodSeconds: 86_400,
      bucketSize: 1n,
      privacy: EXACT_PRIVACY,
      rollups: 0,
    })
  ).wait();
  const datasetId = 1n;
  await (await market.approveRecipeKinds(datasetId, 0x3ff)).wait();
  await (await marketAs(buyer).purchaseAccess(datasetId, 1, { value: 0 })).wait();

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

  const bounded = kinds.filter((k) => k.readingsPerStep !== "unbounded");
  const batch32 = ingestion.find((i) => i.batch === 32)!;
  const targets = {
    fullStepShareAtLeast: TARGETS.stepShare,
    fullStepShareMet: bounded.every((k) => k.fullStepShare >= TARGETS.stepShare),
    hcuRatioAtMost: TARGETS.hcuRatio,
    hcuRatioMet: bounded.every((k) => (k.ratioToMinimum ?? 0) <= TARGETS.hcuRatio),
    ingestionRatioAtBatch32AtMost: TARGETS.ingestionRatio,
    ingestionRatioMet: batch32.ratio <= TARGETS.ingestionRatio,
  };
  return { hcuLimit: HCU_LIMIT, runLength: RUN_LENGTH, kinds, ingestion, targets };
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
  const t = report.targets;
  console.log(
    `\nTargets: full step >= ${pct(t.fullStepShareAtLeast as number)} of 20M: ${t.fullStepShareMet ? "met" : "MISSED"}; ` +
      `HCU/reading <= ${t.hcuRatioAtMost}x minimum: ${t.hcuRatioMet ? "met" : "MISSED"}; ` +
      `ingestion at batch 32 <= ${t.ingestionRatioAtBatch32AtMost}x reference: ${t.ingestionRatioMet ? "met" : "MISSED"}`,
  );
}

runHardhatBenchmark({ file: "bench/contracts.ts", title: "contracts benchmark", measure, print: printTable });
