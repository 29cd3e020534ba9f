/**
 * The recipe lexer (chevrotain). Statements end at a line break, except inside brackets:
 * `histogram(temperature, [0, 10,` may continue on the next line, as in Python. Comments run from
 * `#` to the end of the line and are kept on their own channel for the formatter.
 */
import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";
import { KEYWORDS, type Keyword } from "./catalogue";
import { diagnostic, type Diagnostic, type Span } from "./diagnostics";

/** Any name: a statistic, the dataset's field, a parameter, a window unit. */
export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: "a name" });

const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
/** A line break (statement terminator outside brackets). */
export const Newline = createToken({ name: "Newline", pattern: /\n/, line_breaks: true, label: "a line break" });
/** `# …` to the end of the line. */
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: "comments" });

/** A double-quoted string; `\"` and `\\` escape. */
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n]|\\.)*"/, label: "a string" });
/** A string missing its closing quote; parsed as a string, reported by the lexer. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\n]|\\.)*\\?/,
  categories: [StringLiteral],
  label: "a string",
});
/** An ISO 8601 date or date-time: `2026-11-01`, `2026-11-01T08:00`, `2026-11-01T08:00:00+02:00`. */
export const DateTime = createToken({
  name: "DateTime",
  pattern: /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})?)?/,
  label: "a date",
});
/** An unsigned decimal number: `30`, `30.25`. The minus sign is its own token. */
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /\d+(?:\.\d+)?/, label: "a number" });

/** Category of the comparison operators. */
export const Comparison = createToken({ name: "Comparison", pattern: Lexer.NA, label: "a comparison (>, >=, <, <=, ==)" });
export const GreaterEqual = createToken({ name: "GreaterEqual", pattern: />=|≥/, categories: [Comparison], label: "'>='" });
export const LessEqual = createToken({ name: "LessEqual", pattern: /<=|≤/, categories: [Comparison], label: "'<='" });
export const EqualEqual = createToken({ name: "EqualEqual", pattern: /==/, categories: [Comparison], label: "'=='" });
/** `!=` is lexed so that the checker can explain why it is not supported. */
export const NotEqual = createToken({ name: "NotEqual", pattern: /!=|≠/, categories: [Comparison], label: "'!='" });
export const Greater = createToken({ name: "Greater", pattern: />/, categories: [Comparison], label: "'>'" });
export const Less = createToken({ name: "Less", pattern: /</, categories: [Comparison], label: "'<'" });

export const Equals = createToken({ name: "Equals", pattern: /=/, label: "'='" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: /]/, label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });
export const Minus = createToken({ name: "Minus", pattern: /-|−/, label: "'-'" });

function keyword(word: Keyword): TokenType {
  const name = `Kw${word[0].toUpperCase()}${word.slice(1)}`;
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, label: `'${word}'` });
}

/** Keyword tokens, generated from the catalogue's reserved words. */
export const Keywords = Object.fromEntries(KEYWORDS.map((w) => [w, keyword(w)])) as Record<Keyword, TokenType>;

/** Every token type, in the order the lexer tries them. */
export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace,
  Newline,
  Comment,
  StringLiteral,
  UnterminatedString,
  DateTime,
  NumberLiteral,
  Comparison,
  GreaterEqual,
  LessEqual,
  EqualEqual,
  NotEqual,
  Greater,
  Less,
  Equals,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Minus,
  ...KEYWORDS.map((w) => Keywords[w]),
  Identifier,
];

const lexer = new Lexer([...ALL_TOKENS], { positionTracking: "full", ensureOptimizations: false });

/** The result of lexing a recipe. */
export interface LexResult {
  /** Tokens for the parser: line breaks inside brackets removed, always ending with a line break. */
  readonly tokens: IToken[];
  /** Every comment, in source order. */
  readonly comments: IToken[];
  readonly diagnostics: Diagnostic[];
}

/** The span of a token (end column exclusive). */
export function tokenSpan(token: IToken): Span {
  const line = token.startLine ?? 1;
  const column = token.startColumn ?? 1;
  return {
    line,
    column,
    endLine: token.endLine ?? line,
    endColumn: (token.endColumn ?? column - 1) + 1,
  };
}

/** Lexes a recipe. Never throws: unknown characters become diagnostics and are skipped. */
export function lex(source: string): LexResult {
  const result = lexer.tokenize(source);
  const diagnostics: Diagnostic[] = [];
  for (const error of result.errors) {
    const text = source.substr(error.offset, error.length);
    const span: Span = {
      line: error.line ?? 1,
      column: error.column ?? 1,
      endLine: error.line ?? 1,
      endColumn: (error.column ?? 1) + error.length,
    };
    diagnostics.push(diagnostic("unexpected-character", span, unexpectedCharacterMessage(text)));
  }
  for (const token of result.tokens) {
    if (token.tokenType === UnterminatedString) {
      diagnostics.push(
        diagnostic("unterminated-string", tokenSpan(token), "this string is not closed — add a '\"' at its end", {
          suggestion: `${token.image.endsWith("\\") ? token.image.slice(0, -1) : token.image}"`,
        }),
      );
    }
  }
  return { tokens: joinBracketedLines(result.tokens), comments: result.groups.comments ?? [], diagnostics };
}

function unexpectedCharacterMessage(text: string): string {
  if (text.startsWith("'")) return "strings use double quotes: \"like this\"";
  if (text.startsWith(";")) return "statements end at the line break; no ';' is needed";
  if (text.startsWith("&") || text.startsWith("|")) {
    return "conditions cannot be combined with && or ||; use 'between … and …' for a range";
  }
  const plural = [...text].length > 1;
  return `unexpected character${plural ? "s" : ""} '${text}'`;
}

/**
 * Drops the line breaks inside brackets so that a statement may span lines. A line that starts
 * like a new statement (`param`, `from`, or `name(`) closes any bracket left open, so that one
 * missing `)` does not swallow the rest of the recipe. Adds a final line break.
 */
function joinBracketedLines(tokens: readonly IToken[]): IToken[] {
  const out: IToken[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const type = token.tokenType;
    if (type === LParen || type === LBracket) depth++;
    else if ((type === RParen || type === RBracket) && depth > 0) depth--;
    if (type === Newline && depth > 0) {
      if (!startsStatement(tokens, i + 1)) continue;
      depth = 0;
    }
    out.push(token);
  }
  const last = out[out.length - 1];
  if (!last || last.tokenType !== Newline) out.push(syntheticNewline(last));
  return out;
}

function startsStatement(tokens: readonly IToken[], i: number): boolean {
  while (i < tokens.length && tokens[i].tokenType === Newline) i++;
  const first = tokens[i];
  if (!first) return true;
  if (first.tokenType === Keywords.param || first.tokenType === Keywords.from || first.tokenType === Keywords.privacy) return true;
  return first.tokenType === Identifier && tokens[i + 1]?.tokenType === LParen;
}

function syntheticNewline(after: IToken | undefined): IToken {
  const line = after?.endLine ?? 1;
  const column = (after?.endColumn ?? 0) + 1;
  const offset = (after?.endOffset ?? -1) + 1;
  return {
    image: "",
    startOffset: offset,
    endOffset: offset - 1,
    startLine: line,
    endLine: line,
    startColumn: column,
    endColumn: column - 1,
    tokenTypeIdx: Newline.tokenTypeIdx!,
    tokenType: Newline,
  };
}
