/**
 * Hover help of the recipe language, independent of Monaco: what the word under the pointer is
 * (a statistic, a keyword, a window unit, a parameter, the dataset's field) and a short Markdown
 * explanation from the catalogue — for a statistic also what it reveals and whether the seller of
 * the chosen dataset approved it.
 */
import {
  FIELD_ALIAS,
  KIND_INFO,
  WINDOW_UNITS,
  findStatistic,
  lowestValue,
  resolution,
  type Keyword,
  type RecipeKindName,
} from "../lib/recipes";
import { declaredParams } from "./completions";

/** Help for every reserved word; typed by the catalogue's keyword list, so a new keyword needs one. */
export const KEYWORD_HELP: Readonly<Record<Keyword, string>> = {
  param: 'Declares a parameter: `param hot = 30 "hot above (°C)"`. Templates are forked with other values for it.',
  from: 'Names the dataset (and its window): `from "greenhouse" window last 24h`. In a window, `from 2026-11-01 to 2026-11-02` is a date range.',
  window: "Which readings the statistics cover: `last 24h`, `last 500 readings`, `from … to …`, `since last report` or `all`. Windows are aligned to whole buckets of the dataset's k readings.",
  last: "`last <n> <unit>`: the most recent hours, days… (s, m, h, d, w) or readings.",
  to: "End of a date range (excluded): `from 2026-11-01 to 2026-11-02`.",
  since: "`since last report`: the readings after the previous report's window (recurring reports).",
  report: "`since last report`: the readings after the previous report's window (recurring reports).",
  all: "Every reading of the dataset (aligned to whole buckets of k).",
  as: 'Labels a result: `mean(value) as "average"`.',
  where: "Restricts a sum or mean to readings meeting a condition: `mean(value where value > 30)`.",
  between: "An inclusive range: `share(value between 18 and 24)`.",
  and: "Separates the bounds of `between low and high`. Conditions cannot be combined with and.",
  privacy:
    "The ε a statistic spends on a private dataset: `mean(value) privacy 0.5`, or on a line of its own for every statistic. Larger ε: less noise, more of your budget. Without it: the dataset's default (ε 1 within the seller's bounds).",
};

/** What hover knows about the dataset. */
export interface HoverDataset {
  name?: string;
  field: string;
  unit?: string;
  scale: number;
  offset: bigint | number | string;
  approvedKinds?: readonly RecipeKindName[];
}

/** A hover: the word's columns (1-based, end exclusive) and Markdown paragraphs. */
export interface HoverInfo {
  startColumn: number;
  endColumn: number;
  contents: string[];
}

/** Hover help at a 1-based position of `source`, or undefined where there is nothing to say. */
export function hoverAt(options: { source: string; line: number; column: number; dataset?: HoverDataset }): HoverInfo | undefined {
  const text = options.source.split("\n")[options.line - 1] ?? "";
  const index = options.column - 1;
  if (insideStringOrComment(text, index)) return undefined;
  const word = wordAt(text, index);
  if (!word) return undefined;
  const at = (contents: string[]): HoverInfo => ({ startColumn: word.start + 1, endColumn: word.end + 1, contents });
  const name = word.text;

  const statistic = findStatistic(name);
  if (statistic && /^\s*\(/.test(text.slice(word.end))) {
    const approved = options.dataset?.approvedKinds ? new Set(options.dataset.approvedKinds) : undefined;
    const forms = statistic.forms.map((form) => {
      const missing = approved ? form.kinds.filter((k) => !approved.has(k)) : [];
      const status = !approved ? "" : missing.length === 0 ? " — ✓ approved on this dataset" : ` — ✗ not approved by the seller (${missing.map((k) => KIND_INFO[k].title).join(", ")})`;
      return `\`${form.signature}\` ${form.description}${status}`;
    });
    const reveals = [...new Set(statistic.forms.map((f) => f.reveals))].map((r) => `- ${r}`).join("\n");
    return at([`**${statistic.name}** — ${statistic.summary}`, forms.join("\n\n"), `**What it reveals to the buyer**\n${reveals}`]);
  }
  if (Object.hasOwn(KEYWORD_HELP, name)) return at([`**${name}** (keyword)`, KEYWORD_HELP[name as Keyword]]);

  if (/\blast\s+\d+(?:\.\d+)?\s*$/.test(text.slice(0, word.start)) && Object.hasOwn(WINDOW_UNITS, name)) {
    const unit = WINDOW_UNITS[name]!;
    return at([`**${name}** (window unit)`, unit === "readings" ? "A number of readings." : `${unit.toLocaleString("en-US")} seconds.`]);
  }

  const param = declaredParams(options.source).find((p) => p.name === name);
  if (param) return at([`**${name}** (parameter) = ${param.value}`, ...(param.description ? [param.description] : [])]);

  const dataset = options.dataset;
  if (name === FIELD_ALIAS || name === dataset?.field) {
    if (!dataset) return at([`**${name}** — the dataset's field (every dataset's readings can be called \`value\`).`]);
    const encoding = { scale: dataset.scale, offset: BigInt(dataset.offset) };
    const unit = dataset.unit ? ` ${dataset.unit}` : "";
    return at([
      `**${name}** — the readings of ${dataset.name ? `“${dataset.name}”` : "the dataset"}${dataset.field !== name ? ` (${dataset.field})` : ""}${unit ? `, in${unit}` : ""}`,
      `Stored encrypted with ${dataset.scale} decimal${dataset.scale === 1 ? "" : "s"} (steps of ${resolution(encoding)}${unit}); lowest value ${lowestValue(encoding)}${unit}. Constants in conditions must fit that precision.`,
    ]);
  }
  return undefined;
}

function wordAt(text: string, index: number): { text: string; start: number; end: number } | undefined {
  const pattern = /[A-Za-z_][A-Za-z0-9_]*/g;
  for (const m of text.matchAll(pattern)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (index >= start && index <= end) return { text: m[0], start, end };
  }
  return undefined;
}

function insideStringOrComment(text: string, index: number): boolean {
  let inString = false;
  for (let i = 0; i < index && i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "#") return true;
  }
  return inString;
}
