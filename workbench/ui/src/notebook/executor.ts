/**
 * The cell executor, after JupyterLab's `runCell`: runs one cell against the service and reports
 * through the cell's execution snapshot (queued → running "step i of n" → decrypting → done, or
 * error with a readable message) and the `onScheduled` / `onDone` callbacks.
 *
 * A recipe run: check the recipe here with the shared checker → the service prepares a plan and an
 * unsigned EIP-712 RunRequest → this browser verifies that the request covers exactly the program
 * its own checker derived (consent.ts) → the wallet signs it → the service enqueues it → progress
 * arrives as server-sent events → the buyer's browser decrypts the result handles with the
 * buyer's key and interprets them. Decrypted values stay in the cell's in-memory snapshot.
 */
import type { TypedDataDomain, TypedDataField } from "ethers";
import { RUN_REQUEST_TYPES } from "@iotdm/contracts-client";
import type { Dataset } from "../api/datasets-api";
import { ApiError, messageOf } from "../api/http";
import type { PreparedRun, RunDto, RunInput, RunListener, RunProgressEvent, RunRequestJSON } from "../api/runs-api";
import { check, interpretResults, PlanSchema, type Plan, type RecipeIR, type StatisticResult } from "../lib/recipes";
import { checkerContext } from "../datasets/dataset-context";
import { advance, isBusy, type CellExecution } from "./cell-status";
import { checkPreparedRun } from "./consent";
import { sentence } from "../lib/sentence";
import { accessRefusalMessage, isAccessRefusal } from "./access-refusal";

/** What the executor needs of a cell. */
export interface RunnableCell {
  readonly id: string;
  readonly kind: "markdown" | "recipe";
  readonly source: string;
  readonly datasetId: string | null;
  /** The latest execution; the executor replaces it on every change. */
  execution: CellExecution;
}

/** What the executor needs of the notebook. */
export interface RunnableNotebook {
  readonly id: string;
  /** Saves pending edits, so that the service runs what the user sees. */
  flush(): Promise<void>;
}

/** The signer the buyer acts with. */
export interface BuyerAccount {
  address: string;
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string>;
}

/** The executor's view of the outside world (API, wallet, fhevm); faked in tests. */
export interface RunServices {
  /** The dataset the cell runs against: its datasetId, else the one its `from` line names. */
  resolveDataset(options: { datasetId: string | null; reference: string | undefined }): Promise<Dataset | undefined>;
  /** The signed-in buyer's wallet, or the reason to show (once the page has restored both). */
  account(): Promise<BuyerAccount | { missing: string }>;
  /** The market contract address, when known. */
  market(): string | undefined;
  /**
   * When the buyer's access to the dataset ends (unix seconds, 0 for none), read from the chain, so
   * that a run without access is refused before the wallet signs; undefined when unknown.
   */
  accessExpiry?(datasetId: string, buyer: string): Promise<number | undefined>;
  /** The workbench's chain id. */
  chainId(): number | undefined;
  prepare(input: RunInput): Promise<PreparedRun>;
  submit(input: RunInput & { request: RunRequestJSON; signature: string }): Promise<RunDto>;
  follow(runId: string, listener: RunListener): () => void;
  getRun(runId: string): Promise<RunDto>;
  /** Results this browser decrypted before, by buyer and run (never sent anywhere). */
  cache?: { get(buyer: string, runId: string): StatisticResult[] | undefined; put(buyer: string, runId: string, results: readonly StatisticResult[]): void };
  /** Whether the next decryption is this page's first (slower: the fhevm library loads, a key pair is made). */
  firstDecryption?(): boolean;
  /** User-decrypts handles allowed to the buyer (the wallet signs the decryption request); values in handle order. */
  decrypt(options: { handles: readonly { handle: string; type: "euint64" | "euint32" | "ebool" }[]; contract: string }): Promise<(bigint | boolean)[]>;
}

