/**
 * Issue 15: the planner's quote (recipes' gas model) against what the contract actually reimburses the operator, for
 * quote.test.ts and `npm run bench:contracts`. Each run is planned as the worker plans it, signed for the quote,
 * started and stepped by the relayer at a gas price above the published one (so the published price is what the
 * escrow pays), and its reimbursed total compared with the quote's relayer part.
 */
import { ethers } from "hardhat";
import type { ContractTransactionReceipt } from "ethers";
import {
  ALL_RECIPE_KINDS,
  Comparator,
  PrivacyMode,
  RecipeKind,
  encodeProgram,
  marketDomain,
  op,
  programHash,
  signRunRequest,
  signStandingAuthorization,
  type Op,
  type PrivacyParams,
} from "@iotdm/contracts-client";
import { planSteps, quoteRun, relayerGas, type PlannedStep, type RunQuote } from "@iotdm/recipes/cost-model";
import { planRolledUpSteps } from "@iotdm/recipes/rollup-model";
import { latestTimestamp } from "../helpers/chain";
import { encode } from "../helpers/stats";
import { THERMOMETER, appendValues, as, createDataset, deployMarketFixture, purchase, randomTemperatures, type MarketFixture } from "./fixture";

const GWEI = 10n ** 9n;
/** The operator's published price; its transactions pay more, so the escrow reimburses at this one. */
const PUBLISHED = GWEI;
const PAID = 3n * GWEI;
const RUN_PRICE = 10n ** 14n;
export const PRIVATE: PrivacyParams = { mode: PrivacyMode.PRIVATE, lowerBound: 1000n, upperBound: 11000n, budget: 100_000, minEpsilon: 100, maxEpsilon: 2000 };
/** The band issue 15 sets for quote ÷ actual reimbursement. */
export const QUOTE_BAND = { low: 1.0, high: 1.2 };

export interface Market extends MarketFixture {
  datasetId: bigint;
}

export async function paidMarket(count: number, options: { rollups?: number; k?: number; privacy?: PrivacyParams } = {}): Promise<Market> {
  const f = await deployMarketFixture();
  const { seller, device, buyer, relayer } = f.actors;
  const datasetId = await createDataset(f, {
    ...THERMOMETER,
    bucketSize: BigInt(options.k ?? 8),
    rollups: options.rollups ?? 0,
    ...(options.privacy ? { privacy: options.privacy } : {}),
  });
  await (await as(f.market, seller).registerDevice(datasetId, device.address)).wait();
  await (await as(f.market, seller).approveRecipeKinds(datasetId, ALL_RECIPE_KINDS)).wait();
  await appendValues(f, datasetId, randomTemperatures(count, 11).map((t) => encode(t, THERMOMETER)), { batchSize: options.rollups ? 7 : 32 });
  await purchase(f, datasetId, buyer);
  await (await as(f.market, relayer).setRunGasPrice(PUBLISHED)).wait();
  await (await as(f.market, seller).setRunPrice(datasetId, RUN_PRICE)).wait();
  await (await as(f.market, buyer).deposit({ value: 10n ** 18n })).wait();
  return { ...f, datasetId };
}

/** The quote of a run as the service computes it: the chain says whether the program is stored and ε spent. */
async function quoteOf(m: Market, ops: Op[], from: number, to: number, steps: readonly PlannedStep[], rolledUp: boolean, privacy?: PrivacyParams): Promise<RunQuote> {
  const programStored = (await m.market.program(programHash(ops))).length > 0;
  const spent = privacy ? await m.market.privacySpent(m.datasetId, m.actors.buyer.address, from, to) : 0n;
  const gas = relayerGas({
    ops,
    steps,
    rolledUp,
    programStored,
    ...(privacy ? { privacy: { lowerBound: privacy.lowerBound, upperBound: privacy.upperBound, ledger: spent === 0n ? "fresh" : "used" } } : {}),
  });
  return quoteRun({ gas: gas.total, gasPriceWei: await m.market.runGasPrice(), sellerWei: await m.market.runPrice(m.datasetId) });
}

