/**
 * Token tests, as tables in the manner of Monaco's own language definitions: each case is a line
 * (or several) and the tokens Monaco's Monarch tokenizer produces, as [startIndex, type].
 */
import { compile } from "monaco-editor/editor/standalone/common/monarch/monarchCompile";
import { MonarchTokenizer } from "monaco-editor/editor/standalone/common/monarch/monarchLexer";
import { describe, expect, it } from "vitest";
import { KEYWORDS, STATISTIC_NAMES, WINDOW_UNITS } from "../lib/recipes";
import { language, RECIPE_LANGUAGE_ID } from "./recipe";

const noop = { dispose() {} };
const tokenizer = new MonarchTokenizer(
  { languageIdCodec: { encodeLanguageId: () => 1 }, requestRichLanguageFeatures() {}, isRegisteredLanguageId: () => false },
  { onDidColorThemeChange: () => noop },
  RECIPE_LANGUAGE_ID,
  compile(RECIPE_LANGUAGE_ID, language),
  { getValue: () => 20_000, onDidChangeConfiguration: () => noop },
);

/** Tokens of consecutive lines, state carried from line to line as in the editor. */
function tokenize(lines: string[]): [number, string][][] {
  let state = tokenizer.getInitialState();
  return lines.map((line) => {
    const result = tokenizer.tokenize(line, true, state);
    state = result.endState;
    return result.tokens.map((t) => [t.offset, t.type.replace(/\.recipe$/, "")] as [number, string]);
  });
}

type Case = [string, [number, string][]];

describe("recipe tokens", () => {
  it.each<Case>([
    ["# daily comfort report", [[0, "comment"]]],
    [
      'param hot = 30.5 "hot above"',
      [
        [0, "keyword"],
        [5, "white"],
        [6, "variable.parameter"],
        [9, "white"],
        [10, "operator"],
        [11, "white"],
        [12, "number"],
        [16, "white"],
        [17, "string"],
      ],
    ],
    [
      'from "greenhouse" window last 24h',
      [
        [0, "keyword"],
        [4, "white"],
        [5, "string"],
        [17, "white"],
        [18, "keyword"],
        [24, "white"],
        [25, "keyword"],
        [29, "white"],
        [30, "number"],
        [32, "type.unit"],
      ],
    ],
    [
      "from 2026-11-01 to 2026-11-02T08:00Z",
      [
        [0, "keyword"],
        [4, "white"],
        [5, "number.date"],
        [15, "white"],
        [16, "keyword"],
        [18, "white"],
        [19, "number.date"],
      ],
    ],
    [
      "count(temperature > hot)",
      [
        [0, "predefined"],
        [5, "delimiter.parenthesis"],
        [6, "identifier"],
        [17, "white"],
        [18, "operator"],
        [19, "white"],
        [20, "identifier"],
        [23, "delimiter.parenthesis"],
      ],
    ],
    [
      'histogram(value, [-10, 0.5]) as "spread"',
      [
        [0, "predefined"],
        [9, "delimiter.parenthesis"],
        [10, "variable.predefined"],
        [15, "delimiter"],
        [16, "white"],
        [17, "delimiter.square"],
        [18, "operator"],
        [19, "number"],
        [21, "delimiter"],
        [22, "white"],
        [23, "number"],
        [26, "delimiter.square"],
        [27, "delimiter.parenthesis"],
        [28, "white"],
        [29, "keyword"],
        [31, "white"],
        [32, "string"],
      ],
    ],
    [
      "share(value between 18 and 24)",
      [
        [0, "predefined"],
        [5, "delimiter.parenthesis"],
        [6, "variable.predefined"],
        [11, "white"],
        [12, "keyword"],
        [19, "white"],
        [20, "number"],
        [22, "white"],
        [23, "keyword"],
        [26, "white"],
        [27, "number"],
        [29, "delimiter.parenthesis"],
      ],
    ],
    [
      'from "unterminated',
      [
        [0, "keyword"],
        [4, "white"],
        [5, "string.invalid"],
      ],
    ],
    [
      "mean(x) ; oops",
      [
        [0, "predefined"],
        [4, "delimiter.parenthesis"],
        [5, "identifier"],
        [6, "delimiter.parenthesis"],
        [7, "white"],
        [8, "invalid"],
        [9, "white"],
        [10, "identifier"],
      ],
    ],
  ])("%s", (line, tokens) => {
    expect(tokenize([line])[0]).toEqual(tokens);
  });

  it("does not carry an unterminated string into the next line", () => {
    const [, second] = tokenize(['from "greenhouse', "mean(value)"]);
    expect(second![0]).toEqual([0, "predefined"]);
  });

  it("a unit word outside `last <n>` is a plain name", () => {
    expect(tokenize(["sum(h)"])[0]).toContainEqual([4, "identifier"]);
  });

  it("knows every keyword, statistic and window unit of the catalogue", () => {
    for (const word of KEYWORDS) expect(tokenize([word])[0]).toEqual([[0, "keyword"]]);
    for (const name of STATISTIC_NAMES) expect(tokenize([name])[0]).toEqual([[0, "predefined"]]);
    for (const unit of Object.keys(WINDOW_UNITS)) expect(tokenize([`last 2 ${unit}`])[0]!.at(-1)).toEqual([7, "type.unit"]);
  });
});
