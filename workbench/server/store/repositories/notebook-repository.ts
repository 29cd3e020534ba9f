import type { Selectable } from "kysely";
import type { Db } from "../db";
import { affected } from "../db";
import type { NotebookRecord, NotebookSummaryRecord, Page, PageRequest } from "../records";
import type { NotebooksTable } from "../schema";

/**
 * Notebooks. Every read and write names the owner: a notebook of someone else is indistinguishable
 * from one that does not exist.
 */
export class NotebookRepository {
  constructor(private readonly db: Db) {}

  /** Stores a new, empty notebook. */
  async create(input: { id: string; owner: string; title: string; at: Date }): Promise<NotebookRecord> {
    const at = input.at.toISOString();
    const row = { id: input.id, owner: input.owner, title: input.title, created_at: at, updated_at: at };
    await this.db.insertInto("notebooks").values(row).execute();
    return toNotebook(row);
  }

  /** The notebook `id` if `owner` owns it. */
  async findOwned(id: string, owner: string): Promise<NotebookRecord | undefined> {
    const row = await this.db
      .selectFrom("notebooks")
      .selectAll()
      .where("id", "=", id)
      .where("owner", "=", owner)
      .executeTakeFirst();
    return row && toNotebook(row);
  }

  /** The owner's notebooks, most recently changed first, with their cell counts. */
  async list(owner: string, page: PageRequest): Promise<Page<NotebookSummaryRecord>> {
    const rows = await this.db
      .selectFrom("notebooks")
      .selectAll("notebooks")
      .select((eb) =>
        eb
          .selectFrom("cells")
          .select(eb.fn.countAll<number>().as("n"))
          .whereRef("cells.notebook_id", "=", "notebooks.id")
          .as("cell_count"),
      )
      .where("owner", "=", owner)
      .orderBy("updated_at", "desc")
      .orderBy("id")
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    const { total } = await this.db
      .selectFrom("notebooks")
      .select((eb) => eb.fn.countAll<number>().as("total"))
      .where("owner", "=", owner)
      .executeTakeFirstOrThrow();
    return { items: rows.map((row) => ({ ...toNotebook(row), cellCount: Number(row.cell_count ?? 0) })), total: Number(total) };
  }

  /** Renames the owner's notebook; undefined when it is not theirs. */
  async rename(id: string, owner: string, title: string, at: Date): Promise<NotebookRecord | undefined> {
    const result = await this.db
      .updateTable("notebooks")
      .set({ title, updated_at: at.toISOString() })
      .where("id", "=", id)
      .where("owner", "=", owner)
      .executeTakeFirst();
    return affected(result) === 1 ? this.findOwned(id, owner) : undefined;
  }

  /**
   * Marks the owner's notebook as changed at `at`; false when it is not theirs. Call it first in a
   * transaction that changes the notebook's cells: on PostgreSQL the UPDATE also locks the notebook's
   * row, so concurrent cell edits of one notebook take turns and positions stay dense.
   */
  async touch(id: string, owner: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable("notebooks")
      .set({ updated_at: at.toISOString() })
      .where("id", "=", id)
      .where("owner", "=", owner)
      .executeTakeFirst();
    return affected(result) === 1;
  }

  /** Deletes the owner's notebook and its cells; false when it is not theirs. */
  async delete(id: string, owner: string): Promise<boolean> {
    const result = await this.db.deleteFrom("notebooks").where("id", "=", id).where("owner", "=", owner).executeTakeFirst();
    return affected(result) === 1;
  }
}

function toNotebook(row: Selectable<NotebooksTable>): NotebookRecord {
  return { id: row.id, owner: row.owner, title: row.title, createdAt: row.created_at, updatedAt: row.updated_at };
}
