/**
 * Privacy benchmark: `npm run bench:privacy` prints tables, `npm run bench:privacy -- --json` one JSON document
 * (keys `exact`, `private` and `privateLargeEpsilon`, each with `readingsRecovered`, `bucketSize` and
 * `runsUntilStopped`, null when nothing stopped the attack; then `noise`, one row per kind).
 *
 * 1. The bisection attack of issue 18, as a buyer with one purchase against one 12-reading bucket: each run asks
 *    COUNT_IF(x <= t) for up to 8 thresholds t, halving the interval known to hold each order statistic, until every
 *    reading is pinned to the sensor's resolution (one encoded unit) or the contract refuses a run. On the exact
 *    dataset the counts are exact; on the private one (encoded like the demo thermometer, range [1000, 11000],
 *    budget ε 10, ε 0.1..2 per statistic) they are noisy, and the attacker spends the least ε (0.1) or a large one (2), asking
 *    one threshold as many times a run as its remaining budget allows (up to 8) and deciding once the mean of its
 *    answers is within ±0.5 at 3σ: the repetition that would defeat noise without a budget. A reading is
 *    "recovered" when its order statistic is pinned to within ± the resolution of its true value.
 * 2. The noise per kind at ε 2 (and 0.5 for MEAN, 0.1 for COUNT_IF) over a 288-reading window (a day at 5 min): the
 *    standard deviation and 95 % interval in the value's unit (from the exact model, @iotdm/recipes/noise-model), the
 *    HCU the noise adds per result (measured) and the extra transactions it takes.
 *
 * The fhevm mock exists only inside `hardhat test`, so this file is both the command and, in a child `hardhat test`,
 * the measurement (bench/hardhat-bench.ts).
 */
import { deployMarket } from "@iotdm/contracts-client/deploy";
import {
  ALL_RECIPE_KINDS,
  Comparator,
  EXACT_PRIVACY,
  PrivacyMode,
  RecipeKind,
  decodeContractError,
  encodeProgram,
  noiseUnits,
  noisyValue,
  op,
  resultLayout,
  type Op,
  type PrivacyParams,
} from "@iotdm/contracts-client";
import { noiseInterval, noiseParameters, noiseStandardDeviation } from "@iotdm/recipes/noise-model";
import { renderTable, runHardhatBenchmark } from "./hardhat-bench";

const BUCKET = 12;
const OPS_PER_RUN = 8;
const MAX_RUNS = 200;
const SCALE = 2;
const OFFSET = -5000n;
const DEMO_PRIVACY: PrivacyParams = {
  mode: PrivacyMode.PRIVATE,
  lowerBound: 1000n,
  upperBound: 11000n,
  budget: 10_000,
  minEpsilon: 100,
  maxEpsilon: 2000,
};
const WINDOW = 288;

interface AttackFigures {
  bucketSize: number;
  readingsRecovered: number;
  /** Runs the contract accepted before it refused one (null: nothing stopped the attack). */
  runsUntilStopped: number | null;
  runs: number;
  /** ε per statistic the attacker spent (null on the exact dataset). */
  epsilon: number | null;
  stoppedBy: string | null;
}

interface NoiseFigures {
  kind: string;
  epsilon: number;
  /** What one unit of the result is, e.g. "°C (the mean)". */
  unit: string;
  standardDeviation: number;
  interval95: number;
  noiseHcu: number;
  extraTransactions: number;
}

interface Report {
  exact: AttackFigures;
  private: AttackFigures;
  privateLargeEpsilon: AttackFigures;
  noise: NoiseFigures[];
}

