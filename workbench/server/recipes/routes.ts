import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { z } from "zod";
import { requireDataset } from "../datasets/service";
import type { RecipeKindName } from "../shared/recipe-kinds";
import { COMMON_ERRORS, errorResponses } from "../shared/schemas";
import { recipeDatasetOf } from "./recipe-dataset";
import { Diagnostics, DiagnosticsBody } from "./schemas";

/** The recipe language's authoritative checker over HTTP. Mounted at /api/recipes. */
const recipeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    "/diagnostics",
    {
      schema: {
        tags: ["recipes"],
        summary: "Check a recipe",
        description:
          "Diagnostics (line, column, endLine, endColumn, message, severity, code) of a recipe with parameter values, " +
          "against a dataset when `datasetId` is given (its field, encoding and the seller's approvals), and the recipe types it needs.",
        body: DiagnosticsBody,
        response: { 200: Diagnostics, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request): Promise<z.output<typeof Diagnostics>> => {
      const { source, datasetId, params } = request.body;
      let dataset;
      if (datasetId !== undefined) {
        dataset = recipeDatasetOf(await requireDataset(app.store, datasetId));
      }
      const analysis = app.recipes.analyze({ source, ...(params && { params }), ...(dataset && { dataset }) });
      return {
        ok: analysis.ok,
        diagnostics: analysis.diagnostics,
        params: analysis.params,
        requiredKinds: analysis.requiredKinds as RecipeKindName[],
        approved: analysis.missingKinds === null ? null : analysis.ok && analysis.missingKinds.length === 0,
        missingKinds: analysis.missingKinds as RecipeKindName[] | null,
      };
    },
  );
};

export default recipeRoutes;
