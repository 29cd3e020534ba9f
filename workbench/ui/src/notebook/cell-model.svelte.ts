/**
 * A cell of an open notebook: its content (mutated in place as the user types), what the service
 * has saved, its latest execution snapshot and, for recipe cells, the checker's latest answer.
 */
import type { CellDto, CellKind } from "../api/notebooks-api";
import type { CheckResponse } from "../recipe-language/check-protocol";
import { IDLE, type CellExecution } from "./cell-status";
import type { RunnableCell } from "./executor";

/** Whether the cell's content is on the service. */
export type SaveState = "saved" | "pending" | "saving" | "error";

/** One cell. */
export class CellModel implements RunnableCell {
  readonly id: string;
  kind = $state<CellKind>("recipe");
  source = $state("");
  datasetId = $state<string | null>(null);
  /** The latest execution; replaced whole (decrypted results live only here, in this page). */
  execution = $state.raw<CellExecution>(IDLE);
  /** The checker's latest answer (recipe cells). */
  check = $state.raw<CheckResponse | undefined>(undefined);
  /** A markdown cell shows its source while edited, its rendering otherwise. */
  editing = $state(false);
  saveState = $state<SaveState>("saved");
  saveError = $state<string | undefined>(undefined);
  /** What the service last confirmed. */
  saved = $state.raw<{ kind: CellKind; source: string; datasetId: string | null }>({ kind: "recipe", source: "", datasetId: null });

  readonly status = $derived(this.execution.status);
  readonly dirty = $derived(this.source !== this.saved.source || this.kind !== this.saved.kind || this.datasetId !== this.saved.datasetId);

  constructor(dto: CellDto) {
    this.id = dto.id;
    this.kind = dto.kind;
    this.source = dto.source;
    this.datasetId = dto.datasetId;
    this.saved = { kind: dto.kind, source: dto.source, datasetId: dto.datasetId };
    this.editing = dto.kind === "markdown" && dto.source.trim() === "";
  }

  /** Records what the service saved (keeps newer local edits). */
  confirm(dto: Pick<CellDto, "kind" | "source" | "datasetId">): void {
    this.saved = { kind: dto.kind, source: dto.source, datasetId: dto.datasetId };
  }
}
