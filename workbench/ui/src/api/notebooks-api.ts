/**
 * Notebooks and cells (workbench/server/notebooks/routes.ts, schemas.ts). Private to the signed-in
 * user; every call needs a session.
 */
import type { z } from "zod";
import type { AddCellBody, Cell, Notebook, NotebookSummary, UpdateCellBody } from "../../../server/notebooks/schemas";
import type { NotebookDocument } from "../notebook/format";
import { request, type Page } from "./http";

/** A cell as the API shows it: the output of the service's schema, the one definition of the shape. */
export type CellDto = z.output<typeof Cell>;

/** The kinds of cell. */
export type CellKind = CellDto["kind"];

/** A notebook with its cells in order. */
export type NotebookDto = z.output<typeof Notebook>;

/** A notebook in the list. */
export type NotebookSummaryDto = z.output<typeof NotebookSummary>;

export const listNotebooks = (page: { limit?: number; offset?: number } = {}) =>
  request<Page<NotebookSummaryDto>>("/notebooks", { query: { limit: page.limit ?? 100, offset: page.offset ?? 0 } });

export const createNotebook = (title: string) => request<NotebookDto>("/notebooks", { method: "POST", body: { title } });

export const getNotebook = (id: string) => request<NotebookDto>(`/notebooks/${encodeURIComponent(id)}`);

export const renameNotebook = (id: string, title: string) =>
  request<Omit<NotebookSummaryDto, "cellCount">>(`/notebooks/${encodeURIComponent(id)}`, { method: "PATCH", body: { title } });

export const deleteNotebook = (id: string) => request<void>(`/notebooks/${encodeURIComponent(id)}`, { method: "DELETE" });

export const exportNotebook = (id: string) => request<NotebookDocument>(`/notebooks/${encodeURIComponent(id)}/export`);

export const importNotebook = (document: NotebookDocument) => request<NotebookDto>("/notebooks/import", { method: "POST", body: document });

/** `POST /api/notebooks/:id/cells`: inserts at `index` (the end when omitted). */
export const addCell = (notebookId: string, cell: z.input<typeof AddCellBody>) =>
  request<CellDto>(`/notebooks/${encodeURIComponent(notebookId)}/cells`, { method: "POST", body: cell });

export const updateCell = (notebookId: string, cellId: string, change: z.input<typeof UpdateCellBody>) =>
  request<CellDto>(`/notebooks/${encodeURIComponent(notebookId)}/cells/${encodeURIComponent(cellId)}`, { method: "PATCH", body: change });

export const deleteCell = (notebookId: string, cellId: string) =>
  request<void>(`/notebooks/${encodeURIComponent(notebookId)}/cells/${encodeURIComponent(cellId)}`, { method: "DELETE" });

/** `POST …/cells/:cellId/move`: returns the notebook in its new order. */
export const moveCell = (notebookId: string, cellId: string, index: number) =>
  request<NotebookDto>(`/notebooks/${encodeURIComponent(notebookId)}/cells/${encodeURIComponent(cellId)}/move`, {
    method: "POST",
    body: { index },
  });
