/**
 * The syntax tree of a recipe, as the parser builds it: every node keeps its source span so that
 * the checker can point at it and the formatter can reprint it. Nothing here is checked yet
 * (a name may be unknown, a number out of range); the checker turns it into the typed IR.
 */
import type { Span } from "./diagnostics";

/** A name as written, with its span. */
export interface Identifier {
  readonly name: string;
  readonly span: Span;
}

/** A string literal: its value (escapes resolved) and its text. */
export interface StringNode {
  readonly value: string;
  readonly raw: string;
  readonly span: Span;
}

/** A number literal, possibly negative; `text` is as written without spaces (`-12.50`). */
export interface NumberNode {
  readonly type: "number";
  readonly text: string;
  readonly span: Span;
}

/** A name in value or field position (a parameter, the dataset's field), possibly negated. */
export interface NameNode {
  readonly type: "name";
  readonly name: string;
  readonly negative: boolean;
  readonly span: Span;
}

/** A number or a name. */
export type Operand = NumberNode | NameNode;

/** Comparison operators as written in canonical form. */
export type ComparisonSymbol = ">" | ">=" | "<" | "<=" | "==" | "!=";

/** `left <op> right`, e.g. `temperature > hot`. */
export interface ComparisonNode {
  readonly type: "comparison";
  readonly left: Operand;
  readonly operator: ComparisonSymbol;
  readonly operatorSpan: Span;
  readonly right: Operand;
  readonly span: Span;
}

/** `subject between low and high` (inclusive). */
export interface BetweenNode {
  readonly type: "between";
  readonly subject: Operand;
  readonly low: Operand;
  readonly high: Operand;
  readonly span: Span;
}

/** A condition on the field. */
export type ConditionNode = ComparisonNode | BetweenNode;

/** `subject where condition`, e.g. `temperature where temperature > 30`. */
export interface WhereNode {
  readonly type: "where";
  readonly subject: Operand | ConditionNode;
  readonly condition: ConditionNode;
  readonly span: Span;
}

/** `[a, b, c]`. */
export interface ListNode {
  readonly type: "list";
  readonly items: readonly Operand[];
  readonly span: Span;
}

/** An argument of a statistic call. */
export type ArgumentNode = Operand | ConditionNode | WhereNode | ListNode;

/** `param name = 30.0 "description"`. */
export interface ParamStatement {
  readonly type: "param";
  readonly name: Identifier;
  readonly value: NumberNode;
  readonly description?: StringNode;
  readonly span: Span;
}

/** A date literal as written. */
export interface DateNode {
  readonly text: string;
  readonly span: Span;
}

/** The window of a `from` line. */
export type WindowNode =
  | { readonly type: "last"; readonly amount: NumberNode; readonly unit: Identifier; readonly span: Span }
  | { readonly type: "range"; readonly from: DateNode; readonly to: DateNode; readonly span: Span }
  | { readonly type: "sinceLastReport"; readonly span: Span }
  | { readonly type: "all"; readonly span: Span };

/** `from "dataset" window …`. */
export interface FromStatement {
  readonly type: "from";
  readonly dataset: StringNode;
  readonly window?: WindowNode;
  readonly span: Span;
}

/** `privacy 0.5`: the ε a statistic spends (after its call), or the recipe's default (a line of its own). */
export interface PrivacyNode {
  /** A number or a parameter name. */
  readonly epsilon: Operand;
  /** From the keyword to the value. */
  readonly span: Span;
}

/** `privacy 0.5` on a line of its own: the ε of every statistic that names none. */
export interface PrivacyStatement extends PrivacyNode {
  readonly type: "privacy";
}

/** `name(arguments) privacy 0.5 as "label"`. */
export interface StatisticStatement {
  readonly type: "statistic";
  readonly name: Identifier;
  readonly args: readonly ArgumentNode[];
  /** The ε this statistic spends on a private dataset, when written. */
  readonly privacy?: PrivacyNode;
  readonly label?: StringNode;
  /** From the name to the closing parenthesis (the span without the label). */
  readonly callSpan: Span;
  readonly span: Span;
}

/** A statement of a recipe. */
export type Statement = ParamStatement | FromStatement | PrivacyStatement | StatisticStatement;

/** A `#` comment; `text` includes the `#`. */
export interface CommentNode {
  readonly text: string;
  readonly span: Span;
}

/** A parsed recipe. Statements with syntax errors are left out (the errors are reported). */
export interface RecipeAst {
  readonly statements: readonly Statement[];
  readonly comments: readonly CommentNode[];
}

/** The smallest span covering both spans. */
export function joinSpans(a: Span, b: Span): Span {
  const startFirst = a.line < b.line || (a.line === b.line && a.column <= b.column);
  const endLast = a.endLine > b.endLine || (a.endLine === b.endLine && a.endColumn >= b.endColumn);
  return {
    line: startFirst ? a.line : b.line,
    column: startFirst ? a.column : b.column,
    endLine: endLast ? a.endLine : b.endLine,
    endColumn: endLast ? a.endColumn : b.endColumn,
  };
}
