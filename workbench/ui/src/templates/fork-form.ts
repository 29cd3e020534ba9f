/** The fork form's logic: parameter values checked as the service checks them, before sending. Pure. */
import type { TemplateParamDto } from "../api/templates-api";

/** A decimal literal the recipe language accepts as a parameter value (`30`, `-12.5`). */
export const DECIMAL = /^-?\d{1,30}(?:\.\d{1,30})?$/;

/** The problem with each value that has one, by parameter name. */
export function paramErrors(params: readonly TemplateParamDto[], values: Readonly<Record<string, string>>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const param of params) {
    const value = (values[param.name] ?? "").trim();
    if (value === "") errors[param.name] = "Give a value (or keep the default).";
    else if (!DECIMAL.test(value)) errors[param.name] = "A decimal number such as 30 or -12.5.";
  }
  return errors;
}

/** The values to send: only those that differ from the defaults (the others keep them). */
export function changedValues(params: readonly TemplateParamDto[], values: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const param of params) {
    const value = (values[param.name] ?? "").trim();
    if (value !== "" && value !== param.default) out[param.name] = value;
  }
  return out;
}

/** The first lines of a Markdown description as plain text, for cards ("`value`, so" reads "value, so"). */
export function excerpt(markdown: string, max = 160): string {
  const text = markdown
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
    .replace(/^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+)/gm, "") // headings, quotes, list markers
    .replace(/(^|\W)(\*\*|__|\*|_|`)(?=\S)([^]*?\S)\2(?!\w)/g, "$1$3") // emphasis and inline code: their text
    .replace(/\s+/g, " ")
    .replace(/\s+([,.;:!?)])/g, "$1")
    .trim();
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}