/** Runs `ops` over [from, to) as the worker does (planned steps, then noise), signed for `quote`; returns what the operator was reimbursed. */
async function runForQuote(m: Market, ops: Op[], from: number, to: number, steps: readonly PlannedStep[], quote: RunQuote, nonce: bigint, scheduled: boolean) {
  const { buyer, relayer } = m.actors;
  const domain = marketDomain({ chainId: (await ethers.provider.getNetwork()).chainId, market: m.address });
  const relayed = as(m.market, relayer);
  const receipts: ContractTransactionReceipt[] = [];
  if (scheduled) {
    // A schedule's first report: its standing authorization's maximum per report is the quote.
    const authorization = {
      buyer: buyer.address,
      datasetId: m.datasetId,
      programHash: programHash(ops),
      fromIndex: BigInt(from),
      cadence: 1n,
      expiry: BigInt(await latestTimestamp()) + 3600n,
      maxRuns: 5,
      nonce,
      maxPaymentPerRun: quote.totalWei,
    };
    const signature = await signStandingAuthorization({ signer: buyer, domain, authorization });
    receipts.push((await (await relayed.startScheduledRun(authorization, encodeProgram(ops), signature, from, to, { gasPrice: PAID })).wait())!);
  }
  const request = {
    buyer: buyer.address,
    datasetId: m.datasetId,
    programHash: programHash(ops),
    fromIndex: BigInt(from),
    toIndex: BigInt(to),
    nonce,
    deadline: BigInt(await latestTimestamp()) + 3600n,
    maxPayment: quote.totalWei,
  };
  if (!scheduled) {
    const signature = await signRunRequest({ signer: buyer, domain, request });
    receipts.push((await (await relayed.startRunFor(request, encodeProgram(ops), signature, { gasPrice: PAID })).wait())!);
  }
  const runId = await m.market.runCount();
  for (const step of steps) receipts.push((await (await relayed.step(runId, step.size, { gasPrice: PAID })).wait())!);
  for (let info = await m.market.runInfo(runId); info.noiseCursor < info.noiseUnits; info = await m.market.runInfo(runId)) {
    // As many draws as one transaction holds: the contract's NoiseOutOfRange says how many when it is fewer.
    let count = info.noiseUnits - info.noiseCursor;
    while (count > 1n && !(await relayed.addNoise.staticCall(runId, count).then(() => true, () => false))) count--;
    receipts.push((await (await relayed.addNoise(runId, count, { gasPrice: PAID })).wait())!);
  }
  const escrow = await m.market.runEscrow(runId);
  if (!escrow.closed) throw new Error(`run ${runId} did not finish`);
  return { reimbursed: escrow.spent as bigint, sellerShare: escrow.sellerShare as bigint, transactions: receipts.length };
}

/** A run's quote and what the operator was actually reimbursed for it. */
export interface QuoteMeasurement {
  quote: RunQuote;
  reimbursed: bigint;
  sellerShare: bigint;
  transactions: number;
  /** quote.relayerWei ÷ reimbursed. */
  ratio: number;
}

/** Plans, quotes and runs `ops` over [from, to) (rolled up over blocks of `rolledUpBlock` when given). */
export async function measureQuote(
  m: Market,
  ops: Op[],
  from: number,
  to: number,
  options: { rolledUpBlock?: number; privacy?: PrivacyParams; nonce: bigint; scheduled?: boolean },
): Promise<QuoteMeasurement> {
  const rolledUp = options.rolledUpBlock !== undefined;
  const planned = rolledUp ? { ok: true as const, steps: planRolledUpSteps(ops, options.rolledUpBlock!, from, to) } : planSteps({ ops, length: to - from });
  if (!planned.ok) throw new Error("the program does not plan");
  const quote = await quoteOf(m, ops, from, to, planned.steps, rolledUp, options.privacy);
  const run = await runForQuote(m, ops, from, to, planned.steps, quote, options.nonce, options.scheduled === true);
  return { quote, ...run, ratio: Number(quote.relayerWei) / Number(run.reimbursed) };
}

const K = RecipeKind;
/** One program per kind, with the window that makes its first step the largest the HCU limit allows. */
export const EXACT_QUOTE_CASES: [string, Op[]][] = [
  ["SUM", [op({ kind: K.SUM })]],
  ["MEAN", [op({ kind: K.MEAN })]],
  ["COUNT_IF", [op({ kind: K.COUNT_IF, cmp: Comparator.GT, a: 7000 })]],
  ["COUNT_IF between", [op({ kind: K.COUNT_IF, cmp: Comparator.BETWEEN, a: 6000, b: 7000 })]],
  ["SUM_IF", [op({ kind: K.SUM_IF, cmp: Comparator.LE, a: 6000 })]],
  ["MIN", [op({ kind: K.MIN })]],
  ["MAX", [op({ kind: K.MAX })]],
  ["HISTOGRAM (8 bounds)", [op({ kind: K.HISTOGRAM, bounds: [5000, 5500, 6000, 6500, 7000, 7500, 8000, 8500] })]],
  ["VARIANCE", [op({ kind: K.VARIANCE })]],
  ["ALERT", [op({ kind: K.ALERT, cmp: Comparator.GE, a: 9000 })]],
  ["count, sum, min, max", [op({ kind: K.COUNT }), op({ kind: K.SUM }), op({ kind: K.MIN }), op({ kind: K.MAX })]],
];

