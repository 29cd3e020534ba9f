import { z } from "zod";
import { DatasetId, Id, IdOutput, multiLineText, pageOf, pageQuery, singleLineText, TimestampOutput } from "../shared/schemas";
import { CELL_KINDS, NOTEBOOK_LIMITS } from "./model";

const Title = singleLineText(NOTEBOOK_LIMITS.titleLength).meta({ example: "Greenhouse, week 47" });
const Source = multiLineText(NOTEBOOK_LIMITS.sourceLength).meta({
  description: "Markdown text, or a recipe in the recipe language",
  example: 'from "greenhouse" window last 24h\nmean(temperature)',
});
const CellIndex = z.number().int().min(0).max(NOTEBOOK_LIMITS.maxCells).meta({ description: "0-based position" });

/** A cell as the API shows it. */
export const Cell = z
  .object({
    id: IdOutput,
    index: z.number().int(),
    kind: z.enum(CELL_KINDS),
    source: z.string(),
    datasetId: z.string().nullable(),
    createdAt: TimestampOutput,
    updatedAt: TimestampOutput,
  })
  .meta({ id: "Cell" });

/** A notebook with its cells in order. */
export const Notebook = z
  .object({ id: IdOutput, title: z.string(), createdAt: TimestampOutput, updatedAt: TimestampOutput, cells: z.array(Cell) })
  .meta({ id: "Notebook" });

/** A notebook in a list. */
export const NotebookSummary = z
  .object({ id: IdOutput, title: z.string(), createdAt: TimestampOutput, updatedAt: TimestampOutput, cellCount: z.number().int() })
  .meta({ id: "NotebookSummary" });

export const NotebookPage = pageOf(NotebookSummary);
export const NotebookParams = z.strictObject({ notebookId: Id });
export const CellParams = z.strictObject({ notebookId: Id, cellId: Id });
export const ListQuery = z.strictObject(pageQuery);
export const CreateNotebookBody = z.strictObject({ title: Title });
export const RenameNotebookBody = z.strictObject({ title: Title });

export const AddCellBody = z.strictObject({
  kind: z.enum(CELL_KINDS),
  source: Source.default(""),
  datasetId: DatasetId.nullable().optional().meta({ description: "The dataset a recipe cell runs against (recipe cells only)" }),
  index: CellIndex.optional().meta({ description: "Where to insert (0-based); the end when omitted" }),
});

export const UpdateCellBody = z
  .strictObject({
    kind: z.enum(CELL_KINDS).optional(),
    source: Source.optional(),
    datasetId: DatasetId.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, "give at least one of kind, source, datasetId");

export const MoveCellBody = z.strictObject({ index: CellIndex });
