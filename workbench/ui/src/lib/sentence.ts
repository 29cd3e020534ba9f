/**
 * Messages as sentences: the checker and the contract speak in lower-case clauses ("unknown
 * statistic 'maen' — did you mean 'mean'?"); the UI shows them capitalised and ending in exactly
 * one punctuation mark, never "…'mean'?." when a clause is wrapped into a longer sentence.
 */

/** Whether a text already ends with a sentence's closing mark (a quote or bracket after it allowed). */
export function endsSentence(text: string): boolean {
  return /[.!?…][)"'”’]*$/.test(text.trimEnd());
}

/** `text` with a capital first letter and one closing punctuation mark (a full stop unless it has one). */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return endsSentence(capital) ? capital : `${capital}.`;
}
