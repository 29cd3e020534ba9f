/**
 * What the recipe checker worker is asked and answers. {@link checkRecipe} is the worker's whole
 * job — the shared checker of recipes/src (the same one the service runs) — kept here, outside the
 * worker file, so that it is tested without a worker.
 */
import { check, requiredKinds, type DatasetContext, type Diagnostic, type ParamOverrides, type RecipeKindName } from "../lib/recipes";

/** A check request; `key` is the editor it comes from (one stream of requests per editor). */
export interface CheckRequest {
  id: number;
  key: string;
  source: string;
  dataset?: DatasetContext;
  params?: ParamOverrides;
}

/** The answer to a request. */
export interface CheckResponse {
  id: number;
  key: string;
  ok: boolean;
  diagnostics: Diagnostic[];
  /** The recipe kinds the recipe needs (when it checks). */
  requiredKinds: RecipeKindName[];
  /** The dataset the `from` line names, as written. */
  datasetReference?: string;
  /** Its parameters with the values used. */
  params: { name: string; value: string; default: string; description?: string }[];
}

/** Checks one recipe. Never throws: a checker failure becomes one diagnostic. */
export function checkRecipe(request: CheckRequest): CheckResponse {
  const base = { id: request.id, key: request.key };
  try {
    const result = check({ source: request.source, dataset: request.dataset, params: request.params });
    const from = result.ast.statements.find((s) => s.type === "from");
    const datasetReference = from?.type === "from" ? from.dataset.value : undefined;
    if (!result.ok) return { ...base, ok: false, diagnostics: result.diagnostics, requiredKinds: [], params: [], ...(datasetReference ? { datasetReference } : {}) };
    return {
      ...base,
      ok: true,
      diagnostics: result.diagnostics,
      requiredKinds: requiredKinds(result.ir),
      params: result.ir.params,
      ...(datasetReference ? { datasetReference } : {}),
    };
  } catch (error) {
    return {
      ...base,
      ok: false,
      requiredKinds: [],
      params: [],
      diagnostics: [
        {
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 2,
          severity: "error",
          code: "syntax-error",
          message: `the checker failed on this recipe: ${error instanceof Error ? error.message : String(error)}`,
        },
      ],
    };
  }
}

/**
 * The requests a worker should still answer: per key, only the newest of those waiting. Requests
 * that a newer one of the same editor overtook are dropped unanswered (the client ignores them too).
 */
export function latestPerKey(queue: readonly CheckRequest[]): CheckRequest[] {
  const newest = new Map<string, CheckRequest>();
  for (const request of queue) {
    const current = newest.get(request.key);
    if (!current || request.id > current.id) newest.set(request.key, request);
  }
  return [...newest.values()];
}
