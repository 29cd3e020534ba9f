import { randomUUID } from "node:crypto";
import { createError } from "../errors";
import type { CellKind, CellRecord, NotebookRecord, NotebookSummaryRecord, Page, PageRequest } from "../store/records";
import type { Repositories, Store } from "../store/store";
import { toDocument, type NotebookDocument } from "./format";
import { applyCellChange, checkCellContent, insertionIndex, moveIndex, type CellChange } from "./model";

/** A notebook with its cells in order. */
export interface NotebookWithCells extends NotebookRecord {
  cells: CellRecord[];
}

/** Options of the notebook service. */
export interface NotebookServiceOptions {
  store: Store;
  now: () => Date;
}

/**
 * Notebooks and their cells, private to their owner: every method takes the owner, and a notebook
 * of someone else is reported as not found (its existence is not revealed). Each change runs in one
 * transaction that first locks the notebook, so concurrent edits of one notebook take turns and a
 * rejected change writes nothing.
 */
export class NotebookService {
  constructor(private readonly options: NotebookServiceOptions) {}

  /** The owner's notebooks, most recently changed first. */
  list(owner: string, page: PageRequest): Promise<Page<NotebookSummaryRecord>> {
    return this.options.store.notebooks.list(owner, page);
  }

  /** Creates an empty notebook. */
  async create(owner: string, input: { title: string }): Promise<NotebookWithCells> {
    const notebook = await this.options.store.notebooks.create({ id: randomUUID(), owner, title: input.title, at: this.options.now() });
    return { ...notebook, cells: [] };
  }

  /** The owner's notebook with its cells. */
  async get(owner: string, notebookId: string): Promise<NotebookWithCells> {
    const { store } = this.options;
    const notebook = await store.notebooks.findOwned(notebookId, owner);
    if (!notebook) throw notFound(notebookId);
    return { ...notebook, cells: await store.cells.list(notebookId) };
  }

  /** Renames the owner's notebook. */
  async rename(owner: string, notebookId: string, title: string): Promise<NotebookRecord> {
    const notebook = await this.options.store.notebooks.rename(notebookId, owner, title, this.options.now());
    if (!notebook) throw notFound(notebookId);
    return notebook;
  }

  /** Deletes the owner's notebook and its cells (its runs stay, detached). */
  async delete(owner: string, notebookId: string): Promise<void> {
    if (!(await this.options.store.notebooks.delete(notebookId, owner))) throw notFound(notebookId);
  }

  /** Adds a cell at `index` (default: the end). */
  async addCell(
    owner: string,
    notebookId: string,
    input: { kind: CellKind; source: string; datasetId?: string | null; index?: number },
  ): Promise<CellRecord> {
    const content = checkCellContent(input);
    return this.change(owner, notebookId, (tx, at) => insertCell(tx, notebookId, content, input.index, at));
  }

  /** Changes a cell's kind, source or dataset. */
  async updateCell(owner: string, notebookId: string, cellId: string, change: CellChange): Promise<CellRecord> {
    return this.change(owner, notebookId, async (tx, at) => {
      const cell = await tx.cells.get(notebookId, cellId);
      if (!cell) throw cellNotFound(cellId);
      return (await tx.cells.update(notebookId, cellId, applyCellChange(cell, change), at))!;
    });
  }

  /** Deletes a cell. */
  async deleteCell(owner: string, notebookId: string, cellId: string): Promise<void> {
    await this.change(owner, notebookId, async (tx) => {
      if (!(await tx.cells.delete(notebookId, cellId))) throw cellNotFound(cellId);
    });
  }

  /** Moves a cell to `index`; returns the notebook in its new order. */
  async moveCell(owner: string, notebookId: string, cellId: string, index: number): Promise<NotebookWithCells> {
    return this.change(owner, notebookId, async (tx, at) => {
      const target = moveIndex(index, await tx.cells.count(notebookId));
      const cells = await tx.cells.move(notebookId, cellId, target, at);
      if (!cells) throw cellNotFound(cellId);
      return { ...(await tx.notebooks.findOwned(notebookId, owner))!, cells };
    });
  }

  /** The owner's notebook as a document (see format.ts). */
  async exportDocument(owner: string, notebookId: string): Promise<NotebookDocument> {
    const notebook = await this.get(owner, notebookId);
    return toDocument(notebook, notebook.cells, this.options.now());
  }

  /** Creates a notebook from a validated document, all cells or nothing. */
  async importDocument(owner: string, document: NotebookDocument): Promise<NotebookWithCells> {
    const at = this.options.now();
    return this.options.store.transaction(async (tx) => {
      const notebook = await tx.notebooks.create({ id: randomUUID(), owner, title: document.metadata.title, at });
      const contents = document.cells.map((cell) => ({
        id: randomUUID(),
        ...checkCellContent({ kind: cell.kind, source: cell.source, datasetId: cell.kind === "recipe" ? cell.datasetId : null }),
      }));
      return { ...notebook, cells: await tx.cells.append(notebook.id, contents, at) };
    });
  }

  /** Runs `work` in a transaction after locking the owner's notebook (not found when it is not theirs). */
  private change<T>(owner: string, notebookId: string, work: (tx: Repositories, at: Date) => Promise<T>): Promise<T> {
    const at = this.options.now();
    return this.options.store.transaction(async (tx) => {
      if (!(await tx.notebooks.touch(notebookId, owner, at))) throw notFound(notebookId);
      return work(tx, at);
    });
  }
}

/** Inserts a cell at `index` (default: the end) into a notebook the caller has locked. */
export async function insertCell(
  tx: Repositories,
  notebookId: string,
  content: { kind: CellKind; source: string; datasetId: string | null },
  index: number | undefined,
  at: Date,
): Promise<CellRecord> {
  const position = insertionIndex(index, await tx.cells.count(notebookId));
  return tx.cells.insert({ id: randomUUID(), notebookId, index: position, ...content, at });
}

function notFound(notebookId: string) {
  return createError("ERR_NOTEBOOK_NOT_FOUND", { params: { notebookId } });
}

function cellNotFound(cellId: string) {
  return createError("ERR_CELL_NOT_FOUND", { params: { cellId } });
}
