/**
 * Diagnostics: what the lexer, parser and checker tell a person about a recipe, and the one
 * registry of diagnostic codes (documented as a table in recipes/README.md).
 */

/** How serious a diagnostic is. Errors stop a recipe from running; warnings and infos do not. */
export type Severity = "error" | "warning" | "info";

/**
 * A position range in the recipe source. Lines and columns are 1-based; `endColumn` is the column
 * just after the last character (the convention of Monaco markers), so a one-character token at
 * column 5 spans columns 5 to 6.
 */
export interface Span {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** One message about a recipe, ready for an editor marker. */
export interface Diagnostic extends Span {
  /** A sentence a person understands. */
  readonly message: string;
  readonly severity: Severity;
  /** Stable machine-readable code from {@link DIAGNOSTIC_CODES}. */
  readonly code: DiagnosticCode;
  /** A replacement text for the span, when there is an obvious fix (the editor offers it as a quick fix). */
  readonly suggestion?: string;
}

/** The registry of diagnostic codes: default severity and what each means. */
export const DIAGNOSTIC_CODES = {
  "unexpected-character": { severity: "error", summary: "A character the language does not use." },
  "unterminated-string": { severity: "error", summary: "A string without its closing quote." },
  "syntax-error": { severity: "error", summary: "The text does not follow the grammar." },
  "reserved-word": { severity: "error", summary: "A keyword used as a name." },
  "missing-from": { severity: "error", summary: "The recipe does not say which dataset it reads." },
  "duplicate-from": { severity: "error", summary: "More than one `from` line." },
  "no-statistics": { severity: "error", summary: "The recipe asks for no statistic." },
  "unknown-statistic": { severity: "error", summary: "A statistic name the catalogue does not know." },
  "wrong-arguments": { severity: "error", summary: "Arguments that match none of the statistic's forms." },
  "unknown-field": { severity: "error", summary: "A field name the dataset does not measure." },
  "mixed-fields": { severity: "warning", summary: "Two different field names in one recipe." },
  "unknown-param": { severity: "error", summary: "A name in value position that is no declared parameter." },
  "duplicate-param": { severity: "error", summary: "A parameter declared twice." },
  "unused-param": { severity: "warning", summary: "A parameter the recipe never uses." },
  "param-shadows-field": { severity: "error", summary: "A parameter named like the dataset's field." },
  "unknown-override": { severity: "error", summary: "A parameter value given for a parameter the recipe does not declare." },
  "invalid-override": { severity: "error", summary: "A parameter value that is not a decimal number." },
  "unsupported-comparison": { severity: "error", summary: "A comparison the contract cannot evaluate (e.g. !=)." },
  "field-on-both-sides": { severity: "error", summary: "A comparison of the field with itself." },
  "constant-comparison": { severity: "error", summary: "A comparison without the field." },
  "between-reversed": { severity: "error", summary: "`between a and b` with a greater than b." },
  "where-field-mismatch": { severity: "error", summary: "`x where …` on something other than the field." },
  "bounds-not-increasing": { severity: "error", summary: "Histogram bounds not strictly increasing." },
  "bounds-count": { severity: "error", summary: "A histogram with no bounds or more than 8." },
  "unknown-window-unit": { severity: "error", summary: "A window unit the language does not know." },
  "invalid-window": { severity: "error", summary: "A window of zero length or a fractional reading count." },
  "invalid-date": { severity: "error", summary: "A date or time that does not exist." },
  "empty-date-range": { severity: "error", summary: "A date range whose end is not after its start." },
  "too-precise": { severity: "error", summary: "A number with more decimals than the dataset's scale." },
  "below-range": { severity: "error", summary: "A number below the lowest value the dataset can hold (its offset)." },
  "above-range": { severity: "error", summary: "A number above the highest value the dataset can hold." },
  "too-many-ops": { severity: "error", summary: "A recipe needing more than 8 contract operations." },
  "too-expensive": { severity: "error", summary: "A recipe whose operations do not fit one transaction even for one reading." },
  "kind-not-approved": { severity: "error", summary: "A statistic whose recipe kind the seller has not approved." },
  "duplicate-label": { severity: "warning", summary: "Two statistics with the same label." },
  "invalid-epsilon": { severity: "error", summary: "A privacy ε that is not a number from 0.001 to 5 with at most 3 decimals." },
  "duplicate-privacy": { severity: "error", summary: "More than one recipe-wide `privacy` line." },
  "epsilon-not-offered": { severity: "error", summary: "A privacy ε on an exact dataset, whose results carry no noise." },
  "epsilon-out-of-bounds": { severity: "error", summary: "A privacy ε outside the seller's bounds for one statistic." },
  "epsilon-not-spent": { severity: "warning", summary: "A privacy ε on count(), which is public and spends none." },
  "kind-not-private": { severity: "error", summary: "A statistic a private dataset does not offer (min, max, range, alert)." },
} as const satisfies Record<string, { severity: Severity; summary: string }>;

/** A diagnostic code. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** Builds a diagnostic with the code's default severity unless one is given. */
export function diagnostic(
  code: DiagnosticCode,
  span: Span,
  message: string,
  extra: { severity?: Severity; suggestion?: string } = {},
): Diagnostic {
  const d: Diagnostic = {
    line: span.line,
    column: span.column,
    endLine: span.endLine,
    endColumn: span.endColumn,
    message,
    severity: extra.severity ?? DIAGNOSTIC_CODES[code].severity,
    code,
  };
  return extra.suggestion === undefined ? d : { ...d, suggestion: extra.suggestion };
}

/** True when at least one diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Sorts diagnostics by position (stable for equal positions), as editors list them. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Damerau–Levenshtein distance (optimal string alignment): insertions, deletions, substitutions, swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The closest candidate to a misspelt word, if it is close enough to be a plausible typo:
 * at most one edit for words up to 4 letters, two for longer ones (case differences are free).
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = lower.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
