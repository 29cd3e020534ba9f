import { createError } from "../errors";
import { OVERRIDE_DIAGNOSTICS, type RecipeDiagnostic, type RecipeTooling } from "../recipes/recipe-tooling";
import type { TemplateParam } from "../store/records";

/**
 * The template model: a template is a recipe whose `param name = default "description"` declarations
 * are its parameters. Publishing checks the recipe and reads the parameters from it (one source of
 * truth); forking writes the chosen values over the defaults (through the recipe language's own
 * parameter overrides), so the forked cell is an ordinary, self-contained recipe.
 */

/** Limits of a template's metadata. */
export const TEMPLATE_LIMITS = {
  titleLength: 120,
  descriptionLength: 4000,
  sourceLength: 65_536,
  maxTags: 10,
} as const;

/** A checked template source: line endings normalised, parameters read from it. */
export interface CheckedTemplateSource {
  source: string;
  params: TemplateParam[];
}

/** Checks a recipe for publishing: it must have no error. Line endings are normalised to `\n`. */
export function checkTemplateSource(recipes: RecipeTooling, source: string): CheckedTemplateSource {
  const normalised = source.replace(/\r\n?/g, "\n");
  const result = recipes.check(normalised);
  if (!result.ok) throw recipeInvalid(result.diagnostics);
  return {
    source: normalised,
    params: result.params.map((p) => ({ name: p.name, default: p.default, ...(p.description !== undefined && { description: p.description }) })),
  };
}

/**
 * The template's source with `values` written over its parameters' defaults (parameters without a
 * value keep theirs) and, when given, reading `dataset` under its field name. Values name declared parameters and are
 * decimal numbers (given as numbers or strings); anything else is the caller's mistake (400), while a
 * template that no longer checks is a recipe error (422).
 */
export function forkTemplateSource(
  recipes: RecipeTooling,
  input: { source: string; values: Readonly<Record<string, string | number>>; dataset?: { name: string; field: string } },
): string {
  const { source, values, dataset } = input;
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    const text = typeof value === "number" ? numberText(value) : value;
    if (text === undefined) throw valuesInvalid(`${name} must be a decimal number such as 30 or -12.5`, { param: name });
    params[name] = text;
  }
  const fork = recipes.fork({ source, params, ...(dataset && { dataset: dataset.name, field: dataset.field }) });
  if (fork.ok) return fork.source;
  const blamesValues = fork.diagnostics.filter((d) => OVERRIDE_DIAGNOSTICS.has(d.code));
  if (blamesValues.length > 0) {
    throw valuesInvalid(blamesValues.map((d) => d.message).join("; "), { diagnostics: blamesValues });
  }
  throw recipeInvalid(fork.diagnostics);
}

/** The error of a recipe that does not check, with its diagnostics. */
export function recipeInvalid(diagnostics: RecipeDiagnostic[]) {
  const errors = diagnostics.filter((d) => d.severity === "error");
  return createError("ERR_RECIPE_INVALID", { params: { count: errors.length }, details: { diagnostics } });
}

function valuesInvalid(reason: string, details: Record<string, unknown>) {
  return createError("ERR_TEMPLATE_VALUES_INVALID", { params: { reason }, details });
}

/** A number as a plain decimal literal (no exponent), or undefined when it has none. */
function numberText(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = String(value);
  return /e/i.test(text) ? undefined : text;
}
