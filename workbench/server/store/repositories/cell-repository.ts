import type { Selectable } from "kysely";
import type { Db } from "../db";
import { affected, inTransaction } from "../db";
import type { CellKind, CellRecord } from "../records";
import type { CellsTable } from "../schema";

/**
 * The ordered cells of a notebook. Positions are dense (0..n-1). Callers check ownership and lock the
 * notebook first (`NotebookRepository.touch`) in the same transaction; each method here is atomic by
 * itself too.
 */
export class CellRepository {
  constructor(private readonly db: Db) {}

  /** The notebook's cells in order. */
  async list(notebookId: string): Promise<CellRecord[]> {
    const rows = await this.db
      .selectFrom("cells")
      .selectAll()
      .where("notebook_id", "=", notebookId)
      .orderBy("position")
      .execute();
    return rows.map(toCell);
  }

  /** One cell of the notebook. */
  async get(notebookId: string, cellId: string): Promise<CellRecord | undefined> {
    const row = await this.db
      .selectFrom("cells")
      .selectAll()
      .where("notebook_id", "=", notebookId)
      .where("id", "=", cellId)
      .executeTakeFirst();
    return row && toCell(row);
  }

  /** How many cells the notebook has. */
  async count(notebookId: string): Promise<number> {
    const { n } = await this.db
      .selectFrom("cells")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("notebook_id", "=", notebookId)
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  /** Inserts a cell at `index` (0..count), shifting the cells at and after it down by one. */
  async insert(input: {
    id: string;
    notebookId: string;
    index: number;
    kind: CellKind;
    source: string;
    datasetId: string | null;
    at: Date;
  }): Promise<CellRecord> {
    return inTransaction(this.db, async (trx) => {
      await trx
        .updateTable("cells")
        .set((eb) => ({ position: eb("position", "+", 1) }))
        .where("notebook_id", "=", input.notebookId)
        .where("position", ">=", input.index)
        .execute();
      const at = input.at.toISOString();
      const row = {
        id: input.id,
        notebook_id: input.notebookId,
        position: input.index,
        kind: input.kind,
        source: input.source,
        dataset_id: input.datasetId,
        created_at: at,
        updated_at: at,
      };
      await trx.insertInto("cells").values(row).execute();
      return toCell(row);
    });
  }

  /**
   * Appends cells after the notebook's last one in one statement (imports). At most a notebook's
   * worth of cells: one row binds 8 parameters, well within both dialects' limits for 500 rows.
   */
  async append(
    notebookId: string,
    cells: readonly { id: string; kind: CellKind; source: string; datasetId: string | null }[],
    at: Date,
  ): Promise<CellRecord[]> {
    if (cells.length === 0) return [];
    return inTransaction(this.db, async (trx) => {
      const start = await new CellRepository(trx).count(notebookId);
      const stamp = at.toISOString();
      const rows = cells.map((cell, i) => ({
        id: cell.id,
        notebook_id: notebookId,
        position: start + i,
        kind: cell.kind,
        source: cell.source,
        dataset_id: cell.datasetId,
        created_at: stamp,
        updated_at: stamp,
      }));
      await trx.insertInto("cells").values(rows).execute();
      return rows.map(toCell);
    });
  }

  /** Changes a cell's kind, source or dataset; undefined when the notebook has no such cell. */
  async update(
    notebookId: string,
    cellId: string,
    patch: { kind?: CellKind; source?: string; datasetId?: string | null },
    at: Date,
  ): Promise<CellRecord | undefined> {
    const result = await this.db
      .updateTable("cells")
      .set({
        ...(patch.kind !== undefined && { kind: patch.kind }),
        ...(patch.source !== undefined && { source: patch.source }),
        ...(patch.datasetId !== undefined && { dataset_id: patch.datasetId }),
        updated_at: at.toISOString(),
      })
      .where("notebook_id", "=", notebookId)
      .where("id", "=", cellId)
      .executeTakeFirst();
    return affected(result) === 1 ? this.get(notebookId, cellId) : undefined;
  }

  /** Deletes a cell and closes the gap; false when the notebook has no such cell. */
  async delete(notebookId: string, cellId: string): Promise<boolean> {
    return inTransaction(this.db, async (trx) => {
      const cell = await trx
        .deleteFrom("cells")
        .where("notebook_id", "=", notebookId)
        .where("id", "=", cellId)
        .returning("position")
        .executeTakeFirst();
      if (!cell) return false;
      await trx
        .updateTable("cells")
        .set((eb) => ({ position: eb("position", "-", 1) }))
        .where("notebook_id", "=", notebookId)
        .where("position", ">", cell.position)
        .execute();
      return true;
    });
  }

  /**
   * Moves a cell to `toIndex` (0..count-1), shifting the cells in between by one; returns the
   * notebook's cells in their new order, or undefined when the notebook has no such cell.
   */
  async move(notebookId: string, cellId: string, toIndex: number, at: Date): Promise<CellRecord[] | undefined> {
    return inTransaction(this.db, async (trx) => {
      const cell = await new CellRepository(trx).get(notebookId, cellId);
      if (!cell) return undefined;
      const from = cell.position;
      if (toIndex !== from) {
        const down = toIndex > from;
        await trx
          .updateTable("cells")
          .set((eb) => ({ position: eb("position", down ? "-" : "+", 1) }))
          .where("notebook_id", "=", notebookId)
          .where("position", down ? ">" : ">=", down ? from : toIndex)
          .where("position", down ? "<=" : "<", down ? toIndex : from)
          .execute();
        await trx
          .updateTable("cells")
          .set({ position: toIndex, updated_at: at.toISOString() })
          .where("id", "=", cellId)
          .execute();
      }
      return new CellRepository(trx).list(notebookId);
    });
  }
}

function toCell(row: Selectable<CellsTable>): CellRecord {
  return {
    id: row.id,
    notebookId: row.notebook_id,
    position: Number(row.position),
    kind: row.kind,
    source: row.source,
    datasetId: row.dataset_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
