import { getAddress, type Result } from "ethers";
import {
  checkRunRequestSignature,
  checkStandingAuthorizationSignature,
  errorMessages,
  isPrivate,
  runRequestDigest,
  scheduledWindowStart,
  standingAuthorizationDigest,
} from "@iotdm/contracts-client";
import { privacyParamsToJson, type RunRequestJson, type StandingAuthorizationJson } from "@iotdm/contracts-client/wire";
import { rollupsOf } from "@iotdm/recipes/rollup-model";
import { chainCall, type MarketChain } from "../chain/market-chain";
import { domainOf, type MarketDeployment } from "../chain/market-deployment";
import { createError, type ErrorCode } from "../errors";
import type { RecipeDatasetPrivacy, RecipeParamValues, RecipeTooling } from "../recipes/recipe-tooling";
import type { Store } from "../store/store";
import { recipeInvalid } from "../templates/model";
import { runBudgetRefusal, scheduleBudgetRefusal } from "./privacy-budget";
import { quotePlan, requirePayment } from "./quote";
import { requireAccess, requireApproved, requireOpenDataset, scheduleStartProblem, windowProblem } from "./checks";

/**
 * The one validation pipeline of a signed recipe: a run request (`POST /api/runs`) or a standing
 * authorization (`POST /api/schedules`). It makes the checks the contract will make when the worker
 * starts the run, in the contract's order, against the chain as it is now, so that nothing doomed
 * is recorded or enqueued: the buyer is the signed-in user, the consent names the dataset, the
 * signature is the buyer's (the contracts client's one rule, ERC-1271 wallets included), the
 * notebook and recipe cell are the user's, the consent has not expired, the dataset is open, the
 * buyer's access holds, the window fits (runs) or the first window's start does (schedules), the
 * recipe plans to the signed program, its kinds
 * are approved, the nonce is unused, and the signed maximum payment covers the run's quote and fits the buyer's
 * market balance (issue 15).
 */

/** What a run request and a standing authorization have in common, and what tells them apart. */
export type SignedConsent =
  | { kind: "run"; request: RunRequestJson }
  | { kind: "schedule"; authorization: StandingAuthorizationJson };

/** A signed recipe as submitted. */
export interface SignedRecipe {
  user: string;
  notebookId: string;
  cellId: string;
  datasetId: string;
  source: string;
  params?: RecipeParamValues;
  consent: SignedConsent;
  signature: string;
}

/** What the pipeline works with. */
export interface SignedRecipeDeps {
  store: Store;
  chain: MarketChain;
  recipes: RecipeTooling;
}

/** The outcome: the record this consent already made, or everything a new record needs. */
export type CheckedRecipe<Existing> =
  | { existing: Existing; digest: string; deployment: MarketDeployment }
  | {
      existing: undefined;
      digest: string;
      deployment: MarketDeployment;
      buyer: string;
      planned: Extract<ReturnType<RecipeTooling["plan"]>, { ok: true }>;
      /** A schedule's first window start, as the contract will require it (runs: the signed fromIndex). */
      firstWindowStart: number;
    };

/** The error codes of each kind of consent. */
const CODES = {
  run: {
    buyerMismatch: "ERR_RUN_BUYER_MISMATCH",
    requestMismatch: "ERR_RUN_REQUEST_MISMATCH",
    signatureInvalid: "ERR_RUN_SIGNATURE_INVALID",
    programMismatch: "ERR_RUN_PROGRAM_MISMATCH",
    nonceUsed: "ERR_RUN_NONCE_USED",
  },
  schedule: {
    buyerMismatch: "ERR_SCHEDULE_BUYER_MISMATCH",
    requestMismatch: "ERR_SCHEDULE_REQUEST_MISMATCH",
    signatureInvalid: "ERR_SCHEDULE_SIGNATURE_INVALID",
    programMismatch: "ERR_SCHEDULE_PROGRAM_MISMATCH",
    nonceUsed: "ERR_SCHEDULE_NONCE_USED",
  },
} as const satisfies Record<SignedConsent["kind"], Record<string, ErrorCode>>;

