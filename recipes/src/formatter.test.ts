import { describe, expect, it } from "vitest";
import { format } from "./formatter";

function formatted(source: string): string {
  const result = format(source);
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  return result.text;
}

describe("format", () => {
  it("lays a recipe out canonically", () => {
    const source = [
      "   # Greenhouse: how hot was yesterday?",
      'param   hot=30.0 "Hot threshold"   # trailing',
      "param cold = - 5",
      'from "greenhouse-temp"   window last 24 h',
      'mean( temperature )as "Average"',
      "",
      "",
      "",
      "count(temperature>hot)",
      "count( 18<=temperature )",
      "sum(temperature where temperature>30)",
      "count(temperature  between 18 and 24)",
      "histogram(temperature,[0,10,20])",
    ].join("\n");
    expect(formatted(source)).toBe(
      [
        "# Greenhouse: how hot was yesterday?",
        'param hot = 30.0 "Hot threshold"  # trailing',
        "param cold = -5",
        "",
        'from "greenhouse-temp" window last 24h',
        "",
        'mean(temperature) as "Average"',
        "",
        "count(temperature > hot)",
        "count(18 <= temperature)",
        "sum(temperature where temperature > 30)",
        "count(temperature between 18 and 24)",
        "histogram(temperature, [0, 10, 20])",
        "",
      ].join("\n"),
    );
  });

  it("keeps numbers and names as written", () => {
    expect(formatted('from "d"\ncount(x > 30.50)')).toBe('from "d"\n\ncount(x > 30.50)\n');
  });

  it.each([
    ["last 24 h", "last 24h"],
    ["last 7d", "last 7d"],
    ["last 500   readings", "last 500 readings"],
    ["last 2weeks", "last 2 weeks"],
    ["from 2026-11-01   to 2026-11-02", "from 2026-11-01 to 2026-11-02"],
    ["since  last   report", "since last report"],
  ])("prints the window %s as %s", (window, expected) => {
    expect(formatted(`from "d" window ${window}`)).toBe(`from "d" window ${expected}\n`);
  });

  it("writes strings with canonical escapes", () => {
    expect(formatted('mean(x) as "say \\"hi\\" \\q"')).toBe('mean(x) as "say \\"hi\\" q"\n');
  });

  it("puts a multi-line statement on one line and moves its comments above it", () => {
    const source = "from \"d\"\n\nhistogram(t, [0, 10, # low\n  20,\n  # high\n  30])  # done\n";
    expect(formatted(source)).toBe('from "d"\n\n# low\n# high\nhistogram(t, [0, 10, 20, 30])  # done\n');
  });

  it("keeps a comment block's blank lines, at most one in a row", () => {
    const source = '# header\n\n\n\n# about the dataset\nfrom "d"\n\n\n# statistics\n\nmean(x)\n\n\n# the end\n\n';
    expect(formatted(source)).toBe('# header\n\n# about the dataset\nfrom "d"\n\n# statistics\n\nmean(x)\n\n# the end\n');
  });

  it("separates the sections even when the author did not", () => {
    expect(formatted('param a = 1\nfrom "d"\n# why\nmean(x)\nmax(x)')).toBe('param a = 1\n\nfrom "d"\n\n# why\nmean(x)\nmax(x)\n');
  });

  it("formats an empty recipe as empty text, and a comment-only one as its comments", () => {
    expect(formatted("")).toBe("");
    expect(formatted("\n\n  # just this  \n\n")).toBe("# just this\n");
  });

  it("refuses to format text with syntax errors", () => {
    const result = format("mean(x\nmax(x) @");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.diagnostics.map((d) => d.line)).toEqual([1, 2]);
  });

  const corpus = [
    "mean(x)",
    '# c\nparam a = 1 "d"  # t\nfrom "d" window last 24h\n\n\nmean(x) as "m"\n# end',
    "from \"d\"\nhistogram(t, [\n 0, # a\n 10 # b\n])\n# c\n\n\n",
    'param a = -1\n# x\n\n# y\nfrom "d" window from 2026-01-01 to 2026-02-01\nsum(t where t > a)  # s\n\n\n\nalert(t == 3)',
    "\n\n\nfrom \"d\"\r\n# windows\r\ncount()\r\n",
    "from \"d\"\nmean(t)\n# moved\ncount(t >\n  # inner\n  3)",
  ];
  it.each(corpus.map((c) => [c]))("is idempotent on %j", (source) => {
    const once = formatted(source);
    expect(formatted(once)).toBe(once);
  });
});
