import { describe, expect, it } from "vitest";
import type { StatisticStatement } from "./ast";
import { parse } from "./parser";

const GREENHOUSE = `# Greenhouse: how hot was yesterday?
param hot = 30.0 "Temperature counted as hot"
from "greenhouse-temp" window last 24h
mean(temperature) as "Average"
count(temperature > hot)
histogram(temperature, [0, 10, 20, 30, 40])
`;

function statistic(source: string): StatisticStatement {
  const { ast, diagnostics } = parse(source);
  expect(diagnostics).toEqual([]);
  return ast.statements[0] as StatisticStatement;
}

/** `line:column-endColumn message` of every diagnostic, for compact assertions. */
function errors(source: string): string[] {
  return parse(source).diagnostics.map((d) => `${d.line}:${d.column}-${d.endColumn} ${d.message}`);
}

describe("parse: well-formed recipes", () => {
  it("parses the issue's greenhouse example into statements with spans", () => {
    const { ast, diagnostics } = parse(GREENHOUSE);
    expect(diagnostics).toEqual([]);
    expect(ast.statements.map((s) => s.type)).toEqual(["param", "from", "statistic", "statistic", "statistic"]);
    expect(ast.comments).toEqual([{ text: "# Greenhouse: how hot was yesterday?", span: { line: 1, column: 1, endLine: 1, endColumn: 37 } }]);
    expect(ast.statements[0]).toMatchObject({
      type: "param",
      name: { name: "hot", span: { line: 2, column: 7, endLine: 2, endColumn: 10 } },
      value: { type: "number", text: "30.0" },
      description: { value: "Temperature counted as hot" },
      span: { line: 2, column: 1, endLine: 2, endColumn: 46 },
    });
    expect(ast.statements[1]).toMatchObject({
      type: "from",
      dataset: { value: "greenhouse-temp" },
      window: { type: "last", amount: { text: "24" }, unit: { name: "h" } },
    });
  });

  it("parses a label", () => {
    expect(statistic('mean(temperature) as "Average"')).toMatchObject({
      name: { name: "mean" },
      label: { value: "Average" },
      callSpan: { line: 1, column: 1, endColumn: 18 },
      span: { line: 1, column: 1, endColumn: 31 },
    });
  });

  it("resolves escapes in strings", () => {
    expect(statistic('max(x) as "the \\"peak\\""').label?.value).toBe('the "peak"');
  });

  it("parses a comparison argument", () => {
    expect(statistic("count(temperature >= -5.5)").args[0]).toMatchObject({
      type: "comparison",
      left: { type: "name", name: "temperature" },
      operator: ">=",
      right: { type: "number", text: "-5.5" },
    });
  });

  it("parses between … and …", () => {
    expect(statistic("count(temperature between low and 24)").args[0]).toMatchObject({
      type: "between",
      subject: { name: "temperature" },
      low: { type: "name", name: "low" },
      high: { type: "number", text: "24" },
    });
  });

  it("parses field where condition", () => {
    expect(statistic("sum(temperature where temperature > 30)").args[0]).toMatchObject({
      type: "where",
      subject: { type: "name", name: "temperature" },
      condition: { type: "comparison", operator: ">" },
    });
  });

  it("parses a list argument spanning lines", () => {
    const call = statistic("histogram(temperature, [0, 10,\n  20,\n  30])");
    expect(call.args[1]).toMatchObject({ type: "list", items: [{ text: "0" }, { text: "10" }, { text: "20" }, { text: "30" }] });
    expect(call.span).toEqual({ line: 1, column: 1, endLine: 3, endColumn: 7 });
  });

  it("parses an empty call", () => {
    expect(statistic("count()").args).toEqual([]);
  });

  it.each([
    ["last 24h", { type: "last", amount: { text: "24" }, unit: { name: "h" } }],
    ["last 7 days", { type: "last", amount: { text: "7" }, unit: { name: "days" } }],
    ["last 500 readings", { type: "last", amount: { text: "500" }, unit: { name: "readings" } }],
    ["from 2026-11-01 to 2026-11-02T12:00", { type: "range", from: { text: "2026-11-01" }, to: { text: "2026-11-02T12:00" } }],
    ["since last report", { type: "sinceLastReport" }],
    ["all", { type: "all" }],
  ])("parses the window %s", (window, expected) => {
    const { ast, diagnostics } = parse(`from "d" window ${window}`);
    expect(diagnostics).toEqual([]);
    expect(ast.statements[0]).toMatchObject({ type: "from", window: expected });
  });

  it("accepts a from line without a window", () => {
    const { ast } = parse('from "d"');
    expect(ast.statements[0]).toEqual(expect.not.objectContaining({ window: expect.anything() }));
  });

  it("ignores blank lines, comments and Windows line ends", () => {
    const { ast, diagnostics } = parse('\r\n# c\r\nfrom "d"\r\n\r\nmean(x) # avg\r\n');
    expect(diagnostics).toEqual([]);
    expect(ast.statements).toHaveLength(2);
  });
});