/** Options of {@link runCell}. */
export interface RunCellOptions {
  cell: RunnableCell;
  notebook: RunnableNotebook;
  services: RunServices;
  /** Called once the service has accepted the run (or at once for a markdown cell). */
  onScheduled?: (cell: RunnableCell) => void;
  /** Called when the cell finished, with whether it succeeded. */
  onDone?: (cell: RunnableCell, ok: boolean) => void;
  /** Milliseconds between polls when the event stream is lost. */
  pollMs?: number;
}

/** Runs one cell; resolves with whether it succeeded. Never throws. */
export async function runCell(options: RunCellOptions): Promise<boolean> {
  const { cell, onScheduled, onDone } = options;
  if (cell.kind === "markdown") {
    onScheduled?.(cell);
    onDone?.(cell, true);
    return true;
  }
  if (isBusy(cell.execution.status)) return false;
  const set = (change: Partial<CellExecution> & { status: CellExecution["status"] }) => {
    cell.execution = advance(cell.execution, change);
  };
  const fail = (message: string, hint?: string, code?: string) => {
    set({ status: "error", error: { message, ...(hint ? { hint } : {}), ...(code ? { code } : {}) }, finishedAt: Date.now() });
    onDone?.(cell, false);
    return false;
  };
  cell.execution = { status: "queued", txHashes: [], startedAt: Date.now() };
  let dataset: Dataset | undefined;

  try {
    // 1. What to run: the checked recipe, on which dataset, by whom.
    const syntaxOnly = check({ source: cell.source });
    const reference = syntaxOnly.ast.statements.find((s) => s.type === "from");
    dataset = await options.services.resolveDataset({
      datasetId: cell.datasetId,
      reference: reference?.type === "from" ? reference.dataset.value : undefined,
    });
    if (!dataset) return fail("Choose the dataset this recipe reads (the dataset menu of the cell, or its from line).");
    const checked = check({ source: cell.source, dataset: checkerContext(dataset) });
    if (!checked.ok) {
      const errors = checked.diagnostics.filter((d) => d.severity === "error");
      const first = errors[0];
      return fail(
        `The recipe has ${errors.length} error${errors.length === 1 ? "" : "s"}${first ? `; line ${first.line}: ${sentence(first.message)}` : "."}`,
        "Fix the underlined parts (the problems list shows each) and run again.",
        first?.code,
      );
    }
    const account = await options.services.account();
    if ("missing" in account) return fail(account.missing);
    const market = options.services.market();
    if (!market) return fail("The workbench does not know the market contract yet, so runs cannot be signed.");

    // Access first: a buyer without it is offered a purchase instead of a signature that would be refused.
    const accessEnds = await options.services.accessExpiry?.(dataset.id, account.address);
    if (accessEnds !== undefined && accessEnds * 1000 <= Date.now()) {
      const code = accessEnds === 0 ? "ERR_DATASET_NO_ACCESS" : "ERR_DATASET_ACCESS_EXPIRED";
      return fail(accessRefusalMessage(code, dataset), undefined, code);
    }

    // 2. The service prepares; this browser checks what it is asked to sign, then signs.
    await options.notebook.flush();
    const input: RunInput = { notebookId: options.notebook.id, cellId: cell.id, datasetId: dataset.id, source: cell.source };
    const prepared = await options.services.prepare(input);
    const consent = checkPreparedRun({ prepared, ir: checked.ir as RecipeIR, dataset, buyer: account.address, market, chainId: options.services.chainId() ?? -1 });
    if (!consent.ok) return fail(consent.message);
    // Not signed when the contract would refuse it for want of budget: the plan's sentence says why and what to change.
    if (consent.plan.privacy?.budget.exceeded) return fail(consent.plan.privacy.budget.text, undefined, "budget-exceeded");
    // The unit is public dataset metadata; a plan without it still reads in the dataset's unit.
    const plan: Plan = consent.plan.unit === undefined && dataset.unit ? { ...consent.plan, unit: dataset.unit } : consent.plan;
    const steps = plan.steps.length;
    set({ status: "queued", notes: plan.notes, window: plan.window, progress: { step: 0, of: steps } });
    // The types are this browser's own (contracts/client), not the service's: only the checked values are the service's.
    const domain: TypedDataDomain = { name: "IoTDataMarket", version: "1", chainId: prepared.typedData.domain.chainId, verifyingContract: prepared.typedData.domain.verifyingContract };
    const signature = await account.signTypedData(domain, RUN_REQUEST_TYPES, { ...prepared.request });
    const submitted = await options.services.submit({ ...input, request: prepared.request, signature });
    set({ status: submitted.status === "running" ? "running" : "queued", runId: submitted.id });
    onScheduled?.(cell);

    // 3. Follow it to the end.
    const finished = await follow(options, submitted, (progress) => {
      if (progress.phase === "queued") return;
      set({
        status: "running",
        progress: { step: progress.step, of: progress.of ?? steps, phase: progress.phase },
        txHashes: progress.txHash ? [...cell.execution.txHashes, progress.txHash] : cell.execution.txHashes,
      });
    });
    set({ status: cell.execution.status, txHashes: [...cell.execution.txHashes, ...finished.txHashes] });
    if (finished.status === "error") {
      return fail(finished.error?.message ?? "The run failed.", undefined, finished.error?.code);
    }
    if (!finished.resultHandles) return fail("The run finished without result handles.");

    // 4. Decrypt here, with the buyer's key.
    set({ status: "decrypting", progress: { step: steps, of: steps }, firstDecryption: options.services.firstDecryption?.() ?? false });
    const results = await decryptResults({ plan, run: finished, market, services: options.services });
    options.services.cache?.put(account.address, finished.id, results);
    set({ status: "done", results, finishedAt: Date.now() });
    onDone?.(cell, true);
    return true;
  } catch (error) {
    if (error instanceof ApiError && dataset && isAccessRefusal(error.code)) return fail(accessRefusalMessage(error.code, dataset), undefined, error.code);
    return fail(messageOf(error), hintFor(error), error instanceof ApiError ? error.code : undefined);
  }
}

