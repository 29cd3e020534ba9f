/**
 * An open notebook: its cells in order, the selected cell and the mode (command or edit, as in
 * JupyterLab), and every change sent to the service — cell text is saved shortly after typing
 * stops, structural changes (add, delete, move, kind) at once. Failures are kept where the user
 * acted: on the cell (`saveError`) or the notebook (`error`).
 */
import { messageOf } from "../api/http";
import * as api from "../api/notebooks-api";
import type { CellKind, NotebookDto } from "../api/notebooks-api";
import { CellModel } from "./cell-model.svelte";
import type { RunnableNotebook } from "./executor";
import type { NotebookMode } from "./shortcuts";

/** A cell's content away from the notebook: on the clipboard or kept to undo its deletion. */
export interface CellContent {
  kind: CellKind;
  source: string;
  datasetId: string | null;
}

/** A deleted cell and where it was, so that `z` can put it back. */
export interface DeletedCell extends CellContent {
  index: number;
}

/** How many deletions `z` can undo. */
export const UNDO_DEPTH = 20;

/** Milliseconds after the last keystroke before a cell's text is saved. */
export const SAVE_DELAY_MS = 600;

/** The notebook being edited. */
export class NotebookModel implements RunnableNotebook {
  readonly id: string;
  title = $state("");
  cells = $state.raw<CellModel[]>([]);
  activeId = $state<string | undefined>(undefined);
  mode = $state<NotebookMode>("command");
  /** The last failed structural change, in words. */
  error = $state<string | undefined>(undefined);
  /** A structural change is in flight. */
  busy = $state(false);
  /** The copied or cut cell (`c`, `x`), pasted by `v`; kept in this page only. */
  clipboard = $state.raw<CellContent | undefined>(undefined);
  /** Deleted cells, the latest last, for `z`. */
  deleted = $state.raw<DeletedCell[]>([]);

  readonly activeIndex = $derived(this.cells.findIndex((c) => c.id === this.activeId));
  readonly active = $derived(this.cells.find((c) => c.id === this.activeId));
  readonly unsaved = $derived(this.cells.some((c) => c.saveState !== "saved"));
  readonly saveFailed = $derived(this.cells.some((c) => c.saveState === "error"));

  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(dto: NotebookDto) {
    this.id = dto.id;
    this.title = dto.title;
    this.cells = dto.cells.map((c) => new CellModel(c));
    this.activeId = this.cells[0]?.id;
  }

  select(cell: CellModel | undefined, mode: NotebookMode = "command"): void {
    if (!cell) return;
    this.activeId = cell.id;
    this.mode = mode;
  }

  selectOffset(delta: number): void {
    const index = Math.min(Math.max(this.activeIndex + delta, 0), this.cells.length - 1);
    this.select(this.cells[index]);
  }

