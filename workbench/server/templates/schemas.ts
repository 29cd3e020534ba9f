import { z } from "zod";
import { Address, DatasetId, Id, multiLineText, pageOf, pageQuery, singleLineText, Timestamp } from "../shared/schemas";
import { NOTEBOOK_LIMITS } from "../notebooks/model";
import { Cell } from "../notebooks/schemas";
import { BUILTIN_AUTHOR, BUILTIN_ID_PATTERN } from "./builtins";
import { TEMPLATE_LIMITS } from "./model";

/** A template id: a UUID, or `builtin:<id>` for one of the built-in library's. */
export const TemplateId = z
  .union([Id, z.string().regex(BUILTIN_ID_PATTERN)], { error: "must be a template id (a UUID or builtin:<name>)" })
  .meta({ description: "A UUID, or `builtin:<name>` for a built-in template", example: "builtin:daily-summary" });

const TemplateAuthor = z.string().meta({
  description: `The author's Ethereum address (EIP-55 checksum), or \`${BUILTIN_AUTHOR}\` for the workbench's built-in templates (which nobody can change)`,
  example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
});

const Title = singleLineText(TEMPLATE_LIMITS.titleLength).meta({ example: "Hours above a threshold" });
const Description = multiLineText(TEMPLATE_LIMITS.descriptionLength).meta({ description: "Markdown" });
const Source = multiLineText(TEMPLATE_LIMITS.sourceLength).meta({
  description: "A recipe; its `param name = default \"description\"` lines are the template's parameters",
  example: 'param hot = 30.0 "hot above (°C)"\nfrom "greenhouse" window last 24h\ncount(temperature > hot)',
});
const Tag = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "must be 1–32 letters, digits or dashes")
  .meta({ example: "temperature" });
const Tags = z.array(Tag).max(TEMPLATE_LIMITS.maxTags).transform((tags) => [...new Set(tags)]);
const Version = z
  .string()
  .regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}$/, "must be a version such as 1.0.0")
  .meta({ example: "1.0.0" });
const ParamValue = z.union([z.number(), z.string().max(64)]).meta({ description: "A decimal number (as a number or a string)" });

/** A template parameter: a `param` declaration of its recipe. */
export const TemplateParam = z
  .object({ name: z.string(), default: z.string(), description: z.string().optional() })
  .meta({ id: "TemplateParam" });

/** A template as the API shows it. */
export const Template = z
  .object({
    id: TemplateId,
    author: TemplateAuthor,
    title: z.string(),
    description: z.string(),
    source: z.string(),
    params: z.array(TemplateParam),
    tags: z.array(z.string()),
    version: z.string(),
    forkCount: z.number().int(),
    published: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "Template" });

export const TemplatePage = pageOf(Template);
export const TemplateParams = z.strictObject({ templateId: TemplateId });

export const SearchQuery = z.strictObject({
  q: z.string().max(200).optional().meta({ description: "Words to find in the title, description or tags" }),
  tag: Tag.optional(),
  author: Address.optional(),
  mine: z.stringbool().optional().meta({ description: "Only your templates, unpublished ones included (needs a session)" }),
  sort: z.enum(["recent", "popular"]).default("recent"),
  ...pageQuery,
});

export const PublishBody = z
  .strictObject({
    title: Title,
    description: Description.default(""),
    tags: Tags.default([]),
    version: Version.default("1.0.0"),
    source: Source.optional(),
    fromCell: z.strictObject({ notebookId: Id, cellId: Id }).optional().meta({ description: "Publish one of your recipe cells" }),
  })
  .refine((body) => (body.source === undefined) !== (body.fromCell === undefined), {
    message: "give exactly one of source or fromCell",
    path: ["source"],
  });

export const UpdateBody = z
  .strictObject({
    title: Title.optional(),
    description: Description.optional(),
    tags: Tags.optional(),
    version: Version.optional(),
    source: Source.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), "give at least one field to change");

export const ForkBody = z.strictObject({
  values: z
    .record(z.string().max(64), ParamValue)
    .refine((values) => Object.keys(values).length <= 64, "at most 64 values")
    .default({})
    .meta({ description: "Parameter values by name; parameters left out keep their default" }),
  notebookId: Id.optional().meta({ description: "Add the cell to this notebook of yours; a new notebook when omitted" }),
  title: singleLineText(NOTEBOOK_LIMITS.titleLength).optional().meta({ description: "Title of the new notebook (default: the template's)" }),
  datasetId: DatasetId.nullable().optional(),
  index: z.number().int().min(0).max(NOTEBOOK_LIMITS.maxCells).optional(),
});

/** POST /api/templates/:id/fork response: the notebook the cell went into, the cell, the template's new fork count. */
export const ForkResponse = z.object({ notebookId: z.string(), cell: Cell, forkCount: z.number().int() });
