/**
 * Recipe templates (workbench/server/templates/routes.ts, schemas.ts): browse and search (anyone),
 * publish, edit, unpublish (the author), fork into a notebook with parameter values (signed in).
 */
import type { z } from "zod";
import type { ForkBody, ForkResponse, PublishBody, Template, TemplateParam, UpdateBody } from "../../../server/templates/schemas";
import { request, type Page } from "./http";

/** A `param name = default "description"` declaration of a template's recipe, as the service's schema outputs it. */
export type TemplateParamDto = z.output<typeof TemplateParam>;

/** A template as the API shows it: the output of the service's schema, the one definition of the shape. */
export type TemplateDto = z.output<typeof Template>;

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

/** What `POST /api/templates` takes: metadata and exactly one of `source` or `fromCell` (the input of the service's schema). */
export type PublishTemplate = z.input<typeof PublishBody>;

export const publishTemplate = (body: PublishTemplate) => request<TemplateDto>("/templates", { method: "POST", body });

export const updateTemplate = (id: string, change: z.input<typeof UpdateBody>) =>
  request<TemplateDto>(`/templates/${encodeURIComponent(id)}`, { method: "PATCH", body: change });

export const setTemplatePublished = (id: string, published: boolean) =>
  request<TemplateDto>(`/templates/${encodeURIComponent(id)}/${published ? "publish" : "unpublish"}`, { method: "POST", body: {} });

/** What `POST /api/templates/:id/fork` takes: parameter values by name (the others keep their default), the notebook to add the cell to (a new one when omitted) and its title. */
export type ForkTemplate = z.input<typeof ForkBody>;

export const forkTemplate = (id: string, body: ForkTemplate) =>
  request<z.output<typeof ForkResponse>>(`/templates/${encodeURIComponent(id)}/fork`, { method: "POST", body });
