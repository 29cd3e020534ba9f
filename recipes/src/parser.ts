/**
 * The recipe parser: a chevrotain CstParser with error recovery (so that the editor shows several
 * syntax errors at once), error messages written for people, and a builder from the concrete
 * syntax tree to the {@link RecipeAst}.
 *
 * Grammar (statements end at a line break; see lexer.ts for line joining inside brackets):
 *
 *     recipe      := (statement? NEWLINE)*
 *     statement   := paramDecl | fromDecl | privacyDecl | statistic
 *     paramDecl   := "param" NAME "=" "-"? NUMBER STRING?
 *     privacyDecl := "privacy" operand
 *     fromDecl    := "from" STRING ("window" window)?
 *     window      := "last" NUMBER NAME | "from" DATE "to" DATE | "since" "last" "report" | "all"
 *     statistic   := NAME "(" (argument ("," argument)*)? ")" ("privacy" operand)? ("as" STRING)?
 *     argument    := list | operand comparison? ("where" operand comparison)?
 *     comparison  := COMPARE operand | "between" operand "and" operand
 *     list        := "[" (operand ("," operand)*)? "]"
 *     operand     := "-"? (NUMBER | NAME)
 */
import {
  CstParser,
  EOF,
  type CstElement,
  type CstNode,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from "chevrotain";
import type {
  ArgumentNode,
  ComparisonSymbol,
  ConditionNode,
  NumberNode,
  Operand,
  PrivacyNode,
  RecipeAst,
  Statement,
  StringNode,
  WindowNode,
} from "./ast";
import { joinSpans } from "./ast";
import { closest, diagnostic, type Diagnostic, type Span } from "./diagnostics";
import {
  ALL_TOKENS,
  Comma,
  Comparison,
  DateTime,
  EqualEqual,
  Equals,
  Greater,
  GreaterEqual,
  Identifier,
  Keywords,
  LBracket,
  Less,
  LessEqual,
  LParen,
  Minus,
  Newline,
  NotEqual,
  NumberLiteral,
  RBracket,
  RParen,
  StringLiteral,
  lex,
  tokenSpan,
} from "./lexer";

/** What each rule is, in words, for error messages. */
const RULE_DESCRIPTIONS: Record<string, string> = {
  recipe: "a statement",
  statement: "a statement — param, from, or a statistic such as mean(temperature)",
  paramDecl: "a parameter declaration: param name = 30.0 \"description\"",
  fromDecl: "a dataset: from \"dataset-name\" window last 24h",
  privacyDecl: "a privacy line: privacy 0.5 (the ε each statistic spends on a private dataset)",
  windowSpec: "a window: last 24h, last 500 readings, from 2026-11-01 to 2026-11-02, since last report, or all",
  statistic: "a statistic call such as mean(temperature)",
  argument: "an argument: the field, a condition such as temperature > 30, or a list [0, 10, 20]",
  list: "a list of numbers such as [0, 10, 20]",
  expression: "an argument",
  comparisonTail: "a comparison: > 30, >= 30, < 30, <= 30, == 30 or between 18 and 24",
  condition: "a condition such as temperature > 30",
  operand: "a number or a parameter name",
  signedNumber: "a number",
};

function describeToken(token: IToken | undefined): string {
  if (!token || token.tokenType === EOF) return "the end of the recipe";
  if (token.tokenType === Newline) return "the end of the line";
  return `'${token.image}'`;
}

function labelOf(type: TokenType): string {
  return type.LABEL ?? type.name;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    if (actual.tokenType === Keywords.and && ruleName !== "comparisonTail") {
      return "conditions cannot be combined with 'and'; for a range write 'temperature between 18 and 24'";
    }
    if (expected === Newline) {
      return `unexpected ${describeToken(actual)}: each statement goes on its own line`;
    }
    if (expected === RParen && ruleName === "statistic") {
      return `expected ',' or ')' to close the call, found ${describeToken(actual)}`;
    }
    if (expected === RBracket) return `expected ',' or ']' to close the list, found ${describeToken(actual)}`;
    if (ruleName === "signedNumber") {
      return `expected the parameter's default value, a number such as 30.0, found ${describeToken(actual)}`;
    }
    if (expected === Identifier && actual.tokenType.name.startsWith("Kw")) {
      return `'${actual.image}' is a reserved word and cannot be used as a name`;
    }
    return `expected ${labelOf(expected)} in ${RULE_DESCRIPTIONS[ruleName] ?? ruleName}, found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ actual, ruleName }) {
    const found = describeToken(actual[0]);
    return `expected ${RULE_DESCRIPTIONS[ruleName] ?? ruleName}, found ${found}`;
  },
  buildEarlyExitMessage({ actual, ruleName }) {
    return `expected ${RULE_DESCRIPTIONS[ruleName] ?? ruleName}, found ${describeToken(actual[0])}`;
  },
};

class RecipeParser extends CstParser {
  constructor() {
    super([...ALL_TOKENS], { recoveryEnabled: true, nodeLocationTracking: "full", errorMessageProvider: messages });
    this.performSelfAnalysis();
  }

  public recipe = this.RULE("recipe", () => {
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(Newline) }, { ALT: () => this.SUBRULE(this.statement) }]);
    });
  });

  private statement = this.RULE("statement", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.paramDecl) },
      { ALT: () => this.SUBRULE(this.fromDecl) },
      { ALT: () => this.SUBRULE(this.privacyDecl) },
      { ALT: () => this.SUBRULE(this.statistic) },
    ]);
    this.CONSUME(Newline);
  });

  private paramDecl = this.RULE("paramDecl", () => {
    this.CONSUME(Keywords.param);
    this.CONSUME(Identifier);
    this.CONSUME(Equals);
    this.SUBRULE(this.signedNumber);
    this.OPTION(() => this.CONSUME(StringLiteral));
  });

  private privacyDecl = this.RULE("privacyDecl", () => {
    this.CONSUME(Keywords.privacy);
    this.SUBRULE(this.operand);
  });

  private fromDecl = this.RULE("fromDecl", () => {
    this.CONSUME(Keywords.from);
    this.CONSUME(StringLiteral);
    this.OPTION(() => {
      this.CONSUME(Keywords.window);
      this.SUBRULE(this.windowSpec);
    });
  });

  private windowSpec = this.RULE("windowSpec", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(Keywords.last);
          this.CONSUME(NumberLiteral);
          this.CONSUME(Identifier);
        },
      },
      {
        ALT: () => {
          this.CONSUME(Keywords.from);
          this.CONSUME(DateTime);
          this.CONSUME(Keywords.to);
          this.CONSUME2(DateTime);
        },
      },
      {
        ALT: () => {
          this.CONSUME(Keywords.since);
          this.CONSUME2(Keywords.last);
          this.CONSUME(Keywords.report);
        },
      },
      { ALT: () => this.CONSUME(Keywords.all) },
    ]);
  });

  private statistic = this.RULE("statistic", () => {
    this.CONSUME(Identifier);
    this.CONSUME(LParen);
    this.OPTION(() => {
      this.SUBRULE(this.argument);
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.argument);
      });
    });
    this.CONSUME(RParen);
    this.OPTION3(() => {
      this.CONSUME(Keywords.privacy);
      this.SUBRULE3(this.operand);
    });
    this.OPTION2(() => {
      this.CONSUME(Keywords.as);
      this.CONSUME(StringLiteral);
    });
  });

  private argument = this.RULE("argument", () => {
    this.OR([{ ALT: () => this.SUBRULE(this.list) }, { ALT: () => this.SUBRULE(this.expression) }]);
  });

  private list = this.RULE("list", () => {
    this.CONSUME(LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.operand);
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.operand);
      });
    });
    this.CONSUME(RBracket);
  });

  private expression = this.RULE("expression", () => {
    this.SUBRULE(this.operand);
    this.OPTION(() => this.SUBRULE(this.comparisonTail));
    this.OPTION2(() => {
      this.CONSUME(Keywords.where);
      this.SUBRULE(this.condition);
    });
  });

  private condition = this.RULE("condition", () => {
    this.SUBRULE(this.operand);
    this.SUBRULE(this.comparisonTail);
  });

  private comparisonTail = this.RULE("comparisonTail", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(Comparison);
          this.SUBRULE(this.operand);
        },
      },
      {
        ALT: () => {
          this.CONSUME(Keywords.between);
          this.SUBRULE2(this.operand);
          this.CONSUME(Keywords.and);
          this.SUBRULE3(this.operand);
        },
      },
    ]);
  });

  private operand = this.RULE("operand", () => {
    this.OPTION(() => this.CONSUME(Minus));
    this.OR([{ ALT: () => this.CONSUME(NumberLiteral) }, { ALT: () => this.CONSUME(Identifier) }]);
  });

  private signedNumber = this.RULE("signedNumber", () => {
    this.OPTION(() => this.CONSUME(Minus));
    this.CONSUME(NumberLiteral);
  });
}

// Building a chevrotain parser runs a grammar analysis (milliseconds); do it once per process.
let parserInstance: RecipeParser | undefined;
function parser(): RecipeParser {
  parserInstance ??= new RecipeParser();
  return parserInstance;
}

/** The result of parsing a recipe. */
export interface ParseResult {
  readonly ast: RecipeAst;
  /** Lexical and syntax errors, in source order. */
  readonly diagnostics: Diagnostic[];
}

/** Parses a recipe. Never throws: syntax errors become diagnostics; broken statements are left out of the AST. */
export function parse(source: string): ParseResult {
  const lexed = lex(source);
  const p = parser();
  p.input = lexed.tokens;
  const cst = p.recipe();
  const diagnostics = [...lexed.diagnostics, ...syntaxDiagnostics(p.errors, lexed.tokens)];
  const statements: Statement[] = [];
  for (const node of nodes(cst, "statement")) {
    const statement = buildStatement(node);
    if (statement) statements.push(statement);
  }
  const comments = lexed.comments.map((t) => ({ text: t.image.replace(/\s+$/, ""), span: tokenSpan(t) }));
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ast: { statements, comments }, diagnostics };
}

/**
 * Turns the parser's errors into diagnostics: one per line, because after the first error on a
 * line the recovery's guesses produce follow-up errors that would only confuse.
 */
function syntaxDiagnostics(errors: readonly IRecognitionException[], tokens: readonly IToken[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lines = new Set<number>();
  for (const error of errors) {
    const d = misspeltStatement(error, tokens) ?? misspeltWindow(error) ?? syntaxDiagnostic(error, tokens);
    if (lines.has(d.line)) continue;
    lines.add(d.line);
    out.push(d);
  }
  return out;
}

/** `parm hot = 3`, `form "x"`: a misspelt statement keyword parses as a statistic call and fails at once. */
function misspeltStatement(error: IRecognitionException, tokens: readonly IToken[]): Diagnostic | undefined {
  const index = tokens.indexOf(error.token);
  if (index < 1) return undefined;
  const first = tokens[index - 1];
  const beforeFirst = tokens[index - 2];
  const startsLine = !beforeFirst || beforeFirst.tokenType === Newline;
  if (first.tokenType !== Identifier || !startsLine || error.token.tokenType === LParen) return undefined;
  const keyword = closest(first.image, ["param", "from", "privacy"]);
  if (!keyword) return undefined;
  return diagnostic("syntax-error", tokenSpan(first), `unknown statement '${first.image}' — did you mean '${keyword}'?`, {
    suggestion: keyword,
  });
}

/** `window lst 24h`: suggest the window keyword. */
function misspeltWindow(error: IRecognitionException): Diagnostic | undefined {
  const stack = error.context?.ruleStack ?? [];
  if (stack[stack.length - 1] !== "windowSpec" || error.token.tokenType !== Identifier) return undefined;
  const keyword = closest(error.token.image, ["last", "since", "all", "from"]);
  if (!keyword) return undefined;
  return diagnostic("syntax-error", tokenSpan(error.token), `unknown window '${error.token.image}' — did you mean '${keyword}'?`, {
    suggestion: keyword,
  });
}

function syntaxDiagnostic(error: IRecognitionException, tokens: readonly IToken[]): Diagnostic {
  const token = error.token;
  let span: Span;
  if (token.tokenType === EOF || token.tokenType === Newline || Number.isNaN(token.startOffset)) {
    // Point just after the last real token: that is where something is missing.
    const previous = (error as { previousToken?: IToken }).previousToken ?? lastRealTokenBefore(tokens, token);
    const line = previous?.endLine ?? token.startLine ?? 1;
    const column = (previous?.endColumn ?? 0) + 1;
    span = { line, column, endLine: line, endColumn: column + 1 };
  } else {
    span = tokenSpan(token);
  }
  // The message provider words a keyword in name position; give it its own code for the editor.
  const code = token.tokenType.name.startsWith("Kw") && error.message.endsWith("is a reserved word and cannot be used as a name") ? "reserved-word" : "syntax-error";
  return diagnostic(code, span, error.message);
}

function lastRealTokenBefore(tokens: readonly IToken[], token: IToken): IToken | undefined {
  let previous: IToken | undefined;
  for (const t of tokens) {
    if (t === token) break;
    if (t.tokenType !== Newline) previous = t;
  }
  return previous;
}

// ---- CST → AST -------------------------------------------------------------------------------

function isNode(element: CstElement): element is CstNode {
  return (element as CstNode).children !== undefined;
}

function nodes(node: CstNode, key: string): CstNode[] {
  return (node.children[key] ?? []).filter(isNode);
}

function node(parent: CstNode, key: string, index = 0): CstNode | undefined {
  return nodes(parent, key)[index];
}

/** A token of the node, unless missing or only inserted by error recovery. */
function token(parent: CstNode, type: TokenType, index = 0): IToken | undefined {
  const found = (parent.children[type.name] ?? []).filter((e): e is IToken => !isNode(e))[index];
  return found && !found.isInsertedInRecovery && !Number.isNaN(found.startOffset) ? found : undefined;
}

function spanOf(start: IToken | Span, end: IToken | Span): Span {
  const a = "image" in start ? tokenSpan(start) : start;
  const b = "image" in end ? tokenSpan(end) : end;
  return joinSpans(a, b);
}

function buildStatement(statement: CstNode): Statement | undefined {
  if (statement.recoveredNode) return undefined;
  const param = node(statement, "paramDecl");
  if (param) return buildParam(param);
  const from = node(statement, "fromDecl");
  if (from) return buildFrom(from);
  const privacy = node(statement, "privacyDecl");
  if (privacy) {
    const built = buildPrivacy(privacy);
    return built && { type: "privacy", ...built };
  }
  const statistic = node(statement, "statistic");
  return statistic && buildStatistic(statistic);
}

function buildString(t: IToken): StringNode {
  const closed = t.image.length >= 2 && t.image.endsWith('"') && !t.image.endsWith('\\"');
  const inner = t.image.slice(1, closed ? -1 : undefined);
  return { value: inner.replace(/\\(.)/g, "$1"), raw: t.image, span: tokenSpan(t) };
}

function buildParam(n: CstNode): Statement | undefined {
  const keyword = token(n, Keywords.param);
  const name = token(n, Identifier);
  const valueNode = node(n, "signedNumber");
  const value = valueNode && buildSignedNumber(valueNode);
  if (!keyword || !name || !value) return undefined;
  const description = token(n, StringLiteral);
  return {
    type: "param",
    name: { name: name.image, span: tokenSpan(name) },
    value,
    ...(description ? { description: buildString(description) } : {}),
    span: spanOf(keyword, description ?? value.span),
  };
}

function buildSignedNumber(n: CstNode): NumberNode | undefined {
  const minus = token(n, Minus);
  const digits = token(n, NumberLiteral);
  if (!digits) return undefined;
  return {
    type: "number",
    text: `${minus ? "-" : ""}${digits.image}`,
    span: spanOf(minus ?? digits, digits),
  };
}

/** `privacy <operand>`, in a privacy line or after a statistic's call. */
function buildPrivacy(n: CstNode): PrivacyNode | undefined {
  const keyword = token(n, Keywords.privacy);
  const epsilon = buildOperand(node(n, "operand"));
  if (!keyword || !epsilon) return undefined;
  return { epsilon, span: spanOf(keyword, epsilon.span) };
}

function buildFrom(n: CstNode): Statement | undefined {
  const keyword = token(n, Keywords.from);
  const dataset = token(n, StringLiteral);
  if (!keyword || !dataset) return undefined;
  const windowKeyword = token(n, Keywords.window);
  const spec = node(n, "windowSpec");
  let window: WindowNode | undefined;
  if (windowKeyword) {
    window = spec && buildWindow(spec);
    if (!window) return undefined;
  }
  return {
    type: "from",
    dataset: buildString(dataset),
    ...(window ? { window } : {}),
    span: spanOf(keyword, window?.span ?? tokenSpan(dataset)),
  };
}

function buildWindow(n: CstNode): WindowNode | undefined {
  const all = token(n, Keywords.all);
  if (all) return { type: "all", span: tokenSpan(all) };
  const since = token(n, Keywords.since);
  if (since) {
    const report = token(n, Keywords.report);
    return report && { type: "sinceLastReport", span: spanOf(since, report) };
  }
  const from = token(n, Keywords.from);
  if (from) {
    const start = token(n, DateTime, 0);
    const end = token(n, DateTime, 1);
    if (!start || !end) return undefined;
    return {
      type: "range",
      from: { text: start.image, span: tokenSpan(start) },
      to: { text: end.image, span: tokenSpan(end) },
      span: spanOf(from, end),
    };
  }
  const last = token(n, Keywords.last);
  const amount = token(n, NumberLiteral);
  const unit = token(n, Identifier);
  if (!last || !amount || !unit) return undefined;
  return {
    type: "last",
    amount: { type: "number", text: amount.image, span: tokenSpan(amount) },
    unit: { name: unit.image, span: tokenSpan(unit) },
    span: spanOf(last, unit),
  };
}

function buildStatistic(n: CstNode): Statement | undefined {
  const name = token(n, Identifier);
  const close = token(n, RParen);
  if (!name || !token(n, LParen) || !close) return undefined;
  const args: ArgumentNode[] = [];
  for (const a of nodes(n, "argument")) {
    const arg = buildArgument(a);
    if (!arg) return undefined;
    args.push(arg);
  }
  const label = token(n, StringLiteral);
  let privacy: PrivacyNode | undefined;
  if (token(n, Keywords.privacy)) {
    privacy = buildPrivacy(n);
    if (!privacy) return undefined;
  }
  return {
    type: "statistic",
    name: { name: name.image, span: tokenSpan(name) },
    args,
    ...(privacy ? { privacy } : {}),
    ...(label ? { label: buildString(label) } : {}),
    callSpan: spanOf(name, close),
    span: spanOf(name, label ?? privacy?.span ?? close),
  };
}

function buildArgument(n: CstNode): ArgumentNode | undefined {
  const list = node(n, "list");
  if (list) {
    const open = token(list, LBracket);
    const close = token(list, RBracket);
    if (!open || !close) return undefined;
    const items: Operand[] = [];
    for (const o of nodes(list, "operand")) {
      const item = buildOperand(o);
      if (!item) return undefined;
      items.push(item);
    }
    return { type: "list", items, span: spanOf(open, close) };
  }
  const expression = node(n, "expression");
  if (!expression) return undefined;
  const operandNode = node(expression, "operand");
  const subject = operandNode && buildOperand(operandNode);
  if (!subject) return undefined;
  const tail = node(expression, "comparisonTail");
  let head: Operand | ConditionNode = subject;
  if (tail) {
    const condition = buildComparison(subject, tail);
    if (!condition) return undefined;
    head = condition;
  }
  if (!token(expression, Keywords.where)) return head;
  const conditionNode = node(expression, "condition");
  const whereSubjectNode = conditionNode && node(conditionNode, "operand");
  const whereTail = conditionNode && node(conditionNode, "comparisonTail");
  const whereSubject = whereSubjectNode && buildOperand(whereSubjectNode);
  const condition = whereSubject && whereTail && buildComparison(whereSubject, whereTail);
  if (!condition) return undefined;
  return { type: "where", subject: head, condition, span: joinSpans(head.span, condition.span) };
}

const SYMBOLS = new Map<TokenType, ComparisonSymbol>([
  [Greater, ">"],
  [GreaterEqual, ">="],
  [Less, "<"],
  [LessEqual, "<="],
  [EqualEqual, "=="],
  [NotEqual, "!="],
]);

function buildComparison(left: Operand, tail: CstNode): ConditionNode | undefined {
  const operands = nodes(tail, "operand").map(buildOperand);
  if (operands.some((o) => !o)) return undefined;
  const [first, second] = operands as Operand[];
  if (token(tail, Keywords.between)) {
    if (!first || !second || !token(tail, Keywords.and)) return undefined;
    return { type: "between", subject: left, low: first, high: second, span: joinSpans(left.span, second.span) };
  }
  const op = token(tail, Comparison);
  const operator = op && SYMBOLS.get(op.tokenType);
  if (!op || !operator || !first) return undefined;
  return {
    type: "comparison",
    left,
    operator,
    operatorSpan: tokenSpan(op),
    right: first,
    span: joinSpans(left.span, first.span),
  };
}

function buildOperand(n: CstNode | undefined): Operand | undefined {
  if (!n) return undefined;
  const minus = token(n, Minus);
  const number = token(n, NumberLiteral);
  if (number) {
    return { type: "number", text: `${minus ? "-" : ""}${number.image}`, span: spanOf(minus ?? number, number) };
  }
  const name = token(n, Identifier);
  if (!name) return undefined;
  return { type: "name", name: name.image, negative: minus !== undefined, span: spanOf(minus ?? name, name) };
}