describe("parse: syntax errors", () => {
  it("reports a missing value at the end of the line", () => {
    expect(errors("param hot = \nmean(x)")).toEqual([
      "1:12-13 expected the parameter's default value, a number such as 30.0, found the end of the line",
    ]);
  });

  it("reports a missing operand", () => {
    expect(errors("count(temperature > )")).toEqual(["1:21-22 expected a number or a parameter name, found ')'"]);
  });

  it("reports a list closed by the wrong bracket", () => {
    expect(errors("histogram(t, [0, 10)")).toEqual(["1:20-21 expected ',' or ']' to close the list, found ')'"]);
  });

  it("reports an unclosed call at the end of its line", () => {
    expect(errors("mean(temperature\nmax(temperature)")).toEqual([
      "1:17-18 expected ',' or ')' to close the call, found the end of the line",
    ]);
  });

  it("explains that conditions are not combined with and", () => {
    expect(errors("count(t > 18 and t < 24)")).toEqual([
      "1:14-17 conditions cannot be combined with 'and'; for a range write 'temperature between 18 and 24'",
    ]);
  });

  it("asks for one statement per line", () => {
    expect(errors("mean(x) max(x)")).toEqual(["1:9-12 unexpected 'max': each statement goes on its own line"]);
  });

  it("lists the windows when the window is not one", () => {
    expect(errors('from "d" window yesterday')).toEqual([
      "1:17-26 expected a window: last 24h, last 500 readings, from 2026-11-01 to 2026-11-02, since last report, or all, found 'yesterday'",
    ]);
  });

  it("suggests a misspelt window keyword", () => {
    const [d] = parse('from "d" window lst 24h').diagnostics;
    expect(d).toMatchObject({ line: 1, column: 17, endColumn: 20, message: "unknown window 'lst' — did you mean 'last'?", suggestion: "last" });
  });

  it("suggests a misspelt statement keyword", () => {
    const [d] = parse("parm hot = 3").diagnostics;
    expect(d).toMatchObject({ line: 1, column: 1, endColumn: 5, message: "unknown statement 'parm' — did you mean 'param'?", suggestion: "param" });
  });

  it("rejects a keyword used as a name", () => {
    expect(errors("param all = 3")).toEqual(["1:7-10 'all' is a reserved word and cannot be used as a name"]);
    expect(parse("param all = 3").diagnostics[0].code).toBe("reserved-word");
  });

  it("reports several errors at once and keeps the good statements", () => {
    const source = [
      "param hot = ",
      'from "greenhouse" window last 24h',
      "count(temperature > )",
      "mean(temperature)",
      "histogram(temperature, [0, 10, 20)",
      "max(temperature) @",
    ].join("\n");
    const { ast, diagnostics } = parse(source);
    expect(diagnostics.map((d) => [d.line, d.column, d.code])).toEqual([
      [1, 12, "syntax-error"],
      [3, 21, "syntax-error"],
      [5, 34, "syntax-error"],
      [6, 18, "unexpected-character"],
    ]);
    expect(ast.statements.map((s) => (s.type === "statistic" ? s.name.name : s.type))).toEqual(["from", "mean", "max"]);
  });

  it("never throws, whatever the input", () => {
    for (const source of ["(", ")", "[[[", "param", "from", '"', "mean(x where", "-", "== ==", "\u0000", "from \"x\" window from 2026-01-01 to"]) {
      expect(() => parse(source)).not.toThrow();
      expect(parse(source).diagnostics.length).toBeGreaterThan(0);
    }
  });
});
