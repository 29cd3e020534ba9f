/**
 * Completions of the recipe language, independent of Monaco: where the cursor is
 * ({@link completionContext}) and what to offer there ({@link completionItems}): statistics with
 * snippets from the catalogue, keywords, window units, dataset names, the dataset's field and the
 * recipe's parameters. register.ts adapts the items to Monaco.
 */
import { FIELD_ALIAS, KEYWORDS, KIND_INFO, STATISTICS, WINDOW_UNITS } from "../lib/recipes";

/** What the cursor is in the middle of. */
export type CompletionContext =
  | { kind: "none" }
  /** Inside `from "…`: a dataset name. */
  | { kind: "dataset"; typed: string }
  /** After `from "…"` or `window`: the window forms. */
  | { kind: "window"; afterWindowKeyword: boolean }
  /** After `last <n>`: a window unit. */
  | { kind: "unit" }
  /** After `since`. */
  | { kind: "since" }
  /** At the start of a statement. */
  | { kind: "statement" }
  /** Inside a statistic's parentheses (not in a list). */
  | { kind: "argument"; afterOperand: boolean }
  /** Inside `[ … ]` or after a comparison: a value. */
  | { kind: "value" }
  /** After a statistic's closing parenthesis. */
  | { kind: "after-call" };

/**
 * The context at the cursor, from the text of the line before the cursor. (Statements are one line
 * each; a list continued on the next line is rare enough to be completed like a new statement.)
 */
export function completionContext(beforeCursor: string): CompletionContext {
  const code = stripStrings(beforeCursor);
  if (code === undefined) {
    const from = /\bfrom\s+"([^"]*)$/.exec(beforeCursor);
    return from ? { kind: "dataset", typed: from[1]! } : { kind: "none" };
  }
  // In a comment, or in the middle of a number.
  if (code.includes("#") || /\d$/.test(code)) return { kind: "none" };
  const trimmed = code.replace(/[A-Za-z_][A-Za-z0-9_]*$/, "");
  if (/^\s*$/.test(trimmed)) return { kind: "statement" };
  if (/\blast\s+\d+(?:\.\d+)?\s*$/.test(trimmed)) return { kind: "unit" };
  if (/\bsince\s+$/.test(trimmed)) return { kind: "since" };
  if (/\bwindow\s+$/.test(trimmed)) return { kind: "window", afterWindowKeyword: true };
  if (/^\s*from\s+S\s+$/.test(trimmed)) return { kind: "window", afterWindowKeyword: false };
  if (/^\s*(?:param|from)\b/.test(trimmed)) return { kind: "none" };
  const depth = [...trimmed].reduce((d, c) => d + (c === "(" ? 1 : c === ")" ? -1 : 0), 0);
  const inList = trimmed.lastIndexOf("[") > trimmed.lastIndexOf("]");
  if (inList) return { kind: "value" };
  if (depth > 0) {
    if (/(?:>=|<=|==|!=|[≥≤≠><]|\bbetween|\band)\s*-?\s*$/.test(trimmed)) return { kind: "value" };
    return { kind: "argument", afterOperand: /[A-Za-z0-9_)\]]\s+$/.test(trimmed) };
  }
  if (/\)\s+$/.test(trimmed)) return { kind: "after-call" };
  return { kind: "none" };
}

/** Replaces complete strings with `S`; undefined when the cursor is inside a string. */
function stripStrings(text: string): string | undefined {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === "#") return out + text.slice(i);
    if (c === '"') {
      inString = true;
      out += "S";
      continue;
    }
    out += c;
  }
  return inString ? undefined : out;
}

/** A completion, independent of the editor. */
export interface CompletionItem {
  label: string;
  kind: "statistic" | "keyword" | "unit" | "dataset" | "field" | "parameter" | "snippet";
  /** Text to insert; a Monaco snippet when `snippet` is true. */
  insertText: string;
  snippet?: boolean;
  /** What is typed to find it (defaults to the label). */
  filterText?: string;
  /** One line beside the label. */
  detail?: string;
  /** Markdown shown in the details pane. */
  documentation?: string;
  /** Ordering among the items. */
  sortText?: string;
}

/** What the completions know besides the text. */
export interface CompletionOptions {
  /** Dataset names of the catalogue. */
  datasets?: readonly { name: string; unit?: string; field?: string }[];
  /** The dataset's field name, when the dataset is known. */
  field?: string;
  /** Parameters declared in the recipe. */
  params?: readonly { name: string; value: string; description?: string }[];
}

/** Parameters declared in a recipe's text (`param name = value "description"`), cheap enough for every keystroke. */
export function declaredParams(source: string): { name: string; value: string; description?: string }[] {
  const out: { name: string; value: string; description?: string }[] = [];
  for (const m of source.matchAll(/^[ \t]*param[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(-?[ \t]*\d+(?:\.\d+)?)(?:[ \t]+"((?:[^"\\\n]|\\.)*)")?/gm)) {
    out.push({ name: m[1]!, value: m[2]!.replace(/\s+/g, ""), ...(m[3] === undefined ? {} : { description: m[3] }) });
  }
  return out;
}