/**
 * Shows a cell's latest run from the service (the notebook was reopened): its status, window, notes
 * and transactions; a run still in flight is followed to its end. Nothing is decrypted until the
 * user asks ({@link decryptRestored}): decryption asks the wallet for a signature.
 */
export async function restoreRun(options: { cell: RunnableCell; run: RunDto; services: RunServices; pollMs?: number }): Promise<void> {
  const { cell, run } = options;
  const parsed = run.plan ? PlanSchema.safeParse(run.plan) : undefined;
  const plan = parsed?.success ? parsed.data : undefined;
  const snapshot = (r: RunDto): CellExecution => ({
    status: r.status === "done" ? "done" : r.status === "error" ? "error" : r.status === "running" ? "running" : "queued",
    runId: r.id,
    txHashes: r.txHashes,
    restored: r,
    ...(plan ? { notes: plan.notes, window: plan.window } : {}),
    ...(r.progress.stepsTotal ? { progress: { step: r.progress.stepsDone, of: r.progress.stepsTotal } } : {}),
    ...(r.error ? { error: { message: r.error.message, code: r.error.code } } : {}),
    ...(r.stale ? { error: { message: r.stale } } : {}),
  });
  cell.execution = snapshot(run);
  // Results this browser decrypted before show at once, without asking the wallet again.
  const cached = run.status === "done" && run.buyer ? options.services.cache?.get(run.buyer, run.id) : undefined;
  if (cached) cell.execution = advance(cell.execution, { status: "done", results: cached });
  if (run.status === "done" || run.status === "error") return;
  const finished = await follow({ cell, notebook: { id: "", flush: async () => {} }, services: options.services, pollMs: options.pollMs }, run, (progress) => {
    if (progress.phase === "queued") return;
    cell.execution = advance(cell.execution, {
      status: "running",
      progress: { step: progress.step, of: progress.of ?? cell.execution.progress?.of ?? 0 },
      txHashes: progress.txHash ? [...cell.execution.txHashes, progress.txHash] : cell.execution.txHashes,
    });
  }).catch(() => undefined);
  if (finished) cell.execution = snapshot(finished);
}

