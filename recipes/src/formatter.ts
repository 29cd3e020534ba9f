/**
 * The formatter: one canonical layout for a recipe, keeping every comment.
 *
 * - one statement per line, printed canonically (see printer.ts);
 * - a blank line between the parameters, the `from` line and the statistics;
 * - blank lines the author left are kept, at most one in a row; none at the start or the end;
 * - comments stay where they are; a comment inside a statement that spanned several lines moves
 *   to the line above it; a comment after a statement is separated from it by two spaces;
 * - the text ends with one line break.
 *
 * `format(format(x).text).text === format(x).text` for every recipe without syntax errors.
 */
import type { CommentNode, Statement } from "./ast";
import { hasErrors, type Diagnostic } from "./diagnostics";
import { parse } from "./parser";
import { printStatement } from "./printer";

/** The formatted text, or the syntax errors that prevent formatting. */
export type FormatResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly diagnostics: Diagnostic[] };

interface Line {
  readonly text: string;
  /** Source lines the output line comes from (for keeping the author's blank lines). */
  readonly start: number;
  readonly end: number;
  /** A blank line goes before it whatever the source had (a new section begins). */
  readonly section: boolean;
  /** No blank line from the source before it (a comment moved out of the statement below, or that statement). */
  readonly sticky: boolean;
}

/** Formats a recipe. Text with lexical or syntax errors is not formatted (the errors are returned). */
export function format(source: string): FormatResult {
  const { ast, diagnostics } = parse(source);
  if (hasErrors(diagnostics)) return { ok: false, diagnostics };

  const comments = [...ast.comments];
  const lines: Line[] = [];
  let previous: Statement | undefined;
  for (const statement of ast.statements) {
    const { span } = statement;
    const leading = takeWhile(comments, (c) => c.span.line < span.line);
    const inner = takeWhile(comments, (c) => c.span.line < span.endLine || (c.span.line === span.endLine && c.span.column < span.endColumn));
    const trailing = comments[0]?.span.line === span.endLine ? comments.shift() : undefined;
    const section = previous !== undefined && previous.type !== statement.type;
    leading.forEach((c, i) => lines.push(commentLine(c, section && i === 0, false)));
    inner.forEach((c, i) => {
      // The first moved comment takes the statement's place (and its blank line, if any).
      const first = i === 0 && leading.length === 0;
      lines.push({ ...commentLine(c, section && first, !first), start: span.line, end: span.line });
    });
    lines.push({
      text: printStatement(statement) + (trailing ? `  ${trailing.text}` : ""),
      start: span.line,
      end: span.endLine,
      section: section && leading.length === 0 && inner.length === 0,
      sticky: inner.length > 0,
    });
    previous = statement;
  }
  for (const c of comments) lines.push(commentLine(c, false, false));

  const out: string[] = [];
  lines.forEach((line, i) => {
    const before = lines[i - 1];
    if (before && (line.section || (!line.sticky && line.start - before.end > 1))) out.push("");
    out.push(line.text);
  });
  return { ok: true, text: out.length > 0 ? `${out.join("\n")}\n` : "" };
}

function commentLine(comment: CommentNode, section: boolean, sticky: boolean): Line {
  return { text: comment.text, start: comment.span.line, end: comment.span.line, section, sticky };
}

/** Removes and returns the leading elements of `items` that satisfy the test. */
function takeWhile<T>(items: T[], test: (item: T) => boolean): T[] {
  let n = 0;
  while (n < items.length && test(items[n])) n++;
  return items.splice(0, n);
}
