import { randomUUID } from "node:crypto";
import { requireDataset } from "../datasets/service";
import { createError } from "../errors";
import { insertCell } from "../notebooks/service";
import type { RecipeTooling } from "../recipes/recipe-tooling";
import type { CellRecord, Page, TemplateRecord } from "../store/records";
import type { TemplatePatch, TemplateSearch } from "../store/repositories/template-repository";
import type { Store } from "../store/store";
import { BUILTIN_AUTHOR, BUILTIN_VERSION, builtinTemplates } from "./builtins";
import { checkTemplateSource, forkTemplateSource } from "./model";

/** Options of the template service. */
export interface TemplateServiceOptions {
  store: Store;
  recipes: RecipeTooling;
  now: () => Date;
  /** Told when the built-in templates could not be installed (e.g. the database is down); the next request retries. */
  onBuiltinsError?: (error: unknown) => void;
  /** Told about a built-in template whose recipe does not check (it is left out). */
  onBuiltinSkipped?: (templateId: string) => void;
}

/** The metadata of a template its author writes. */
export interface TemplateMetadata {
  title: string;
  description: string;
  tags: string[];
  version: string;
}

/** Where a published template's recipe comes from: raw source, or a recipe cell of the author's. */
export type TemplateOrigin = { source: string } | { fromCell: { notebookId: string; cellId: string } };

/** What a fork produced. */
export interface ForkResult {
  notebookId: string;
  cell: CellRecord;
  forkCount: number;
}

/**
 * Recipe templates: public once published. Anyone may browse, search and fork a published template;
 * only its author sees it unpublished, edits, unpublishes or republishes it. Someone else's template
 * that they can see answers 403 to a change; one they cannot see answers 404.
 *
 * The built-in library (recipes/library) is upserted into the store when the service starts
 * ({@link installBuiltins}), authored by {@link BUILTIN_AUTHOR}: listed, searched, previewed and
 * forked (and fork-counted) like any template, changed by nobody.
 */
export class TemplateService {
  private builtins: Promise<void> | undefined;

  constructor(private readonly options: TemplateServiceOptions) {}

  /**
   * Installs the built-in templates once (the first call does the work; a failed install is retried by
   * the next call). Never throws: the error goes to `onBuiltinsError`, and the gallery shows what the
   * store holds.
   */
  async builtinsReady(): Promise<void> {
    this.builtins ??= this.installBuiltins().catch((error: unknown) => {
      this.builtins = undefined;
      this.options.onBuiltinsError?.(error);
    });
    return this.builtins;
  }

  /**
   * Upserts the library into the store: a missing built-in is created, one whose text changed is
   * updated (its fork count and creation time kept), one no longer in the library is unpublished.
   * Idempotent, so restarts do not duplicate them; safe when two services start at once.
   */
  async installBuiltins(): Promise<void> {
    const { store, recipes } = this.options;
    const at = this.options.now();
    const library = builtinTemplates();
    for (const [index, builtin] of library.entries()) {
      let params;
      try {
        params = checkTemplateSource(recipes, builtin.source).params;
      } catch {
        this.options.onBuiltinSkipped?.(builtin.id);
        continue;
      }
      const wanted = { title: builtin.title, description: builtin.description, source: builtin.source, params, tags: builtin.tags };
      const existing = await store.templates.get(builtin.id);
      if (!existing) {
        try {
          await store.templates.create({
            id: builtin.id,
            author: BUILTIN_AUTHOR,
            ...wanted,
            version: BUILTIN_VERSION,
            originCellId: null,
            // One millisecond apart, so "newest first" keeps the library's order.
            at: new Date(at.getTime() - index),
          });
        } catch (error) {
          // Another service inserted it meanwhile.
          if (!(await store.templates.get(builtin.id))) throw error;
        }
        continue;
      }
      const current = { title: existing.title, description: existing.description, source: existing.source, params: existing.params, tags: existing.tags };
      if (JSON.stringify(current) !== JSON.stringify({ ...wanted, tags: [...wanted.tags].sort() })) {
        await store.templates.update(builtin.id, wanted, at);
      }
      if (existing.unpublishedAt !== null) await store.templates.setPublished(builtin.id, true, at);
    }
    const ids = new Set(library.map((builtin) => builtin.id));
    const stored = await store.templates.search({ author: BUILTIN_AUTHOR, sort: "recent", limit: 1000, offset: 0 });
    for (const template of stored.items) {
      if (!ids.has(template.id)) await store.templates.setPublished(template.id, false, at);
    }
  }

