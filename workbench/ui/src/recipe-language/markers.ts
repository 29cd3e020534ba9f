/**
 * Checker diagnostics as Monaco markers and quick fixes, without importing Monaco (its enums are
 * passed in), so that the mapping is tested in Node.
 */
import type { Diagnostic } from "../lib/recipes";

/** Monaco's MarkerSeverity values. */
export const MARKER_SEVERITY = { Hint: 1, Info: 2, Warning: 4, Error: 8 } as const;

/** The fields of a Monaco IMarkerData we set. */
export interface MarkerData {
  severity: number;
  message: string;
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
  code: string;
  source: string;
}

/** The owner of the markers the recipe checker sets. */
export const MARKER_OWNER = "recipe-checker";

/** Markers of a model; an empty span is widened to one character so that it shows. */
export function toMarkers(diagnostics: readonly Diagnostic[]): MarkerData[] {
  return diagnostics.map((d) => {
    const empty = d.endLine === d.line && d.endColumn <= d.column;
    return {
      severity: d.severity === "error" ? MARKER_SEVERITY.Error : d.severity === "warning" ? MARKER_SEVERITY.Warning : MARKER_SEVERITY.Info,
      message: d.message,
      startLineNumber: d.line,
      startColumn: d.column,
      endLineNumber: d.endLine,
      endColumn: empty ? d.column + 1 : d.endColumn,
      code: d.code,
      source: "recipe",
    };
  });
}

/** A quick fix: replace the diagnostic's span with its suggestion. */
export interface QuickFix {
  title: string;
  range: { startLineNumber: number; startColumn: number; endLineNumber: number; endColumn: number };
  text: string;
  diagnostic: Diagnostic;
}

/** The quick fixes of the diagnostics that touch a range of lines. */
export function quickFixes(diagnostics: readonly Diagnostic[], lines: { start: number; end: number }): QuickFix[] {
  return diagnostics
    .filter((d) => d.suggestion !== undefined && d.line <= lines.end && d.endLine >= lines.start)
    .map((d) => ({
      title: `Change to '${d.suggestion}'`,
      range: { startLineNumber: d.line, startColumn: d.column, endLineNumber: d.endLine, endColumn: d.endColumn },
      text: d.suggestion!,
      diagnostic: d,
    }));
}

/** One line for a cell's status bar: "2 errors, 1 warning" or "". */
export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.filter((d) => d.severity === "warning").length;
  const parts = [errors ? `${errors} error${errors === 1 ? "" : "s"}` : "", warnings ? `${warnings} warning${warnings === 1 ? "" : "s"}` : ""];
  return parts.filter(Boolean).join(", ");
}
