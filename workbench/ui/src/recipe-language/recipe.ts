/**
 * The recipe language for Monaco: language configuration (`conf`) and Monarch grammar
 * (`language`), in the shape of Monaco's own language definitions. The keyword, statistic and
 * window-unit lists are read from the recipe catalogue (recipes/src/catalogue.ts), so the editor
 * highlights exactly what the lexer and the checker accept.
 *
 * Token classes (postfix `.recipe`): comment, string, string.invalid (unterminated), number,
 * number.date, keyword, predefined (a statistic), variable.predefined (the field alias `value`),
 * variable.parameter (a name declared with `param`), type.unit (the unit of `last 24 h`),
 * identifier, operator, delimiter, brackets.
 */
import type { languages } from "monaco-editor/editor";
import { FIELD_ALIAS, KEYWORDS, STATISTIC_NAMES, WINDOW_UNITS } from "../lib/recipes";

export { RECIPE_LANGUAGE_ID } from "./language-id";

/** Brackets, comments, auto-closing: what Monaco needs beyond tokens. */
export const conf: languages.LanguageConfiguration = {
  comments: { lineComment: "#" },
  brackets: [
    ["(", ")"],
    ["[", "]"],
  ],
  autoClosingPairs: [
    { open: "(", close: ")" },
    { open: "[", close: "]" },
    { open: '"', close: '"', notIn: ["string", "comment"] },
  ],
  surroundingPairs: [
    { open: "(", close: ")" },
    { open: "[", close: "]" },
    { open: '"', close: '"' },
  ],
  wordPattern: /-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*/,
};

/** The Monarch grammar (a compiled copy of the catalogue's word lists). */
export const language = {
  defaultToken: "invalid",
  tokenPostfix: ".recipe",
  keywords: [...KEYWORDS],
  statistics: [...STATISTIC_NAMES],
  units: Object.keys(WINDOW_UNITS),
  field: [FIELD_ALIAS],
  brackets: [
    { open: "(", close: ")", token: "delimiter.parenthesis" },
    { open: "[", close: "]", token: "delimiter.square" },
  ],
  tokenizer: {
    root: [
      [/#.*$/, "comment"],
      [/"(?:[^"\\]|\\.)*"/, "string"],
      [/"(?:[^"\\]|\\.)*\\?$/, "string.invalid"],
      [/\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})?)?/, "number.date"],
      // `last 24h`, `last 500 readings`: the word after the amount is a unit when the catalogue has it.
      [
        /(last)(\s+)(\d+(?:\.\d+)?)(\s*)([A-Za-z_]\w*)/,
        ["keyword", "white", "number", "white", { cases: { "@units": "type.unit", "@default": "identifier" } }],
      ],
      [/(param)(\s+)([A-Za-z_]\w*)/, ["keyword", "white", { cases: { "@keywords": "keyword", "@default": "variable.parameter" } }]],
      [/\d+(?:\.\d+)?/, "number"],
      [
        /[A-Za-z_]\w*/,
        { cases: { "@keywords": "keyword", "@statistics": "predefined", "@field": "variable.predefined", "@default": "identifier" } },
      ],
      [/>=|<=|==|!=|[≥≤≠><=]/, "operator"],
      [/[-−]/, "operator"],
      [/[()[\]]/, "@brackets"],
      [/,/, "delimiter"],
      [/[ \t\r\f\v\u00a0\ufeff]+/, "white"],
    ],
  },
} satisfies languages.IMonarchLanguage & { keywords: string[]; statistics: string[]; units: string[]; field: string[] };
