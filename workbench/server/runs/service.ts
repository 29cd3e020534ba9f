import { randomBytes, randomUUID } from "node:crypto";
import type { z } from "zod";
import { RUN_REQUEST_TYPES } from "@iotdm/contracts-client";
import type { RunRequestJson } from "@iotdm/contracts-client/wire";
import type { RunQueue } from "@iotdm/worker/queues";
import type { MarketChain } from "../chain/market-chain";
import { domainOf } from "../chain/market-deployment";
import { requireDataset } from "../datasets/service";
import { createError, isAppError } from "../errors";
import { recipeDatasetOf } from "../recipes/recipe-dataset";
import type { RecipeParamValues, RecipeTooling } from "../recipes/recipe-tooling";
import { kindsOfMask, type RecipeKindName } from "../shared/recipe-kinds";
import type { Page, PageRequest, RunRecord } from "../store/records";
import type { Store } from "../store/store";
import { recipeInvalid } from "../templates/model";
import { quotePlan } from "./quote";
import { checkSignedRecipe } from "./signed-recipe";
import { PlanPrivacy, type Run, type RunPlan } from "./schemas";

/** How long a suggested RunRequest stays valid. */
const SUGGESTED_DEADLINE_SECONDS = 3600;

/** What the service needs. */
export interface RunServiceOptions {
  store: Store;
  chain: MarketChain;
  recipes: RecipeTooling;
  runQueue: RunQueue;
  now: () => Date;
}

/** A run to submit: the recipe, where it came from, and the buyer's signed request. */
export interface RunSubmission {
  notebookId: string;
  cellId: string;
  datasetId: string;
  source: string;
  params?: RecipeParamValues;
  request: RunRequestJson;
  signature: string;
}

/**
 * Recipe runs: plans them for the buyer to sign, checks a signed request the way the contract will
 * (so nothing doomed is enqueued), records and enqueues it in one step, and reads runs back —
 * private to their buyer. The service never sees a decrypted value: a finished run has result
 * handles only its buyer can decrypt.
 */
export class RunService {
  constructor(private readonly options: RunServiceOptions) {}

  /** The plan of a recipe over a dataset as it is now, and the RunRequest for the buyer to sign. */
  async plan(buyer: string, input: { datasetId: string; source: string; params?: RecipeParamValues; scheduled?: boolean }): Promise<z.output<typeof RunPlan>> {
    const { store, chain, recipes } = this.options;
    const dataset = await requireDataset(store, input.datasetId);
    const deployment = chain.requireDeployment();
    const [chainTime, timestamps, access] = await Promise.all([
      chain.chainTime(),
      store.datasets.readingTimestamps(dataset.id),
      store.datasets.getAccess(dataset.id, buyer),
    ]);
    const planOf = (privacySpent?: number) =>
      recipes.plan({
        source: input.source,
        ...(input.params && { params: input.params }),
        // The indexed count: timestamps and count agree, whatever the chain appended since.
        dataset: { ...recipeDatasetOf(dataset), readingCount: Math.min(dataset.readingCount, timestamps.length), timestamps },
        now: chainTime,
        ...(privacySpent !== undefined && { privacySpent }),
        ...(input.scheduled !== undefined && { scheduled: input.scheduled }),
      });
    let planned = planOf();
    if (planned.ok && planned.plan.privacy) {
      // The budget figures need what the buyer already spent on the plan's window, as the contract accounts it.
      const { fromIndex, toIndex } = planned.plan.window;
      planned = planOf(await chain.privacySpent(BigInt(dataset.id), buyer, fromIndex, toIndex));
    }
    if (!planned.ok) {
      if (planned.problem === "recipe") throw recipeInvalid(planned.diagnostics);
      throw createError("ERR_RUN_PLAN_FAILED", { params: { datasetId: dataset.id, reason: planned.message }, details: { code: planned.code } });
    }
    const { plan } = planned;
    const approved = new Set<string>(kindsOfMask(dataset.approvedMask));
    const missingKinds = planned.requiredKinds.filter((kind) => !approved.has(kind));
    const domain = domainOf(deployment);
    const { quote } = await quotePlan({ chain, recipes }, { datasetId: dataset.id, buyer, plan });
    return {
      datasetId: dataset.id,
      programHash: plan.programHash,
      window: plan.window,
      steps: plan.steps.length,
      totalHcu: plan.totalHcu,
      notes: plan.notes,
      requiredKinds: planned.requiredKinds as RecipeKindName[],
      approved: missingKinds.length === 0,
      missingKinds: missingKinds as RecipeKindName[],
      accessExpiresAt: access?.expiresAt ?? null,
      request: {
        buyer,
        datasetId: dataset.id,
        programHash: plan.programHash,
        fromIndex: String(plan.window.fromIndex),
        toIndex: String(plan.window.toIndex),
        nonce: BigInt(`0x${randomBytes(8).toString("hex")}`).toString(),
        deadline: String(chainTime + SUGGESTED_DEADLINE_SECONDS),
        // The most the run may take from the buyer's balance: the quote (the unused part returns at its end).
        maxPayment: quote.totalWei,
      },
      typedData: {
        domain: { name: String(domain.name), version: String(domain.version), chainId: deployment.chainId, verifyingContract: deployment.address },
        types: RUN_REQUEST_TYPES,
        primaryType: "RunRequest",
      },
      plan: plan.json,
      quote,
      privacy: plan.privacy === null ? null : PlanPrivacy.parse(plan.privacy),
    };
  }

