/**
 * A cell's problems list (the "1 error" badge opens it, as VS Code's Problems panel): one row per
 * diagnostic, in the order of the text, as a sentence, with the quick fix when the checker has one.
 */
import type { Diagnostic } from "../lib/recipes";
import { sentence } from "../lib/sentence";

/** One row of the list. */
export interface ProblemRow {
  readonly diagnostic: Diagnostic;
  readonly severity: Diagnostic["severity"];
  /** "Line 2, column 1". */
  readonly where: string;
  readonly message: string;
  /** The quick fix's title ("Change to 'mean'"), when there is one. */
  readonly fix?: string;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** The rows of a cell's diagnostics: by position; errors before warnings on the same spot. */
export function problemRows(diagnostics: readonly Diagnostic[]): ProblemRow[] {
  return [...diagnostics]
    .sort((a, b) => a.line - b.line || a.column - b.column || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity])
    .map((d) => ({
      diagnostic: d,
      severity: d.severity,
      where: `Line ${d.line}, column ${d.column}`,
      message: sentence(d.message),
      ...(d.suggestion !== undefined ? { fix: `Change to '${d.suggestion}'` } : {}),
    }));
}

/**
 * The diagnostics worth showing for a recipe's text: none for a blank cell, which is not wrong yet
 * (a new cell would otherwise greet the user with "2 errors" under its placeholder).
 */
export function visibleDiagnostics<D extends Diagnostic>(source: string, diagnostics: D[]): D[] {
  return source.trim() === "" ? [] : diagnostics;
}
