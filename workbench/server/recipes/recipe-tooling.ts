/**
 * The narrow seam between the workbench and the recipe language (recipes/): the service needs to
 * check a recipe, read its parameter declarations, and fork it with other parameter values; nothing
 * more. recipes-package.ts adapts the recipes/ package; tests may inject another implementation.
 */

/** A 1-based position range in a recipe's source (columns in UTF-16 code units, end exclusive). */
export interface SourceSpan {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** One message about a recipe, as editors show it. */
export interface RecipeDiagnostic extends SourceSpan {
  message: string;
  severity: "error" | "warning" | "info";
  /** The recipes/ package's diagnostic code, e.g. `unknown-statistic`, `unknown-override`. */
  code: string;
}

/** A `param name = default "description"` declaration of a recipe. */
export interface RecipeParamDeclaration {
  name: string;
  /** The default value, a canonical decimal (`30.0` is `30`). */
  default: string;
  description?: string;
}

/** The outcome of checking a recipe: `ok` when it has no error (warnings may remain). */
export interface RecipeCheck {
  ok: boolean;
  diagnostics: RecipeDiagnostic[];
  params: RecipeParamDeclaration[];
}

/** A forked recipe, or the diagnostics that prevent the fork. */
export type RecipeFork = { ok: true; source: string } | { ok: false; diagnostics: RecipeDiagnostic[] };

/** What the workbench needs from the recipe language. */
export interface RecipeTooling {
  /** Checks a recipe without a dataset (grammar, names, statistics, windows, parameters). */
  check(source: string): RecipeCheck;
  /**
   * The recipe with `params` written over the defaults of its declared parameters and, when given,
   * reading `dataset` (a dataset id or name) in its `from` line. Fails with the checker's diagnostics
   * (`unknown-override`, `invalid-override`, or any error of the recipe).
   */
  fork(input: { source: string; params: Readonly<Record<string, string>>; dataset?: string }): RecipeFork;
}

/** Diagnostic codes that blame the parameter values given to a fork rather than the recipe. */
export const OVERRIDE_DIAGNOSTICS: ReadonlySet<string> = new Set(["unknown-override", "invalid-override"]);
