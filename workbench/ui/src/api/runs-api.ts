/**
 * Recipe runs (workbench/server/runs/routes.ts, schemas.ts):
 *
 *     POST /api/runs/plan { datasetId, source, params? } → RunPlan
 *       the recipe checked against the dataset and planned over the indexed readings: the window,
 *       the program hash, the approvals, and the unsigned EIP-712 RunRequest with its typed data
 *     POST /api/runs { notebookId, cellId, datasetId, source, params?, request, signature } → Run (201, or 200 if resubmitted)
 *     GET  /api/runs/:runId → Run
 *     GET  /api/runs/:runId/events (text/event-stream)
 *          queued { runId, createdAt } · running { runId, chainRunId, stepsTotal, startedAt }
 *          · step { runId, step, of, txHash } per transaction · then done (Run) or failed (Run)
 *     GET  /api/runs/:runId/queue → QueuePlace (a queued run's place and estimate)
 *     POST /api/runs/:runId/cancel → Run
 *     GET  /api/notebooks/:notebookId/runs?cellId → Page<Run> (newest first)
 *
 * The service never sees a decrypted value: a finished run carries result handles only, which the
 * buyer's browser decrypts.
 */
import type { z } from "zod";
import type { RunRequestJson } from "@iotdm/contracts-client/wire";
import type { QueuePlace } from "../../../server/runs/queue-place";
import type { Run, RunPlan, SubmitRunBody } from "../../../server/runs/schemas";
import { apiUrl, request, type Page } from "./http";

/** The EIP-712 RunRequest as JSON (uint fields as decimal strings): the contracts client's wire type, which the service validates with. */
export type RunRequestJSON = RunRequestJson;

/**
 * What the service planned for the buyer to check and sign (`RunPlan`): the output of its schema.
 * The whole plan travels as plain JSON; the UI reads it with recipes' `PlanSchema`, never as trusted.
 */
export type PreparedRun = z.output<typeof RunPlan>;

/**
 * A run as the API shows it: the output of the service's schema, the one definition of the shape.
 * Its plan, when present, is read with recipes' `PlanSchema` like a prepared run's.
 */
export type RunDto = z.output<typeof Run>;

/** Run status on the service. */
export type RunStatus = RunDto["status"];

/** A progress event of a running job, as the executor uses it. */
export interface RunProgressEvent {
  phase: "queued" | "running" | "stepping";
  step: number;
  of: number | null;
  txHash?: string;
}

/** What a run cell sends to plan and to submit: the submit body (the input of the service's schema) without the signed request. */
export type RunInput = Omit<z.input<typeof SubmitRunBody>, "request" | "signature">;

/** Plans a run before signing; `scheduled`: as a schedule's report (a private dataset's plan then says how many reports the budget allows). */
export const prepareRun = (input: RunInput & { scheduled?: boolean }) =>
  request<PreparedRun>("/runs/plan", {
    method: "POST",
    body: { datasetId: input.datasetId, source: input.source, ...(input.params ? { params: input.params } : {}), ...(input.scheduled ? { scheduled: true } : {}) },
  });

export const submitRun = (input: z.input<typeof SubmitRunBody>) => request<RunDto>("/runs", { method: "POST", body: input });

export const getRun = (runId: string) => request<RunDto>(`/runs/${encodeURIComponent(runId)}`);

/** `POST /api/runs/:runId/cancel`: a queued run ends at once; a running one stops before its next step. */
export const cancelRun = (runId: string) => request<RunDto>(`/runs/${encodeURIComponent(runId)}/cancel`, { method: "POST" });

/** Where a queued run stands (`GET /api/runs/:runId/queue`): the output of the service's schema. */
export type QueuePlaceDto = z.output<typeof QueuePlace>;

export const getQueuePlace = (runId: string) => request<QueuePlaceDto>(`/runs/${encodeURIComponent(runId)}/queue`);

export const listCellRuns = (notebookId: string, cellId?: string) =>
  request<Page<RunDto>>(`/notebooks/${encodeURIComponent(notebookId)}/runs`, { query: { cellId, limit: 100 } });

/** Handlers of {@link followRun}. */
export interface RunListener {
  onProgress(event: RunProgressEvent): void;
  /** The run ended: done or failed (the Run). */
  onRun(run: RunDto): void;
  /** The stream failed for good (the run itself may still finish; poll {@link getRun}). */
  onStreamError(message: string): void;
}

/**
 * Follows a run's server-sent events until it is done or failed. Returns a function that stops
 * listening. EventSource reconnects by itself (with Last-Event-ID) after a dropped connection.
 */
export function followRun(runId: string, listener: RunListener): () => void {
  const source = new EventSource(apiUrl(`/runs/${encodeURIComponent(runId)}/events`));
  const data = (event: Event) => {
    try {
      return JSON.parse((event as MessageEvent<string>).data) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  let finished = false;
  source.addEventListener("queued", () => listener.onProgress({ phase: "queued", step: 0, of: null }));
  source.addEventListener("running", (event) => {
    const d = data(event);
    listener.onProgress({ phase: "running", step: 0, of: typeof d?.stepsTotal === "number" ? d.stepsTotal : null });
  });
  source.addEventListener("step", (event) => {
    const d = data(event);
    if (!d) return;
    listener.onProgress({ phase: "stepping", step: Number(d.step), of: typeof d.of === "number" ? d.of : null, ...(typeof d.txHash === "string" ? { txHash: d.txHash } : {}) });
  });
  for (const type of ["done", "failed"]) {
    source.addEventListener(type, (event) => {
      const run = data(event) as RunDto | undefined;
      finished = true;
      source.close();
      if (run) listener.onRun(run);
    });
  }
  source.onerror = () => {
    if (!finished && source.readyState === EventSource.CLOSED) listener.onStreamError("Lost the connection to the run's progress.");
  };
  return () => source.close();
}