  /** Publishes a template from raw source or from one of the author's recipe cells. */
  async publish(author: string, input: TemplateMetadata & TemplateOrigin): Promise<TemplateRecord> {
    const { store, recipes } = this.options;
    let source: string;
    let originCellId: string | null = null;
    if ("fromCell" in input) {
      const { notebookId, cellId } = input.fromCell;
      if (!(await store.notebooks.findOwned(notebookId, author))) {
        throw createError("ERR_NOTEBOOK_NOT_FOUND", { params: { notebookId } });
      }
      const cell = await store.cells.get(notebookId, cellId);
      if (!cell) throw createError("ERR_CELL_NOT_FOUND", { params: { cellId } });
      if (cell.kind !== "recipe") throw createError("ERR_TEMPLATE_CELL_NOT_RECIPE");
      source = cell.source;
      originCellId = cell.id;
    } else {
      source = input.source;
    }
    const checked = checkTemplateSource(recipes, source);
    return store.templates.create({
      id: randomUUID(),
      author,
      title: input.title,
      description: input.description,
      tags: input.tags,
      version: input.version,
      source: checked.source,
      params: checked.params,
      originCellId,
      at: this.options.now(),
    });
  }

  /** Searches the templates `viewer` can see. */
  async search(viewer: string | undefined, search: Omit<TemplateSearch, "includeUnpublishedOf">): Promise<Page<TemplateRecord>> {
    await this.builtinsReady();
    return this.options.store.templates.search({ ...search, includeUnpublishedOf: viewer });
  }

  /** A template `viewer` can see: published, or their own. */
  async get(viewer: string | undefined, templateId: string): Promise<TemplateRecord> {
    await this.builtinsReady();
    const template = await this.options.store.templates.get(templateId);
    if (!template || (template.unpublishedAt !== null && template.author !== viewer)) {
      throw createError("ERR_TEMPLATE_NOT_FOUND", { params: { templateId } });
    }
    return template;
  }

  /** Changes the author's template; a new source is checked and its parameters read again. */
  async update(author: string, templateId: string, patch: Partial<TemplateMetadata> & { source?: string }): Promise<TemplateRecord> {
    await this.authored(author, templateId);
    const changes: TemplatePatch = { ...patch };
    if (patch.source !== undefined) {
      const checked = checkTemplateSource(this.options.recipes, patch.source);
      changes.source = checked.source;
      changes.params = checked.params;
    }
    return (await this.options.store.templates.update(templateId, changes, this.options.now()))!;
  }

  /** Publishes or unpublishes the author's template. */
  async setPublished(author: string, templateId: string, published: boolean): Promise<TemplateRecord> {
    await this.authored(author, templateId);
    return (await this.options.store.templates.setPublished(templateId, published, this.options.now()))!;
  }

  /**
   * Forks a template into one of the user's notebooks (or a new one) as a recipe cell with the given
   * parameter values (and, with a dataset id, reading that dataset), and counts the fork. All of it,
   * or nothing.
   */
  async fork(
    user: string,
    templateId: string,
    input: {
      values: Record<string, string | number>;
      notebookId?: string;
      title?: string;
      datasetId?: string | null;
      index?: number;
    },
  ): Promise<ForkResult> {
    const template = await this.get(user, templateId);
    // The fork's cell runs on the dataset by id; its text names the dataset as people do
    // (`from "greenhouse"`, not `from "4"`) and its values as the dataset does (a template's
    // `temperature` becomes a dataset's `temp_c`).
    const dataset = input.datasetId ? await requireDataset(this.options.store, input.datasetId) : undefined;
    const source = forkTemplateSource(this.options.recipes, { source: template.source, values: input.values, dataset });
    const at = this.options.now();
    return this.options.store.transaction(async (tx) => {
      let notebookId = input.notebookId;
      if (notebookId === undefined) {
        notebookId = (await tx.notebooks.create({ id: randomUUID(), owner: user, title: input.title ?? template.title, at })).id;
      } else if (!(await tx.notebooks.touch(notebookId, user, at))) {
        throw createError("ERR_NOTEBOOK_NOT_FOUND", { params: { notebookId } });
      }
      const cell = await insertCell(tx, notebookId, { kind: "recipe", source, datasetId: input.datasetId ?? null }, input.index, at);
      const forkCount = await tx.templates.incrementForkCount(templateId);
      if (forkCount === undefined) throw createError("ERR_TEMPLATE_NOT_FOUND", { params: { templateId } });
      return { notebookId, cell, forkCount };
    });
  }

  /** The template, if `user` wrote it: 404 when they cannot see it, 403 when it is someone else's. */
  private async authored(user: string, templateId: string): Promise<TemplateRecord> {
    const template = await this.get(user, templateId);
    if (template.author === BUILTIN_AUTHOR || template.author !== user) throw createError("ERR_TEMPLATE_FORBIDDEN");
    return template;
  }
}
