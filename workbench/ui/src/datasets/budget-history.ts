/**
 * A buyer's remaining privacy budget over a private dataset's history, as the contract accounts it
 * (the service's budget picture: `privacySpent` over consecutive time ranges), in the shape the
 * chart draws and in words.
 */
import type { BudgetPictureDto } from "../api/datasets-api";

/** One range of readings [fromIndex, toIndex) and the budget left on its most spent reading, ε in thousandths. */
export interface BudgetRange {
  fromIndex: number;
  toIndex: number;
  spent: number;
  remaining: number;
}

/** The picture's ranges that hold private readings (a time range without any has no budget to show). */
export function budgetRangesOf(picture: Pick<BudgetPictureDto, "ranges">): BudgetRange[] {
  return picture.ranges
    .filter((r) => r.readings > 0)
    .map((r) => ({ fromIndex: r.fromIndex, toIndex: r.toIndex, spent: r.spentMilli, remaining: Math.max(0, r.remainingMilli) }));
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