async function measure(): Promise<Report> {
  const hre = (await import("hardhat")).default;
  const { ethers, fhevm } = hre;
  const { FhevmType } = await import("@fhevm/hardhat-plugin");
  const [admin, seller, buyer] = await ethers.getSigners();
  const { market, address } = await deployMarket({ signer: admin });
  const as = (signer: typeof admin) => market.connect(signer);
  let timestamp = 1_700_000_000;

  async function dataset(privacy: PrivacyParams, bucketSize: number, values: bigint[]): Promise<bigint> {
    const params = { name: "bench", field: "temperature", unit: "°C", scale: SCALE, offset: OFFSET, pricePerPeriod: 0n, periodSeconds: 86_400, bucketSize: BigInt(bucketSize), privacy, rollups: 0 };
    await (await as(seller).createDataset(params)).wait();
    const id = (await market.datasetCount()) as bigint;
    await (await as(seller).approveRecipeKinds(id, ALL_RECIPE_KINDS)).wait();
    for (let i = 0; i < values.length; i += 32) {
      const input = fhevm.createEncryptedInput(address, seller.address);
      for (const value of values.slice(i, i + 32)) input.add64(value);
      const { handles, inputProof } = await input.encrypt();
      await (await as(seller).appendReadings(id, handles, inputProof, handles.map(() => ++timestamp))).wait();
    }
    await (await as(buyer).purchaseAccess(id, 1, { value: 0 })).wait();
    return id;
  }

  /** Runs `ops` over [from, to) as the buyer, steps and noises it to the end; the decrypted results and the noise receipts. */
  async function run(id: bigint, ops: Op[], from: number, to: number) {
    await (await as(buyer).startRun(id, encodeProgram(ops), from, to)).wait();
    const runId = (await market.runCount()) as bigint;
    const program = encodeProgram(ops);
    const largest = Number(await market.maxStepSize(program, false));
    const largestFinal = Number(await market.maxStepSize(program, true));
    for (let cursor = from; cursor < to; ) {
      const remaining = to - cursor;
      const n = remaining <= largestFinal ? remaining : Math.min(largest, remaining - 1);
      await (await as(buyer).step(runId, n)).wait();
      cursor += n;
    }
    const noiseReceipts = [];
    let info = await market.runInfo(runId);
    while (Number(info.noiseCursor) < Number(info.noiseUnits)) {
      let count = Number(info.noiseUnits) - Number(info.noiseCursor);
      try {
        await as(buyer).addNoise.staticCall(runId, count);
      } catch (err) {
        const decoded = decodeContractError(err);
        if (decoded.name !== "NoiseOutOfRange") throw err;
        count = Number(decoded.args[2]);
      }
      noiseReceipts.push((await (await as(buyer).addNoise(runId, count)).wait())!);
      info = await market.runInfo(runId);
    }
    const handles = (await market.runResults(runId)) as string[];
    const noisy = Number(info.noiseUnits) > 0;
    const layout = resultLayout(ops, { noisy });
    const values: bigint[] = [];
    for (const [i, handle] of handles.entries()) {
      const type = layout[i].type === "euint32" ? FhevmType.euint32 : FhevmType.euint64;
      const value = await fhevm.userDecryptEuint(type, handle, address, buyer);
      values.push(layout[i].encoding === "noisy" ? noisyValue(value) : value);
    }
    return { values, noiseReceipts };
  }

  /** The bisection attack on the first bucket of `id` (see the header). */
  async function attack(id: bigint, truth: bigint[], epsilon: number | null, budget = 0): Promise<AttackFigures> {
    const lo: bigint[] = truth.map(() => 0n);
    const hi: bigint[] = truth.map(() => 2n ** 16n);
    // Against noise the attacker repeats each query until the mean of its answers is within ±0.5 at 3σ.
    const sigma = epsilon === null ? 0 : noiseStandardDeviation(noiseParameters({ epsilonMilli: epsilon, sensitivity: 1n, parts: 1 }).thresholds);
    const repeats = Math.max(1, Math.ceil(((3 * sigma) / 0.5) ** 2));
    const answers = new Map<bigint, { sum: bigint; count: number }>();
    let runs = 0;
    let stoppedBy: string | null = null;
    while (runs < MAX_RUNS) {
      const open = [...lo.keys()].filter((r) => hi[r] - lo[r] > 1n).sort((a, b) => Number(hi[b] - lo[b] - (hi[a] - lo[a])));
      if (open.length === 0) break;
      // Midpoints that split [lo, hi) into two non-empty halves: v <= t or v > t.
      const midpoints = [...new Set(open.map((r) => (lo[r] + hi[r] - 1n) / 2n))];
      let perRun = OPS_PER_RUN;
      if (epsilon !== null) {
        const spent = Number(await market.privacySpent(id, buyer.address, 0, BUCKET));
        perRun = Math.max(1, Math.min(OPS_PER_RUN, Math.floor((budget - spent) / epsilon)));
      }
      // Exact counts: up to 8 different thresholds a run; noisy ones: the widest open threshold, repeated.
      const thresholds = repeats === 1 ? midpoints.slice(0, perRun) : Array.from({ length: perRun }, () => midpoints[0]);
      const ops = thresholds.map((t) => op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.LE, a: t, epsilon: epsilon ?? 0 }));
      try {
        const { values } = await run(id, ops, 0, BUCKET);
        runs++;
        thresholds.forEach((t, i) => {
          const seen = answers.get(t) ?? { sum: 0n, count: 0 };
          answers.set(t, { sum: seen.sum + values[i], count: seen.count + 1 });
        });
      } catch (err) {
        stoppedBy = decodeContractError(err).name;
        break;
      }
      for (const [t, { sum, count }] of answers) {
        if (count < repeats) continue;
        answers.delete(t);
        const atMost = Math.round(Number(sum) / count);
        // Order statistic r (0-based) is <= t exactly when at least r + 1 readings are <= t.
        for (let r = 0; r < truth.length; r++) {
          if (t < lo[r] || t >= hi[r] - 1n) continue;
          if (atMost >= r + 1) hi[r] = t + 1n;
          else lo[r] = t + 1n;
        }
      }
    }
    const sorted = [...truth].sort((a, b) => Number(a - b));
    const recovered = sorted.filter((value, r) => hi[r] - lo[r] <= 1n && lo[r] - value <= 1n && value - lo[r] <= 1n).length;
    return { bucketSize: BUCKET, readingsRecovered: recovered, runsUntilStopped: stoppedBy ? runs : null, runs, epsilon: epsilon === null ? null : epsilon / 1000, stoppedBy };
  }

  let seed = 2024;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const temperatures = (count: number) => Array.from({ length: count }, () => BigInt(Math.round(1000 + 10_000 * (0.3 + 0.4 * random()))));

  const bucket = temperatures(BUCKET);
  const exact = await attack(await dataset(EXACT_PRIVACY, BUCKET, bucket), bucket, null);
  const privateSmall = await attack(await dataset(DEMO_PRIVACY, BUCKET, bucket), bucket, 100, DEMO_PRIVACY.budget);
  const privateLarge = await attack(await dataset(DEMO_PRIVACY, BUCKET, bucket), bucket, 2000, DEMO_PRIVACY.budget);

  const day = await dataset({ ...DEMO_PRIVACY, budget: 100_000 }, 12, temperatures(WINDOW));
  const cases: { kind: string; ops: Op[]; unit: string; toValue: (sd: number) => number }[] = [
    { kind: "MEAN", ops: [op({ kind: RecipeKind.MEAN, epsilon: 2000 })], unit: "°C (mean)", toValue: (sd) => sd / WINDOW / 10 ** SCALE },
    { kind: "MEAN", ops: [op({ kind: RecipeKind.MEAN, epsilon: 500 })], unit: "°C (mean)", toValue: (sd) => sd / WINDOW / 10 ** SCALE },
    { kind: "COUNT_IF", ops: [op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GT, a: 6000, epsilon: 2000 })], unit: "readings", toValue: (sd) => sd },
    { kind: "COUNT_IF", ops: [op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GT, a: 6000, epsilon: 100 })], unit: "readings", toValue: (sd) => sd },
    { kind: "SUM_IF", ops: [op({ kind: RecipeKind.SUM_IF, cmp: Comparator.GT, a: 6000, epsilon: 2000 })], unit: "°C (sum)", toValue: (sd) => sd / 10 ** SCALE },
    { kind: "HISTOGRAM (4 bounds)", ops: [op({ kind: RecipeKind.HISTOGRAM, bounds: [4000, 5000, 6000, 7000], epsilon: 2000 })], unit: "readings per bucket", toValue: (sd) => sd },
    { kind: "VARIANCE", ops: [op({ kind: RecipeKind.VARIANCE, epsilon: 2000 })], unit: "°C (the mean, from the sum)", toValue: (sd) => sd / WINDOW / 10 ** SCALE },
  ];
  const noise: NoiseFigures[] = [];
  for (const c of cases) {
    const { noiseReceipts } = await run(day, c.ops, 0, WINDOW);
    const first = noiseUnits(c.ops, DEMO_PRIVACY)[0];
    const { thresholds } = noiseParameters({ epsilonMilli: first.epsilon, sensitivity: first.sensitivity, parts: first.parts });
    const hcu = noiseReceipts.reduce((sum, r) => sum + fhevm.computeTransactionHCU(r).globalHCU, 0);
    noise.push({
      kind: c.kind,
      epsilon: c.ops[0].epsilon / 1000,
      unit: c.unit,
      standardDeviation: c.toValue(noiseStandardDeviation(thresholds)),
      interval95: c.toValue(Number(noiseInterval(thresholds, 0.95))),
      noiseHcu: hcu,
      extraTransactions: noiseReceipts.length,
    });
  }
  return { exact, private: privateSmall, privateLargeEpsilon: privateLarge, noise };
}

