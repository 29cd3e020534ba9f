import { z } from "zod";
import { NOTEBOOK_LIMITS } from "../notebooks/model";
import { RECIPE_KIND_NAMES } from "../shared/recipe-kinds";
import { DatasetId, multiLineText, ParamValues } from "../shared/schemas";

/** A recipe's source in a request. */
export const RecipeSource = multiLineText(NOTEBOOK_LIMITS.sourceLength).meta({
  description: "A recipe in the recipe language",
  example: 'param hot = 30 "hot above (°C)"\nfrom "greenhouse" window last 24h\nmean(temperature)\ncount(temperature > hot)',
});

/** One message about a recipe, as editors show it (1-based lines and columns, end exclusive). */
export const RecipeDiagnostic = z
  .object({
    line: z.number().int(),
    column: z.number().int(),
    endLine: z.number().int(),
    endColumn: z.number().int(),
    message: z.string(),
    severity: z.enum(["error", "warning", "info"]),
    code: z.string().meta({ description: "The recipe language's diagnostic code, e.g. `unknown-statistic`, `kind-not-approved`" }),
  })
  .meta({ id: "RecipeDiagnostic" });

export const DiagnosticsBody = z.strictObject({
  source: RecipeSource,
  datasetId: DatasetId.optional().meta({ description: "Check against this dataset: its field, encoding and approvals" }),
  params: ParamValues.optional(),
});

export const Diagnostics = z
  .object({
    ok: z.boolean().meta({ description: "No error: the recipe can be planned (and, with a dataset, its seller approved it)" }),
    diagnostics: z.array(RecipeDiagnostic),
    params: z.array(z.object({ name: z.string(), default: z.string(), description: z.string().optional() })),
    requiredKinds: z.array(z.enum(RECIPE_KIND_NAMES)).meta({ description: "The recipe types its statistics need" }),
    approved: z.boolean().nullable().meta({ description: "Whether the dataset's seller approved every one of them; null without a dataset" }),
    missingKinds: z.array(z.enum(RECIPE_KIND_NAMES)).nullable(),
  })
  .meta({ id: "RecipeDiagnostics" });