const KIND_LIST = (kinds: readonly (keyof typeof KIND_INFO)[]) => [...new Set(kinds.map((k) => KIND_INFO[k].title))].join(", ");

/** The statistic items: one per catalogue form, with the dataset's field in the snippet. */
export function statisticItems(field = FIELD_ALIAS): CompletionItem[] {
  return STATISTICS.flatMap((spec, s) =>
    spec.forms.map((form, f) => ({
      label: form.signature,
      kind: "statistic" as const,
      // `${1:field}` may appear twice (a mirrored tab stop, as in `sum(x where x > v)`).
      insertText: form.snippet.replaceAll("${1:field}", `\${1:${field}}`),
      snippet: true,
      filterText: spec.name,
      detail: spec.summary,
      documentation: `${form.description}\n\n**What it reveals:** ${form.reveals}\n\n*Needs the seller's approval of:* ${KIND_LIST(form.kinds)}`,
      sortText: `1${String(s).padStart(2, "0")}${f}`,
    })),
  );
}

const WINDOW_ITEMS: CompletionItem[] = [
  { label: "last 24h", kind: "snippet", insertText: "last ${1:24}${2:h}", snippet: true, detail: "the last hours, days… or readings", sortText: "0" },
  { label: "last 500 readings", kind: "snippet", insertText: "last ${1:500} readings", snippet: true, detail: "the most recent readings", sortText: "1" },
  { label: "from … to …", kind: "snippet", insertText: "from ${1:2026-01-01} to ${2:2026-01-02}", snippet: true, detail: "a date range (end excluded)", sortText: "2" },
  { label: "since last report", kind: "snippet", insertText: "since last report", detail: "for scheduled reports", sortText: "3" },
  { label: "all", kind: "keyword", insertText: "all", detail: "every reading", sortText: "4" },
];

/** The items to offer in a context. */
export function completionItems(context: CompletionContext, options: CompletionOptions = {}): CompletionItem[] {
  const field = options.field ?? FIELD_ALIAS;
  const params = options.params ?? [];
  const paramItems = params.map<CompletionItem>((p) => ({
    label: p.name,
    kind: "parameter",
    insertText: p.name,
    detail: `parameter = ${p.value}`,
    ...(p.description ? { documentation: p.description } : {}),
    sortText: `0${p.name}`,
  }));
  const fieldItems: CompletionItem[] = [...new Set([field, FIELD_ALIAS])].map((name) => ({
    label: name,
    kind: "field",
    insertText: name,
    detail: name === FIELD_ALIAS && field !== FIELD_ALIAS ? `the field (${field})` : "the dataset's field",
    sortText: `0${name === field ? 0 : 1}`,
  }));
  switch (context.kind) {
    case "none":
      return [];
    case "dataset":
      return (options.datasets ?? []).map((d, i) => ({
        label: d.name,
        kind: "dataset",
        insertText: d.name,
        detail: [d.field, d.unit].filter(Boolean).join(" · ") || "dataset",
        sortText: String(i).padStart(4, "0"),
      }));
    case "window":
      return context.afterWindowKeyword
        ? WINDOW_ITEMS
        : [{ label: "window", kind: "keyword", insertText: "window ", detail: "which readings to use", sortText: "0" }];
    case "unit":
      return Object.entries(WINDOW_UNITS)
        .filter(([unit]) => ["s", "m", "h", "d", "w", "readings", "minutes", "hours", "days", "weeks"].includes(unit))
        .map(([unit, seconds], i) => ({
          label: unit,
          kind: "unit",
          insertText: unit,
          detail: seconds === "readings" ? "a number of readings" : `${seconds.toLocaleString("en-US")} s`,
          sortText: String(i).padStart(2, "0"),
        }));
    case "since":
      return [{ label: "last report", kind: "keyword", insertText: "last report", detail: "readings after the previous report" }];
    case "statement":
      return [
        ...statisticItems(field),
        { label: "param", kind: "snippet", insertText: 'param ${1:name} = ${2:30} "${3:description}"', snippet: true, detail: "declare a parameter", sortText: "20" },
        { label: "from", kind: "snippet", insertText: 'from "${1}" window ${2:last 24h}', snippet: true, detail: "the dataset and window to read", sortText: "21" },
      ];
    case "argument":
      return context.afterOperand
        ? ["where", "between", "and"].map((word, i) => ({ label: word, kind: "keyword", insertText: word, sortText: `0${i}` }))
        : [...fieldItems, ...paramItems];
    case "value":
      return paramItems;
    case "after-call":
      return [{ label: "as", kind: "snippet", insertText: 'as "${1:label}"', snippet: true, detail: "label the result", sortText: "0" }];
  }
}

/** Every reserved word has a completion context that offers it, or is part of a snippet. */
export const COMPLETED_KEYWORDS: readonly (typeof KEYWORDS)[number][] = KEYWORDS;