/**
 * Checks a signed recipe (see the module comment). `findExisting` looks up what the same consent
 * (its EIP-712 digest) recorded before: a resubmission answers with it before the checks that
 * its own first submission changed (the nonce is used once its run started).
 */
export async function checkSignedRecipe<Existing>(
  deps: SignedRecipeDeps,
  input: SignedRecipe & { findExisting: (digest: string) => Promise<Existing | undefined> },
): Promise<CheckedRecipe<Existing>> {
  const { store, chain, recipes } = deps;
  const { consent } = input;
  const codes = CODES[consent.kind];
  const signed = consent.kind === "run" ? consent.request : consent.authorization;
  const buyer = getAddress(signed.buyer);
  if (buyer !== getAddress(input.user)) throw createError(codes.buyerMismatch, { params: { buyer, user: input.user } });
  if (signed.datasetId !== input.datasetId) {
    const what = consent.kind === "run" ? "run" : "schedule";
    throw createError(codes.requestMismatch, { params: { reason: `it is signed for dataset ${signed.datasetId}, but the ${what} names dataset ${input.datasetId}.` } });
  }

  const deployment = chain.requireDeployment();
  const domain = domainOf(deployment);
  const { provider } = chain;
  const signature = await chainCall(() =>
    consent.kind === "run"
      ? checkRunRequestSignature({ provider, domain, request: consent.request, signature: input.signature })
      : checkStandingAuthorizationSignature({ provider, domain, authorization: consent.authorization, signature: input.signature }),
  );
  if (!signature.ok) throw createError(codes.signatureInvalid, { params: { buyer, market: deployment.address, chainId: deployment.chainId } });
  const digest = consent.kind === "run" ? runRequestDigest(domain, consent.request) : standingAuthorizationDigest(domain, consent.authorization);
  const existing = await input.findExisting(digest);
  if (existing !== undefined) return { existing, digest, deployment };

  const notebook = await store.notebooks.findOwned(input.notebookId, input.user);
  if (!notebook) throw createError("ERR_NOTEBOOK_NOT_FOUND", { params: { notebookId: input.notebookId } });
  const cell = await store.cells.get(input.notebookId, input.cellId);
  if (!cell) throw createError("ERR_CELL_NOT_FOUND", { params: { cellId: input.cellId } });
  if (cell.kind !== "recipe") throw createError("ERR_RUN_CELL_NOT_RECIPE", { params: { cellId: input.cellId } });

  // The contract's checks, in its order, against the chain as it is now.
  const chainTime = await chain.chainTime();
  if (consent.kind === "run" && BigInt(consent.request.deadline) <= BigInt(chainTime)) {
    throw createError("ERR_RUN_REQUEST_EXPIRED", { params: { deadline: isoOf(consent.request.deadline) } });
  }
  if (consent.kind === "schedule" && BigInt(consent.authorization.expiry) <= BigInt(chainTime)) {
    throw createError("ERR_SCHEDULE_AUTHORIZATION_EXPIRED", { params: { expiry: isoOf(consent.authorization.expiry) } });
  }
  const info = await requireOpenDataset(chain, input.datasetId);
  await requireAccess({ chain, datasetId: input.datasetId, buyer, chainTime });
  const k = Number(info.bucketSize);
  const dataset = {
    id: input.datasetId,
    field: info.field,
    unit: info.unit,
    scale: info.scale,
    offset: info.offset.toString(),
    k,
    approvedMask: info.approvedKinds,
    privacy: privacyParamsToJson(info.privacy, info.privateFrom),
    // As the plan route and the worker plan it: a window the rollups serve is quoted (and run) rolled up.
    rollups: rollupsOf(info),
  };
  let planned: ReturnType<RecipeTooling["plan"]>;
  if (consent.kind === "run") {
    const fromIndex = BigInt(consent.request.fromIndex);
    const toIndex = BigInt(consent.request.toIndex);
    const problem =
      windowProblem({ fromIndex, toIndex, k: info.bucketSize, readingCount: info.readingCount }) ??
      (isPrivate(info.privacy) && fromIndex < info.privateFrom
        ? errorMessages.WindowBeforePrivateFrom([fromIndex, info.privateFrom] as unknown as Result)
        : undefined);
    if (problem) throw createError("ERR_RUN_WINDOW_INVALID", { params: { reason: problem } });
    const indexed = await store.datasets.readingTimestamps(input.datasetId);
    planned = recipes.plan({
      source: input.source,
      ...(input.params && { params: input.params }),
      dataset: {
        ...dataset,
        readingCount: Number(info.readingCount),
        // Timestamps only date the window's ends; the indexer may not have every one yet.
        ...(indexed.length >= Number(toIndex) && { timestamps: indexed }),
      },
      now: chainTime,
      window: { fromIndex: Number(fromIndex), toIndex: Number(toIndex) },
    });
  } else {
    const problem = scheduleStartProblem({ fromIndex: BigInt(consent.authorization.fromIndex), info });
    if (problem) throw createError("ERR_SCHEDULE_WINDOW_INVALID", { params: { reason: problem } });
    // The program does not depend on the window: plan one bucket to learn it, whatever has been appended yet.
    planned = recipes.plan({
      source: input.source,
      ...(input.params && { params: input.params }),
      // A private dataset's first private bucket: the window must not start before privateFrom.
      dataset: { ...dataset, readingCount: scheduleProbeStart(dataset.privacy, k) + k },
      now: chainTime,
      window: { fromIndex: scheduleProbeStart(dataset.privacy, k), toIndex: scheduleProbeStart(dataset.privacy, k) + k },
      scheduled: true,
    });
  }
  if (!planned.ok) {
    if (planned.problem === "recipe") throw recipeInvalid(planned.diagnostics);
    throw createError("ERR_RUN_PLAN_FAILED", { params: { datasetId: input.datasetId, reason: planned.message }, details: { code: planned.code } });
  }
  if (planned.plan.programHash.toLowerCase() !== signed.programHash.toLowerCase()) {
    throw createError(codes.programMismatch, { params: { actual: planned.plan.programHash, signed: signed.programHash } });
  }
  requireApproved({ datasetId: input.datasetId, approvedMask: info.approvedKinds, requiredKinds: planned.requiredKinds });
  const figures = planned.plan.privacy;
  if (figures) {
    // The contract charges a run's ε to every reading of its window at start: refuse what it would refuse.
    const refusal =
      consent.kind === "run"
        ? runBudgetRefusal({
            datasetId: input.datasetId,
            fromIndex: Number(consent.request.fromIndex),
            toIndex: Number(consent.request.toIndex),
            spent: await chain.privacySpent(BigInt(input.datasetId), buyer, Number(consent.request.fromIndex), Number(consent.request.toIndex)),
            figures,
          })
        : scheduleBudgetRefusal({ datasetId: input.datasetId, figures });
    if (refusal) throw refusal;
  }
  if (await chain.isNonceUsed(buyer, BigInt(signed.nonce))) throw createError(codes.nonceUsed, { params: { nonce: signed.nonce, buyer } });
  // The contract locks the signed maximum at every start: it must cover the quote, and the balance must hold it.
  const { quote, balanceWei } = await quotePlan({ chain, recipes }, { datasetId: input.datasetId, buyer, plan: planned.plan });
  requirePayment({
    kind: consent.kind,
    signedMaxWei: consent.kind === "run" ? consent.request.maxPayment : consent.authorization.maxPaymentPerRun,
    quote,
    balanceWei,
  });
  const firstWindowStart =
    consent.kind === "run" ? Number(consent.request.fromIndex) : Number(scheduledWindowStart(info, BigInt(consent.authorization.fromIndex)));
  return { existing: undefined, digest, deployment, buyer, planned, firstWindowStart };
}

/** Where a schedule's program is probed: the first whole bucket a private run may read. */
function scheduleProbeStart(privacy: RecipeDatasetPrivacy | undefined, k: number): number {
  const from = privacy?.mode === "private" ? privacy.privateFrom : 0;
  return Math.ceil(from / k) * k;
}

/** Unix seconds as an ISO date, or as they are when no date can show them. */
function isoOf(unixSeconds: string): string {
  const ms = Number(unixSeconds) * 1000;
  return Number.isFinite(ms) && ms < 8.64e15 ? new Date(ms).toISOString() : `${unixSeconds} (unix seconds)`;
}
