import { describe, expect, it } from "vitest";
import { lex } from "./lexer";

/** Token types of a source, line breaks shown as "NL". */
function types(source: string): string[] {
  return lex(source).tokens.map((t) => (t.tokenType.name === "Newline" ? "NL" : `${t.tokenType.name}:${t.image}`));
}

describe("lexer token table", () => {
  const table: [string, string[]][] = [
    ["mean(temperature)", ["Identifier:mean", "LParen:(", "Identifier:temperature", "RParen:)", "NL"]],
    ["param hot = 30.0", ["KwParam:param", "Identifier:hot", "Equals:=", "NumberLiteral:30.0", "NL"]],
    ["param params = -5", ["KwParam:param", "Identifier:params", "Equals:=", "Minus:-", "NumberLiteral:5", "NL"]],
    ['from "greenhouse-temp"', ["KwFrom:from", 'StringLiteral:"greenhouse-temp"', "NL"]],
    ["window last 24h", ["KwWindow:window", "KwLast:last", "NumberLiteral:24", "Identifier:h", "NL"]],
    ["last 500 readings", ["KwLast:last", "NumberLiteral:500", "Identifier:readings", "NL"]],
    ["from 2026-11-01 to 2026-11-02T08:30:00+02:00", ["KwFrom:from", "DateTime:2026-11-01", "KwTo:to", "DateTime:2026-11-02T08:30:00+02:00", "NL"]],
    ["since last report", ["KwSince:since", "KwLast:last", "KwReport:report", "NL"]],
    ["x > 1", ["Identifier:x", "Greater:>", "NumberLiteral:1", "NL"]],
    ["x >= 1", ["Identifier:x", "GreaterEqual:>=", "NumberLiteral:1", "NL"]],
    ["x ≥ 1", ["Identifier:x", "GreaterEqual:≥", "NumberLiteral:1", "NL"]],
    ["x<=1", ["Identifier:x", "LessEqual:<=", "NumberLiteral:1", "NL"]],
    ["x == 1", ["Identifier:x", "EqualEqual:==", "NumberLiteral:1", "NL"]],
    ["x != 1", ["Identifier:x", "NotEqual:!=", "NumberLiteral:1", "NL"]],
    ["x between 1 and 2", ["Identifier:x", "KwBetween:between", "NumberLiteral:1", "KwAnd:and", "NumberLiteral:2", "NL"]],
    ["x where x < 1", ["Identifier:x", "KwWhere:where", "Identifier:x", "Less:<", "NumberLiteral:1", "NL"]],
    ["[0, 10]", ["LBracket:[", "NumberLiteral:0", "Comma:,", "NumberLiteral:10", "RBracket:]", "NL"]],
    ['max(x) as "Peak"', ["Identifier:max", "LParen:(", "Identifier:x", "RParen:)", "KwAs:as", 'StringLiteral:"Peak"', "NL"]],
    ['"say \\"hi\\""', ['StringLiteral:"say \\"hi\\""', "NL"]],
    ["alls all_day", ["Identifier:alls", "Identifier:all_day", "NL"]],
    ["# only a comment", ["NL"]],
    ["", ["NL"]],
  ];
  it.each(table)("%s", (source, expected) => {
    expect(types(source)).toEqual(expected);
  });
});

describe("lexer", () => {
  it("keeps comments on their own channel", () => {
    const { comments, tokens } = lex("mean(x)  # average\n# next\n");
    expect(comments.map((c) => c.image)).toEqual(["# average", "# next"]);
    expect(tokens.some((t) => t.image.startsWith("#"))).toBe(false);
  });

  it("joins lines inside brackets", () => {
    expect(types("histogram(x, [0,\n  10])\nmean(x)")).toEqual([
      "Identifier:histogram", "LParen:(", "Identifier:x", "Comma:,", "LBracket:[", "NumberLiteral:0", "Comma:,",
      "NumberLiteral:10", "RBracket:]", "RParen:)", "NL", "Identifier:mean", "LParen:(", "Identifier:x", "RParen:)", "NL",
    ]);
  });

  it("closes an unbalanced bracket at a line that starts a new statement", () => {
    expect(types("mean(x\nmax(x)")).toEqual([
      "Identifier:mean", "LParen:(", "Identifier:x", "NL", "Identifier:max", "LParen:(", "Identifier:x", "RParen:)", "NL",
    ]);
  });

  it("reports an unexpected character with its position and goes on", () => {
    const { diagnostics, tokens } = lex("mean(x) @ max(x)");
    expect(diagnostics).toEqual([
      expect.objectContaining({ line: 1, column: 9, endLine: 1, endColumn: 10, code: "unexpected-character", message: "unexpected character '@'" }),
    ]);
    expect(tokens.filter((t) => t.tokenType.name === "Identifier").map((t) => t.image)).toEqual(["mean", "x", "max", "x"]);
  });

  it("explains single quotes", () => {
    expect(lex("from 'x'").diagnostics[0].message).toBe('strings use double quotes: "like this"');
  });

  it("reports an unterminated string and offers the closed one", () => {
    const { diagnostics } = lex('mean(x) as "Average\n');
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: "unterminated-string", line: 1, column: 12, endColumn: 20, suggestion: '"Average"' }),
    ]);
  });

  it("counts columns from 1 on every line", () => {
    const { tokens } = lex("mean(x)\n  max(y)");
    const max = tokens.find((t) => t.image === "max")!;
    expect([max.startLine, max.startColumn]).toEqual([2, 3]);
  });
});