/** Decrypts the results of a restored run in this browser (the wallet signs the request). */
export async function decryptRestored(options: { cell: RunnableCell; services: RunServices }): Promise<boolean> {
  const { cell } = options;
  const run = cell.execution.restored;
  // A run of a previous chain: its handles do not exist on this one, nothing can decrypt them.
  if (!run || run.status !== "done" || run.stale) return false;
  const previous = cell.execution;
  try {
    const parsed = run.plan ? PlanSchema.safeParse(run.plan) : undefined;
    if (!parsed?.success) throw new Error("This run's plan cannot be read, so its results cannot be interpreted.");
    const market = options.services.market();
    if (!market && !run.marketAddress) throw new Error("The workbench does not know the market contract.");
    cell.execution = advance(previous, { status: "decrypting", firstDecryption: options.services.firstDecryption?.() ?? false });
    const results = await decryptResults({ plan: parsed.data, run, market: market ?? "", services: options.services });
    if (run.buyer) options.services.cache?.put(run.buyer, run.id, results);
    cell.execution = advance(previous, { status: "done", results });
    return true;
  } catch (error) {
    cell.execution = advance(previous, { status: "done", error: { message: messageOf(error) } });
    return false;
  }
}

/** Decrypts a finished run's handles and interprets them with its plan. */
export async function decryptResults(options: {
  plan: Plan;
  run: Pick<RunDto, "resultHandles" | "marketAddress">;
  market: string;
  services: Pick<RunServices, "decrypt">;
}) {
  const handles = options.run.resultHandles ?? [];
  if (handles.length !== options.plan.handles.length) {
    throw new Error(`The run returned ${handles.length} results where its plan expects ${options.plan.handles.length}.`);
  }
  const contract = options.run.marketAddress ?? options.market;
  const clear = await options.services.decrypt({ handles: handles.map((handle, i) => ({ handle, type: options.plan.handles[i]!.type })), contract });
  const decrypted = clear.map((value, i) => (options.plan.handles[i]!.type === "ebool" ? value === true || value === 1n : BigInt(value)));
  // Numbers at the data's precision: a mean of 0.01 °C readings reads 20.88 °C, not 20.8770.
  return interpretResults({ plan: options.plan, decrypted, extraDigits: 0 });
}

function follow(options: Pick<RunCellOptions, "services" | "pollMs"> & Partial<RunCellOptions>, submitted: RunDto, onProgress: (event: RunProgressEvent) => void): Promise<RunDto> {
  if (submitted.status === "done" || submitted.status === "error") return Promise.resolve(submitted);
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (run: RunDto) => {
      if (settled) return;
      settled = true;
      stop();
      resolve(run);
    };
    const stop = options.services.follow(submitted.id, {
      onProgress,
      onRun: (run) => {
        if (run.status === "done" || run.status === "error") finish(run);
      },
      onStreamError: () => {
        // The run goes on without us: poll until it ends.
        const poll = async () => {
          while (!settled) {
            await new Promise((r) => setTimeout(r, options.pollMs ?? 2_000));
            try {
              const run = await options.services.getRun(submitted.id);
              if (run.status === "done" || run.status === "error") return finish(run);
            } catch (error) {
              settled = true;
              return reject(error);
            }
          }
        };
        void poll();
      },
    });
  });
}

function hintFor(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.code === "ERR_AUTH_REQUIRED" || error.code === "ERR_AUTH_SESSION_EXPIRED") return "Sign in again and run the cell.";
  if (error.isMissingRoute) return "This workbench service cannot run recipes yet (its run routes are not installed).";
  return undefined;
}