  /** Records typing; the text is saved after a pause. */
  setSource(cell: CellModel, source: string): void {
    if (cell.source === source) return;
    cell.source = source;
    cell.saveState = "pending";
    clearTimeout(this.#timers.get(cell.id));
    this.#timers.set(cell.id, setTimeout(() => void this.#save(cell), SAVE_DELAY_MS));
  }

  /** Saves every pending edit now. */
  async flush(): Promise<void> {
    const pending = this.cells.filter((c) => c.saveState === "pending" || c.saveState === "error" || c.dirty);
    await Promise.all(pending.map((c) => this.#save(c)));
    const failed = this.cells.find((c) => c.saveState === "error");
    if (failed) throw new Error(failed.saveError ?? "A cell could not be saved.");
  }

  async #save(cell: CellModel): Promise<void> {
    clearTimeout(this.#timers.get(cell.id));
    this.#timers.delete(cell.id);
    if (!cell.dirty) {
      cell.saveState = "saved";
      return;
    }
    const sent = { source: cell.source, kind: cell.kind, datasetId: cell.kind === "markdown" ? null : cell.datasetId };
    cell.saveState = "saving";
    try {
      const saved = await api.updateCell(this.id, cell.id, sent);
      cell.confirm(saved);
      cell.saveError = undefined;
      // Typing may have gone on while the request was out.
      cell.saveState = cell.dirty ? "pending" : "saved";
      if (cell.dirty) this.#timers.set(cell.id, setTimeout(() => void this.#save(cell), SAVE_DELAY_MS));
    } catch (error) {
      cell.saveState = "error";
      cell.saveError = `Not saved: ${messageOf(error)}`;
    }
  }

  async #structural<T>(change: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = undefined;
    try {
      return await change();
    } catch (error) {
      this.error = messageOf(error);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /**
   * Inserts a cell at `index` and selects it: in edit mode by default (a button was clicked to
   * write something), in command mode for the `a` / `b` keys, so that the next key is a command.
   */
  async insert(kind: CellKind, index: number, source = "", datasetId: string | null = null, mode: NotebookMode = "edit"): Promise<CellModel | undefined> {
    return this.#structural(async () => {
      const dto = await api.addCell(this.id, { kind, source, index, ...(kind === "recipe" && datasetId ? { datasetId } : {}) });
      const cell = new CellModel(dto);
      if (kind === "markdown") cell.editing = mode === "edit" || source.trim() === "";
      const cells = [...this.cells];
      cells.splice(index, 0, cell);
      this.cells = cells;
      this.select(cell, mode);
      return cell;
    });
  }

  /** Deletes a cell; `z` ({@link undoDelete}) puts it back. */
  async remove(cell: CellModel): Promise<void> {
    await this.#structural(async () => {
      await api.deleteCell(this.id, cell.id);
      clearTimeout(this.#timers.get(cell.id));
      const index = this.cells.indexOf(cell);
      this.deleted = [...this.deleted, { ...contentOf(cell), index }].slice(-UNDO_DEPTH);
      this.cells = this.cells.filter((c) => c !== cell);
      this.select(this.cells[Math.min(index, this.cells.length - 1)]);
    });
  }

  /** Restores the latest deleted cell where it was, selected in command mode. */
  async undoDelete(): Promise<CellModel | undefined> {
    const last = this.deleted.at(-1);
    if (!last) return undefined;
    const cell = await this.insert(last.kind, Math.min(last.index, this.cells.length), last.source, last.datasetId, "command");
    if (cell) this.deleted = this.deleted.slice(0, -1);
    return cell;
  }

  /** Copies a cell's content to the notebook's clipboard. */
  copy(cell: CellModel): void {
    this.clipboard = contentOf(cell);
  }

  /** Copies a cell, then deletes it. */
  async cut(cell: CellModel): Promise<void> {
    this.copy(cell);
    await this.remove(cell);
  }

  /** Pastes the clipboard's cell below (or above) `cell`, selected in command mode. */
  async paste(cell: CellModel | undefined, where: "below" | "above"): Promise<CellModel | undefined> {
    const content = this.clipboard;
    if (!content) return undefined;
    const at = cell ? this.cells.indexOf(cell) + (where === "below" ? 1 : 0) : this.cells.length;
    return this.insert(content.kind, at, content.source, content.datasetId, "command");
  }

  /**
   * Merges `cell` with the one below it, as JupyterLab's Shift+M: one cell of the first one's kind
   * whose text is both texts, a blank line apart; the second cell is deleted (and `z` restores it).
   */
  async mergeBelow(cell: CellModel): Promise<void> {
    const index = this.cells.indexOf(cell);
    const next = this.cells[index + 1];
    if (index === -1 || !next) return;
    const merged = [cell.source.trimEnd(), next.source.trim()].filter((s) => s !== "").join("\n\n");
    const ok = await this.#structural(async () => {
      const saved = await api.updateCell(this.id, cell.id, { source: merged });
      cell.source = saved.source;
      cell.confirm(saved);
      cell.saveState = "saved";
      return true;
    });
    if (ok) await this.remove(next);
    this.select(cell, "command");
  }

  async move(cell: CellModel, delta: -1 | 1): Promise<void> {
    const index = this.cells.indexOf(cell);
    const target = index + delta;
    if (index === -1 || target < 0 || target >= this.cells.length) return;
    await this.#structural(async () => {
      const dto = await api.moveCell(this.id, cell.id, target);
      const byId = new Map(this.cells.map((c) => [c.id, c]));
      this.cells = dto.cells.map((c) => byId.get(c.id)).filter((c): c is CellModel => c !== undefined);
      this.select(cell, this.mode);
    });
  }

  async setKind(cell: CellModel, kind: CellKind): Promise<void> {
    if (cell.kind === kind) return;
    await this.#structural(async () => {
      const saved = await api.updateCell(this.id, cell.id, { kind, source: cell.source });
      cell.kind = saved.kind;
      cell.datasetId = saved.datasetId;
      cell.confirm(saved);
      cell.saveState = "saved";
      cell.editing = kind === "markdown";
    });
  }

  async setDataset(cell: CellModel, datasetId: string | null): Promise<void> {
    cell.datasetId = datasetId;
    await this.#save(cell);
  }

  async rename(title: string): Promise<boolean> {
    const result = await this.#structural(async () => {
      const saved = await api.renameNotebook(this.id, title);
      this.title = saved.title;
      return true;
    });
    return result === true;
  }

  /** Saves every pending edit now (Ctrl-S); resolves with whether all of it is saved. */
  async save(): Promise<boolean> {
    try {
      await this.flush();
      return true;
    } catch {
      return false;
    }
  }

  /** Stops pending timers (the page is closing); edits not yet sent are sent now. */
  dispose(): void {
    for (const cell of this.cells) if (cell.saveState === "pending") void this.#save(cell);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}

function contentOf(cell: CellModel): CellContent {
  return { kind: cell.kind, source: cell.source, datasetId: cell.kind === "recipe" ? cell.datasetId : null };
}
