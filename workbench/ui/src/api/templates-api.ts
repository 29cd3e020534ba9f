/**
 * Recipe templates (workbench/server/templates/routes.ts, schemas.ts): browse and search (anyone),
 * publish, edit, unpublish (the author), fork into a notebook with parameter values (signed in).
 */
import type { CellDto } from "./notebooks-api";
import { request, type Page } from "./http";

/** A `param name = default "description"` declaration of a template's recipe. */
export interface TemplateParamDto {
  name: string;
  default: string;
  description?: string;
}

/** A template as the API shows it. */
export interface TemplateDto {
  id: string;
  author: string;
  title: string;
  description: string;
  source: string;
  params: TemplateParamDto[];
  tags: string[];
  version: string;
  forkCount: number;
  published: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Query of `GET /api/templates`. */
export interface TemplateSearch {
  q?: string;
  tag?: string;
  author?: string;
  mine?: boolean;
  sort?: "recent" | "popular";
  limit?: number;
  offset?: number;
}

export const searchTemplates = (search: TemplateSearch = {}) =>
  request<Page<TemplateDto>>("/templates", { query: { ...search, limit: search.limit ?? 50 } });

export const getTemplate = (id: string) => request<TemplateDto>(`/templates/${encodeURIComponent(id)}`);

/** What `POST /api/templates` takes: metadata and exactly one of `source` or `fromCell`. */
export interface PublishTemplate {
  title: string;
  description?: string;
  tags?: string[];
  version?: string;
  source?: string;
  fromCell?: { notebookId: string; cellId: string };
}

export const publishTemplate = (body: PublishTemplate) => request<TemplateDto>("/templates", { method: "POST", body });

export const updateTemplate = (id: string, change: Partial<Pick<TemplateDto, "title" | "description" | "tags" | "version" | "source">>) =>
  request<TemplateDto>(`/templates/${encodeURIComponent(id)}`, { method: "PATCH", body: change });

export const setTemplatePublished = (id: string, published: boolean) =>
  request<TemplateDto>(`/templates/${encodeURIComponent(id)}/${published ? "publish" : "unpublish"}`, { method: "POST", body: {} });

/** What `POST /api/templates/:id/fork` takes. */
export interface ForkTemplate {
  /** Parameter values by name; the others keep their default. */
  values?: Record<string, string>;
  /** Add the cell to this notebook; a new notebook when omitted. */
  notebookId?: string;
  /** Title of the new notebook. */
  title?: string;
  datasetId?: string | null;
  index?: number;
}

export const forkTemplate = (id: string, body: ForkTemplate) =>
  request<{ notebookId: string; cell: CellDto; forkCount: number }>(`/templates/${encodeURIComponent(id)}/fork`, { method: "POST", body });
