/**
 * Test support: what the buyer's browser does before a run — check and plan the recipe against the
 * dataset's public state, sign the run request (or standing authorization) — and the plaintext
 * statistics the decrypted results must equal.
 */
import type { Wallet } from "ethers";
import { privacyParamsToJson } from "@iotdm/contracts-client/wire";
import { check, plan, type Plan } from "@iotdm/recipes";
import { MarketGateway } from "../../src/chain/market-gateway";
import { RUN_REQUEST_TYPES, STANDING_AUTHORIZATION_TYPES, marketDomain } from "../../src/consent";
import type { RecipeInput, RunRequest, StandingAuthorization } from "../../src/job-schemas";
import type { MarketFixture, TestDataset } from "./market-fixture";
import { randomNonce } from "./consent";

/**
 * Checks and plans `recipe` over `dataset` as the browser would (throws on recipe errors); with
 * `ignorePrivacy`, as a browser that ignores the dataset's privacy setting (plans it as exact).
 */
export async function planRecipe(options: { fixture: MarketFixture; dataset: TestDataset; recipe: RecipeInput; ignorePrivacy?: boolean }): Promise<Plan> {
  const { fixture, dataset, recipe } = options;
  const gateway = new MarketGateway({ address: fixture.address, provider: fixture.provider, fromBlock: fixture.deploymentBlock });
  const info = await gateway.datasetInfo(dataset.id);
  const privacy = options.ignorePrivacy ? { mode: "exact" as const } : privacyParamsToJson(info.privacy, info.privateFrom);
  const checked = check({
    source: recipe.source,
    params: recipe.params,
    dataset: { field: info.field, unit: info.unit, scale: info.scale, offset: info.offset, k: Number(info.bucketSize), privacy },
  });
  if (!checked.ok) throw new Error(`recipe errors: ${checked.diagnostics.map((d) => d.message).join("; ")}`);
  const planned = plan({
    ir: checked.ir,
    dataset: {
      id: dataset.id,
      scale: info.scale,
      offset: info.offset,
      k: Number(info.bucketSize),
      readingCount: Number(info.readingCount),
      timestamps: await gateway.readingTimestamps(dataset.id),
      unit: info.unit,
      privacy,
      rollups: { kinds: info.rollups, blockSize: Number(info.rollupBlockSize) },
    },
    now: await gateway.chainTime(),
  });
  if (!planned.ok) throw new Error(`plan error: ${planned.error.message}`);
  return planned.plan;
}

/** Plans `recipe` and signs the run request for its program and window. */
export async function signRun(options: {
  fixture: MarketFixture;
  dataset: TestDataset;
  recipe: RecipeInput;
  buyer: Wallet;
  /** Signs with this wallet instead of the buyer (a bad signature). */
  signer?: Wallet;
  /** Plans as a browser that ignores the dataset's privacy setting. */
  ignorePrivacy?: boolean;
  request?: Partial<RunRequest>;
  /** Signs for this plan instead of planning again: many runs over a dataset that no append changes share one. */
  plan?: Plan;
}): Promise<{ plan: Plan; request: RunRequest; signature: string }> {
  const recipePlan = options.plan ?? (await planRecipe(options));
  const request: RunRequest = {
    buyer: options.buyer.address,
    datasetId: options.dataset.id.toString(),
    programHash: recipePlan.programHash,
    fromIndex: String(recipePlan.window.fromIndex),
    toIndex: String(recipePlan.window.toIndex),
    nonce: randomNonce(),
    deadline: String((await options.fixture.provider.getBlock("latest"))!.timestamp + 3600),
    maxPayment: "0",
    ...options.request,
  };
  const signature = await (options.signer ?? options.buyer).signTypedData(marketDomain(options.fixture.market), RUN_REQUEST_TYPES, request);
  return { plan: recipePlan, request, signature };
}

/** Plans `recipe` (for its program hash) and signs a standing authorization for it. */
export async function signAuthorization(options: {
  fixture: MarketFixture;
  dataset: TestDataset;
  recipe: RecipeInput;
  buyer: Wallet;
  authorization?: Partial<StandingAuthorization>;
}): Promise<{ authorization: StandingAuthorization; signature: string }> {
  const recipePlan = await planRecipe(options);
  const now = (await options.fixture.provider.getBlock("latest"))!.timestamp;
  const authorization: StandingAuthorization = {
    buyer: options.buyer.address,
    datasetId: options.dataset.id.toString(),
    programHash: recipePlan.programHash,
    // From the first reading: reports cover the whole history (tests that want "from now on" say so).
    fromIndex: "0",
    cadence: "1",
    expiry: String(now + 3600),
    maxRuns: 10,
    nonce: randomNonce(),
    maxPaymentPerRun: "0",
    ...options.authorization,
  };
  const signature = await options.buyer.signTypedData(
    marketDomain(options.fixture.market),
    STANDING_AUTHORIZATION_TYPES,
    authorization,
  );
  return { authorization, signature };
}

/** Plaintext statistics over `values[from, to)`, rounded like the interpreter prints them. */
export function plainStats(values: readonly number[], from: number, to: number) {
  const window = values.slice(from, to);
  const sum = window.reduce((a, b) => a + b, 0);
  return {
    n: window.length,
    mean: sum / window.length,
    min: Math.min(...window),
    max: Math.max(...window),
    countAbove: (threshold: number) => window.filter((v) => v > threshold).length,
  };
}

/** Deterministic temperatures with two decimals: a daily wave around 20 °C. */
export function temperatures(count: number, seed = 0): number[] {
  return Array.from({ length: count }, (_, i) => Math.round((20 + 8 * Math.sin((i + seed) / 7) + ((i * 37 + seed) % 11) / 10) * 100) / 100);
}
