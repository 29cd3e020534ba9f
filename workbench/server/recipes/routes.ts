import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { z } from "zod";
import { requireDataset } from "../datasets/service";
import { createError } from "../errors";
import type { RecipeKindName } from "../shared/recipe-kinds";
import { COMMON_ERRORS, errorResponses } from "../shared/schemas";
import { recipeDatasetOf } from "./recipe-dataset";
import { Diagnostics, DiagnosticsBody } from "./schemas";

/**
 * What one anonymous check may cost. Checking is synchronous work on the service's event loop, about
 * linear in the source's length (the worst text, deeply nested unclosed calls: bench:recipes'
 * `worstCheck`, a row of BENCHMARKS.md), so an anonymous client gets at most {@link ANONYMOUS_CHECK_LIMITS.sourceLength}
 * characters (the longest built-in template is under 400) and {@link ANONYMOUS_CHECK_LIMITS.perMinute}
 * checks a minute from one address. Signed-in users check up to a notebook cell's length under the
 * API's general limit. The notebook itself checks in the browser and never calls this route.
 */
export const ANONYMOUS_CHECK_LIMITS = { sourceLength: 4_096, perMinute: 30 } as const;

/** The recipe language's authoritative checker over HTTP. Mounted at /api/recipes. */
const recipeRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config } = app;
  app.post(
    "/diagnostics",
    {
      onRequest: app.identifyUser,
      // Runs after identifyUser (the rate limiter appends its hook), so it knows who asks.
      config: {
        rateLimit: config.rateLimit.enabled
          ? {
              max: (request) => (request.user ? config.rateLimit.max : ANONYMOUS_CHECK_LIMITS.perMinute),
              timeWindow: 60_000,
              keyGenerator: (request) => (request.user ? `user:${request.user.address}` : `ip:${request.ip}`),
            }
          : false,
      },
      schema: {
        tags: ["recipes"],
        summary: "Check a recipe",
        description:
          "Diagnostics (line, column, endLine, endColumn, message, severity, code) of a recipe with parameter values, " +
          "against a dataset when `datasetId` is given (its field, encoding and the seller's approvals), and the recipe types it needs. " +
          `Anonymously: sources of at most ${ANONYMOUS_CHECK_LIMITS.sourceLength} characters (413 beyond), ` +
          `${ANONYMOUS_CHECK_LIMITS.perMinute} checks a minute per address (429 beyond).`,
        body: DiagnosticsBody,
        response: { 200: Diagnostics, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request): Promise<z.output<typeof Diagnostics>> => {
      const { source, datasetId, params } = request.body;
      if (!request.user && source.length > ANONYMOUS_CHECK_LIMITS.sourceLength) {
        throw createError("ERR_RECIPE_SOURCE_TOO_LONG", { params: { max: ANONYMOUS_CHECK_LIMITS.sourceLength } });
      }
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
