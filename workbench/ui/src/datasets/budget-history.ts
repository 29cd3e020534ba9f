/**
 * A buyer's remaining privacy budget over a private dataset's history, as the contract accounts it:
 * the readings since the dataset became private cut into a few consecutive ranges, each with the most
 * ε any of its readings has spent on the buyer (`privacySpent`), and what is left of the budget there.
 */

/** One range of readings [fromIndex, toIndex) and the budget left on its most spent reading, ε in thousandths. */
export interface BudgetRange {
  fromIndex: number;
  toIndex: number;
  spent: number;
  remaining: number;
}

/** Reads the most ε spent on a range of readings (the market's `privacySpent`, or the service's budget endpoint). */
export type SpentReader = (fromIndex: number, toIndex: number) => Promise<number>;

/** Up to `most` consecutive ranges covering [privateFrom, readingCount), as even as whole readings allow. */
export function budgetRanges(options: { privateFrom: number; readingCount: number; most?: number }): { fromIndex: number; toIndex: number }[] {
  const { privateFrom, readingCount, most = 24 } = options;
  const n = readingCount - privateFrom;
  if (n <= 0) return [];
  const count = Math.min(most, n);
  return Array.from({ length: count }, (_, i) => ({
    fromIndex: privateFrom + Math.floor((i * n) / count),
    toIndex: privateFrom + Math.floor(((i + 1) * n) / count),
  }));
}

/** The buyer's remaining budget over each range of the dataset's private history. */
export async function readBudgetHistory(options: { privateFrom: number; readingCount: number; budget: number; spent: SpentReader; most?: number }): Promise<BudgetRange[]> {
  const ranges = budgetRanges(options);
  const spent = await Promise.all(ranges.map((r) => options.spent(r.fromIndex, r.toIndex)));
  return ranges.map((r, i) => ({ ...r, spent: spent[i], remaining: Math.max(0, options.budget - spent[i]) }));
}

const eps = (milli: number) => `ε ${milli / 1000}`;
const readings = (r: BudgetRange) => (r.toIndex - r.fromIndex === 1 ? `reading #${r.fromIndex}` : `readings #${r.fromIndex}–#${r.toIndex - 1}`);

/** The picture in one or two sentences (also the chart's text alternative). */
export function describeBudgetHistory(ranges: readonly BudgetRange[], budget: number): string {
  if (ranges.length === 0) return `No private readings yet: your whole budget of ${eps(budget)} per reading is left.`;
  const least = ranges.reduce((a, b) => (b.remaining < a.remaining ? b : a));
  if (least.spent === 0) return `You have spent nothing yet: ${eps(budget)} is left on every reading.`;
  const newest = ranges[ranges.length - 1];
  const exhausted = ranges.filter((r) => r.remaining === 0).length;
  const first =
    least.remaining === 0
      ? `Your budget is used up on ${exhausted === ranges.length ? "every reading" : readings(least)}: runs that read them are refused.`
      : `Least left on any reading: ${eps(least.remaining)} of ${eps(budget)} (${readings(least)}).`;
  return newest.remaining === least.remaining ? first : `${first} Newest readings: ${eps(newest.remaining)} left.`;
}
