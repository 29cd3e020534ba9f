/**
 * Forking a recipe (usually a template): a new source with other parameter defaults, another
 * field name or another dataset, edited in place by the syntax tree's spans so that comments and
 * layout survive, then formatted.
 */
import type { ArgumentNode, ConditionNode, Operand, RecipeAst } from "./ast";
import { check, type ParamOverrides } from "./checker";
import { FIELD_ALIAS } from "./catalogue";
import { canonicalDecimal } from "./decimal";
import { diagnostic, type Diagnostic, type Span } from "./diagnostics";
import { format } from "./formatter";
import { printString } from "./printer";

/** Input of {@link forkRecipe}. */
export interface ForkOptions {
  readonly source: string;
  /** New default values of declared parameters. */
  readonly params?: ParamOverrides;
  /** Rename the field the recipe uses (e.g. a template's `temperature` to a dataset's `temp_c`). */
  readonly field?: string;
  /** The dataset the fork reads (name or id), replacing the one in `from "…"`. */
  readonly dataset?: string;
}

/** The forked source, or what prevents the fork. */
export type ForkResult = { readonly ok: true; readonly source: string } | { readonly ok: false; readonly diagnostics: Diagnostic[] };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Forks a recipe. The original must check without errors (warnings are fine). */
export function forkRecipe({ source, params = {}, field, dataset }: ForkOptions): ForkResult {
  const checked = check({ source, params });
  if (!checked.ok) return { ok: false, diagnostics: checked.diagnostics };
  const { ast, ir } = checked;
  const edits: { span: Span; text: string }[] = [];

  for (const [name, value] of Object.entries(params)) {
    const statement = ast.statements.find((s) => s.type === "param" && s.name.name === name);
    if (statement?.type === "param") edits.push({ span: statement.value.span, text: canonicalDecimal(String(value).trim())! });
  }
  if (dataset !== undefined) {
    const from = ast.statements.find((s) => s.type === "from");
    if (from?.type === "from") edits.push({ span: from.dataset.span, text: printString(dataset) });
  }
  if (field !== undefined && field !== ir.field) {
    if (!NAME.test(field) || ir.params.some((p) => p.name === field)) {
      const at = ast.statements[0]?.span ?? { line: 1, column: 1, endLine: 1, endColumn: 1 };
      return { ok: false, diagnostics: [diagnostic("unknown-field", at, `'${field}' cannot be the field name of this recipe`)] };
    }
    for (const operand of fieldOperands(ast, ir.field)) edits.push({ span: operand.span, text: operand.negative ? `-${field}` : field });
  }

  const formatted = format(applyEdits(source, edits));
  if (!formatted.ok) return { ok: false, diagnostics: formatted.diagnostics };
  return { ok: true, source: formatted.text };
}

/** Every operand naming the field (not the `value` alias, which fits every dataset). */
function fieldOperands(ast: RecipeAst, field: string): Extract<Operand, { type: "name" }>[] {
  const out: Extract<Operand, { type: "name" }>[] = [];
  const operand = (o: Operand) => {
    if (o.type === "name" && o.name === field && o.name !== FIELD_ALIAS) out.push(o);
  };
  const condition = (c: ConditionNode) => (c.type === "between" ? [c.subject, c.low, c.high] : [c.left, c.right]).forEach(operand);
  const visit = (arg: ArgumentNode): void => {
    if (arg.type === "number" || arg.type === "name") operand(arg);
    else if (arg.type === "comparison" || arg.type === "between") condition(arg);
    else if (arg.type === "where") {
      visit(arg.subject);
      condition(arg.condition);
    } else arg.items.forEach(operand);
  };
  for (const statement of ast.statements) if (statement.type === "statistic") statement.args.forEach(visit);
  return out;
}

/** Applies non-overlapping replacements given by 1-based spans. */
function applyEdits(source: string, edits: readonly { span: Span; text: string }[]): string {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") lineStarts.push(i + 1);
  const offset = (line: number, column: number) => lineStarts[line - 1] + column - 1;
  const sorted = edits
    .map((e) => ({ start: offset(e.span.line, e.span.column), end: offset(e.span.endLine, e.span.endColumn), text: e.text }))
    .sort((a, b) => b.start - a.start);
  let out = source;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
