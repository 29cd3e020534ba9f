import { sql, type ExpressionBuilder, type Selectable } from "kysely";
import type { Db } from "../db";
import { affected, fromJson, inTransaction } from "../db";
import type { Page, PageRequest, TemplateParam, TemplateRecord } from "../records";
import type { Database, TemplatesTable } from "../schema";

/** What a template search matches. */
export interface TemplateSearch extends PageRequest {
  /** Words that must each appear (case-insensitively) in the title, the description or a tag. */
  text?: string;
  /** An exact tag. */
  tag?: string;
  author?: string;
  /** Also list this author's unpublished templates (everyone else only sees published ones). */
  includeUnpublishedOf?: string;
  sort: "recent" | "popular";
}

/** The fields of a template its author can change. */
export interface TemplatePatch {
  title?: string;
  description?: string;
  source?: string;
  params?: TemplateParam[];
  tags?: string[];
  version?: string;
}

const MAX_SEARCH_WORDS = 8;

/** Published recipe templates, their tags and fork counts. */
export class TemplateRepository {
  constructor(private readonly db: Db) {}

  /** Publishes a new template. */
  async create(
    input: Omit<TemplateRecord, "forkCount" | "createdAt" | "updatedAt" | "unpublishedAt"> & { at: Date },
  ): Promise<TemplateRecord> {
    return inTransaction(this.db, async (trx) => {
      const at = input.at.toISOString();
      await trx
        .insertInto("templates")
        .values({
          id: input.id,
          author: input.author,
          title: input.title,
          description: input.description,
          source: input.source,
          params_json: JSON.stringify(input.params),
          version: input.version,
          origin_cell_id: input.originCellId,
          created_at: at,
          updated_at: at,
          unpublished_at: null,
        })
        .execute();
      await replaceTags(trx, input.id, input.tags);
      return (await new TemplateRepository(trx).get(input.id))!;
    });
  }

  /** The template `id`, published or not (callers decide who may see an unpublished one). */
  async get(id: string): Promise<TemplateRecord | undefined> {
    const row = await this.db.selectFrom("templates").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) return undefined;
    const tags = await tagsOf(this.db, [id]);
    return toTemplate(row, tags.get(id) ?? []);
  }

  /** Searches templates; newest first (`recent`) or most forked first (`popular`). */
  async search(search: TemplateSearch): Promise<Page<TemplateRecord>> {
    const words = (search.text ?? "").toLowerCase().split(/\s+/).filter(Boolean).slice(0, MAX_SEARCH_WORDS);
    const filtered = this.db.selectFrom("templates").where((eb) => {
      const conditions = [];
      conditions.push(
        search.includeUnpublishedOf === undefined
          ? eb("unpublished_at", "is", null)
          : eb.or([eb("unpublished_at", "is", null), eb("author", "=", search.includeUnpublishedOf)]),
      );
      if (search.author !== undefined) conditions.push(eb("author", "=", search.author));
      if (search.tag !== undefined) {
        conditions.push(
          eb.exists(
            eb
              .selectFrom("template_tags")
              .select("template_tags.tag")
              .whereRef("template_tags.template_id", "=", "templates.id")
              .where("template_tags.tag", "=", search.tag),
          ),
        );
      }
      for (const word of words) conditions.push(matchesWord(eb, word));
      return eb.and(conditions);
    });

    const rows = await filtered
      .selectAll()
      .$if(search.sort === "popular", (q) => q.orderBy("fork_count", "desc"))
      .orderBy("created_at", "desc")
      .orderBy("id")
      .limit(search.limit)
      .offset(search.offset)
      .execute();
    const { total } = await filtered.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow();
    const tags = await tagsOf(this.db, rows.map((row) => row.id));
    return { items: rows.map((row) => toTemplate(row, tags.get(row.id) ?? [])), total: Number(total) };
  }

  /** Changes a template; undefined when it does not exist. Authorship is the caller's check. */
  async update(id: string, patch: TemplatePatch, at: Date): Promise<TemplateRecord | undefined> {
    return inTransaction(this.db, async (trx) => {
      const result = await trx
        .updateTable("templates")
        .set({
          ...(patch.title !== undefined && { title: patch.title }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.source !== undefined && { source: patch.source }),
          ...(patch.params !== undefined && { params_json: JSON.stringify(patch.params) }),
          ...(patch.version !== undefined && { version: patch.version }),
          updated_at: at.toISOString(),
        })
        .where("id", "=", id)
        .executeTakeFirst();
      if (affected(result) !== 1) return undefined;
      if (patch.tags !== undefined) await replaceTags(trx, id, patch.tags);
      return new TemplateRepository(trx).get(id);
    });
  }

  /** Publishes or unpublishes a template; undefined when it does not exist. */
  async setPublished(id: string, published: boolean, at: Date): Promise<TemplateRecord | undefined> {
    const result = await this.db
      .updateTable("templates")
      .set({ unpublished_at: published ? null : at.toISOString(), updated_at: at.toISOString() })
      .where("id", "=", id)
      .executeTakeFirst();
    return affected(result) === 1 ? this.get(id) : undefined;
  }

  /** Counts one more fork (atomically); returns the new count, or undefined when there is no such template. */
  async incrementForkCount(id: string): Promise<number | undefined> {
    const row = await this.db
      .updateTable("templates")
      .set((eb) => ({ fork_count: eb("fork_count", "+", 1) }))
      .where("id", "=", id)
      .returning("fork_count")
      .executeTakeFirst();
    return row && Number(row.fork_count);
  }
}

/** `word` appears in the title, the description or one of the tags (LIKE metacharacters escaped). */
function matchesWord(eb: ExpressionBuilder<Database, "templates">, word: string) {
  const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const like = (column: string) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
  return eb.or([
    like("templates.title"),
    like("templates.description"),
    eb.exists(
      eb
        .selectFrom("template_tags")
        .select("template_tags.tag")
        .whereRef("template_tags.template_id", "=", "templates.id")
        .where(like("template_tags.tag")),
    ),
  ]);
}

async function replaceTags(db: Db, templateId: string, tags: readonly string[]): Promise<void> {
  await db.deleteFrom("template_tags").where("template_id", "=", templateId).execute();
  const unique = [...new Set(tags)];
  if (unique.length > 0) {
    await db
      .insertInto("template_tags")
      .values(unique.map((tag) => ({ template_id: templateId, tag })))
      .execute();
  }
}

async function tagsOf(db: Db, templateIds: readonly string[]): Promise<Map<string, string[]>> {
  const byTemplate = new Map<string, string[]>();
  if (templateIds.length === 0) return byTemplate;
  const rows = await db
    .selectFrom("template_tags")
    .select(["template_id", "tag"])
    .where("template_id", "in", templateIds)
    .orderBy("tag")
    .execute();
  for (const row of rows) {
    const list = byTemplate.get(row.template_id) ?? [];
    list.push(row.tag);
    byTemplate.set(row.template_id, list);
  }
  return byTemplate;
}

function toTemplate(row: Selectable<TemplatesTable>, tags: string[]): TemplateRecord {
  return {
    id: row.id,
    author: row.author,
    title: row.title,
    description: row.description,
    source: row.source,
    params: fromJson<TemplateParam[]>(row.params_json),
    tags,
    version: row.version,
    forkCount: Number(row.fork_count),
    originCellId: row.origin_cell_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    unpublishedAt: row.unpublished_at,
  };
}