  /**
   * Checks a signed run request and, when it would start, records the run and enqueues it (the
   * request's digest is the job id). The same signed request again finds its run (`created: false`)
   * and nothing is enqueued twice. A rejected request writes and enqueues nothing.
   */
  async submit(user: string, input: RunSubmission): Promise<{ run: RunRecord; created: boolean }> {
    const { store, chain, recipes } = this.options;
    const { request } = input;
    const checked = await checkSignedRecipe(
      { store, chain, recipes },
      { ...input, user, consent: { kind: "run", request }, findExisting: (digest) => store.runs.findByRequestDigest(digest) },
    );
    const { digest, deployment } = checked;
    if (checked.existing !== undefined) {
      // Submitted again (a retry after a lost response): make sure it is queued, then answer with it.
      const { existing } = checked;
      if (existing.status === "queued" || existing.status === "running") await this.#enqueue(existing, deployment);
      return { run: existing, created: false };
    }
    const { plan } = checked.planned;

    // Recorded and enqueued together: if the queue refuses, the transaction rolls the record back.
    return store.transaction(async (tx) => {
      const result = await tx.runs.create({
        id: randomUUID(),
        buyer: checked.buyer,
        notebookId: input.notebookId,
        cellId: input.cellId,
        scheduleId: null,
        datasetId: input.datasetId,
        programHash: request.programHash.toLowerCase(),
        program: plan.ops,
        source: input.source,
        params: input.params ?? null,
        plan: plan.json,
        fromIndex: Number(request.fromIndex),
        toIndex: Number(request.toIndex),
        requestDigest: digest,
        request,
        signature: input.signature,
        at: this.options.now(),
      });
      if (result.created) await this.#enqueue(result.run, deployment);
      return result;
    });
  }

  /** The buyer's run. */
  async get(buyer: string, runId: string): Promise<RunRecord> {
    const run = await this.options.store.runs.getForBuyer(runId, buyer);
    if (!run) throw createError("ERR_RUN_NOT_FOUND", { params: { runId } });
    return run;
  }

  /**
   * Cancels the buyer's run. Still queued: its job is removed and the run ends now, cancelled,
   * with nothing sent. Running: its worker is asked to stop before the next step (it finishes the
   * transaction in flight), and the run ends cancelled when it does; the contract run stays
   * unfinished. Returns the run and whether it ended here (so that its followers are told).
   */
  async cancel(buyer: string, runId: string): Promise<{ run: RunRecord; ended: boolean }> {
    const run = await this.get(buyer, runId);
    if (run.status === "done" || run.status === "error") throw createError("ERR_RUN_FINISHED", { params: { runId, status: run.status } });
    let outcome: Awaited<ReturnType<RunQueue["cancelRun"]>>;
    try {
      outcome = await this.options.runQueue.cancelRun(run.requestDigest);
    } catch (error) {
      throw createError("ERR_QUEUE_UNAVAILABLE", { cause: error });
    }
    if (outcome === "requested" || outcome === "finished") return { run, ended: false };
    const cancelled = await this.options.store.runs.fail(run.id, {
      error: { code: "CANCELLED", message: "You cancelled the run before it started; nothing was sent." },
      at: this.options.now(),
    });
    return cancelled ? { run: cancelled, ended: true } : { run: await this.get(buyer, runId), ended: false };
  }