function printTables(report: Report) {
  const attackRow = (name: string, a: AttackFigures) => [
    name,
    a.epsilon === null ? "exact" : String(a.epsilon),
    `${a.readingsRecovered} / ${a.bucketSize}`,
    String(a.runs),
    a.runsUntilStopped === null ? "not stopped" : `after ${a.runsUntilStopped} runs (${a.stoppedBy})`,
  ];
  console.log(`Bisection attack, one purchase, one ${report.exact.bucketSize}-reading bucket, ${OPS_PER_RUN} COUNT_IF per run\n`);
  console.log(
    renderTable([
      ["dataset", "ε per statistic", "readings recovered", "runs", "stopped"],
      attackRow("exact", report.exact),
      attackRow("private (demo settings)", report.private),
      attackRow("private (demo settings)", report.privateLargeEpsilon),
    ]),
  );
  console.log(`\nNoise per result over a ${WINDOW}-reading window (range [1000, 11000] encoded = [-40.00, 60.00] °C)\n`);
  console.log(
    renderTable([
      ["kind", "ε", "σ", "± 95 %", "unit", "noise HCU", "extra txs"],
      ...report.noise.map((n) => [
        n.kind,
        String(n.epsilon),
        n.standardDeviation.toPrecision(3),
        n.interval95.toPrecision(3),
        n.unit,
        n.noiseHcu.toLocaleString("en-US"),
        String(n.extraTransactions),
      ]),
    ]),
  );
}

runHardhatBenchmark({ file: "bench/privacy.ts", title: "privacy benchmark", measure, print: printTables });
