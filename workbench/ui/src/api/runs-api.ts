/**
 * Recipe runs. PLANNED ROUTES (issue 4; not on the service yet) — this module is the one place to
 * adjust when they land:
 *
 *     POST /api/runs/prepare { notebookId, cellId, datasetId, source, params }
 *          → { plan: PlanJSON, request: RunRequestJSON, domain: { chainId, verifyingContract } }
 *       The service checks the recipe against the dataset (access, approvals, window) and plans it
 *       (recipes/src/planner.ts); `request` is the unsigned EIP-712 RunRequest (uint fields as
 *       decimal strings; the service picks the nonce and a deadline).
 *     POST /api/runs { notebookId, cellId, datasetId, source, params, request, signature } → RunDto (201)
 *     GET  /api/runs/:runId → RunDto
 *     GET  /api/runs/:runId/events   (text/event-stream)
 *          event: progress  data: { phase: "planning"|"starting"|"stepping"|"done", step, of, txHash?, runId? }
 *          event: run       data: RunDto   (on every status change; the last one is done or error)
 *     GET  /api/notebooks/:notebookId/runs?cellId → Page<RunDto>   (newest first)
 *
 * The service never sees a decrypted value: a finished run carries result handles only, which the
 * buyer's browser decrypts.
 */
import type { PlanJSON } from "../lib/recipes";
import { apiUrl, request, type Page } from "./http";

/** The EIP-712 RunRequest as JSON (uint fields as decimal strings). */
export interface RunRequestJSON {
  buyer: string;
  datasetId: string;
  programHash: string;
  fromIndex: string;
  toIndex: string;
  nonce: string;
  deadline: string;
}

/** What the service prepared for the buyer to check and sign. */
export interface PreparedRun {
  plan: PlanJSON;
  request: RunRequestJSON;
  domain: { chainId: number; verifyingContract: string };
}

/** Run status on the service (the worker's view). */
export type RunStatus = "queued" | "running" | "done" | "error";

/** A run as the API shows it. */
export interface RunDto {
  id: string;
  notebookId: string | null;
  cellId: string | null;
  scheduleId: string | null;
  datasetId: string;
  programHash: string;
  source: string;
  fromIndex: number;
  toIndex: number;
  status: RunStatus;
  progress: { stepsDone: number; stepsTotal: number | null };
  /** The plan the run follows (result layout, window, notes). */
  plan: PlanJSON;
  /** Result handles (bytes32 hex) in plan order, once done. */
  resultHandles: string[] | null;
  txHashes: string[];
  /** Why it failed: the contract's decoded rejection or the worker's reason. */
  error: { code: string; message: string } | null;
  /** The market the result handles belong to (their ACL contract for user decryption). */
  marketAddress?: string;
  createdAt: string;
  finishedAt: string | null;
}

/** A progress event of a running job. */
export interface RunProgressEvent {
  phase: "planning" | "starting" | "stepping" | "done";
  step: number;
  of: number;
  txHash?: string;
  runId?: string;
}

/** What a run cell sends to prepare and to submit. */
export interface RunInput {
  notebookId: string;
  cellId: string;
  datasetId: string;
  source: string;
  params?: Record<string, string>;
}

export const prepareRun = (input: RunInput) => request<PreparedRun>("/runs/prepare", { method: "POST", body: input });

export const submitRun = (input: RunInput & { request: RunRequestJSON; signature: string }) =>
  request<RunDto>("/runs", { method: "POST", body: input });

export const getRun = (runId: string) => request<RunDto>(`/runs/${encodeURIComponent(runId)}`);

export const listCellRuns = (notebookId: string, cellId?: string) =>
  request<Page<RunDto>>(`/notebooks/${encodeURIComponent(notebookId)}/runs`, { query: { cellId, limit: 20 } });

/** Handlers of {@link followRun}. */
export interface RunListener {
  onProgress(event: RunProgressEvent): void;
  onRun(run: RunDto): void;
  /** The stream failed for good (the run itself may still finish; poll {@link getRun}). */
  onStreamError(message: string): void;
}

/**
 * Follows a run's server-sent events until it is done or failed. Returns a function that stops
 * listening. EventSource reconnects by itself after a dropped connection.
 */
export function followRun(runId: string, listener: RunListener): () => void {
  const source = new EventSource(apiUrl(`/runs/${encodeURIComponent(runId)}/events`));
  const parse = (event: MessageEvent<string>) => {
    try {
      return JSON.parse(event.data) as unknown;
    } catch {
      return undefined;
    }
  };
  source.addEventListener("progress", (event) => {
    const data = parse(event as MessageEvent<string>);
    if (data) listener.onProgress(data as RunProgressEvent);
  });
  source.addEventListener("run", (event) => {
    const run = parse(event as MessageEvent<string>) as RunDto | undefined;
    if (!run) return;
    listener.onRun(run);
    if (run.status === "done" || run.status === "error") source.close();
  });
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) listener.onStreamError("Lost the connection to the run's progress.");
  };
  return () => source.close();
}