  /**
   * Where the buyer's queued run stands in the queue, with an estimate of when it starts: the runs
   * ahead of it and those running, at the pace recent runs took (null before any run finished).
   */
  async queuePlace(buyer: string, runId: string) {
    const run = await this.get(buyer, runId);
    if (run.status !== "queued") return { status: run.status, position: null, ahead: null, running: null, estimatedStartSeconds: null, typicalRunSeconds: null };
    let place: Awaited<ReturnType<RunQueue["queuePosition"]>>;
    try {
      place = await this.options.runQueue.queuePosition(run.requestDigest);
    } catch (error) {
      throw createError("ERR_QUEUE_UNAVAILABLE", { cause: error });
    }
    if (!place) return { status: run.status, position: null, ahead: null, running: null, estimatedStartSeconds: null, typicalRunSeconds: null };
    const typical = place.typicalRunMs === null ? null : Math.max(1, Math.round(place.typicalRunMs / 1000));
    // The line moves as fast as the runs being executed finish, each freed slot taking the next run;
    // with none running, a worker is about to take the first.
    const rounds = place.active === 0 ? place.position - 1 : Math.ceil(place.position / place.active);
    const estimate = typical === null ? null : rounds * typical;
    return { status: run.status, position: place.position, ahead: place.position - 1, running: place.active, estimatedStartSeconds: estimate, typicalRunSeconds: typical };
  }

  /** The runs of the owner's notebook (of one of its cells), newest first. */
  async listForNotebook(owner: string, notebookId: string, filter: PageRequest & { cellId?: string }): Promise<Page<RunRecord>> {
    const { store } = this.options;
    if (!(await store.notebooks.findOwned(notebookId, owner))) throw createError("ERR_NOTEBOOK_NOT_FOUND", { params: { notebookId } });
    if (filter.cellId === undefined) return store.runs.listByNotebook(notebookId, filter);
    if (!(await store.cells.get(notebookId, filter.cellId))) throw createError("ERR_CELL_NOT_FOUND", { params: { cellId: filter.cellId } });
    return store.runs.listByCell(filter.cellId, filter);
  }

  /** Enqueues a recorded run with the worker's producer API (idempotent: the job id is its digest). */
  async #enqueue(run: RunRecord, deployment: { chainId: number; address: string }): Promise<void> {
    try {
      await this.options.runQueue.enqueueRun({
        market: { chainId: deployment.chainId, address: deployment.address },
        request: run.request as RunRequestJson,
        signature: run.signature,
        recipe: { source: run.source, params: run.params ?? {} },
        origin: { userId: run.buyer, ...(run.notebookId && { notebookId: run.notebookId }), ...(run.cellId && { cellId: run.cellId }) },
      });
    } catch (error) {
      if (isAppError(error)) throw error;
      // A ZodError here would mean this service and the worker's job schema drifted apart: a bug (500).
      if (error instanceof Error && error.name === "ZodError") throw error;
      throw createError("ERR_QUEUE_UNAVAILABLE", { cause: error });
    }
  }
}

/** A run as the API shows it. */
export function toRun(run: RunRecord, marketAddress: string | null): z.output<typeof Run> {
  return {
    id: run.id,
    buyer: run.buyer,
    notebookId: run.notebookId,
    cellId: run.cellId,
    scheduleId: run.scheduleId,
    datasetId: run.datasetId,
    marketAddress,
    programHash: run.programHash,
    source: run.source,
    params: run.params,
    fromIndex: run.fromIndex,
    toIndex: run.toIndex,
    status: run.status,
    progress: run.progress,
    chainRunId: run.chainRunId,
    resultHandles: run.resultHandles,
    txHashes: run.txHashes,
    error: run.error,
    stale: run.staleReason,
    plan: (run.plan as Record<string, unknown> | null) ?? null,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}
