import { describe, expect, it } from "vitest";
import { budgetRangesOf, describeBudgetHistory } from "./budget-history";

describe("a buyer's budget over a private dataset's history", () => {
  it("keeps the time ranges that hold private readings, with what is left of the budget", () => {
    const range = (fromIndex: number, toIndex: number, spentMilli: number) => ({ from: fromIndex * 60, to: toIndex * 60, fromIndex, toIndex, readings: toIndex - fromIndex, spentMilli, remainingMilli: 2000 - spentMilli });
    const ranges = budgetRangesOf({ ranges: [range(0, 2, 0), range(2, 2, 0), range(2, 4, 1500), range(4, 6, 2000)] });
    expect(ranges).toEqual([
      { fromIndex: 0, toIndex: 2, spent: 0, remaining: 2000 },
      { fromIndex: 2, toIndex: 4, spent: 1500, remaining: 500 },
      { fromIndex: 4, toIndex: 6, spent: 2000, remaining: 0 },
    ]);
    expect(describeBudgetHistory(ranges, 2000)).toBe("Your budget is used up on readings #4–#5: runs that read them are refused.");
    // A budget lowered below what was spent leaves nothing, not less than nothing.
    expect(budgetRangesOf({ ranges: [{ ...range(0, 2, 3000) }] })[0].remaining).toBe(0);
  });

  it("says the budget in words", () => {
    const range = (fromIndex: number, spent: number) => ({ fromIndex, toIndex: fromIndex + 10, spent, remaining: 1000 - spent });
    expect(describeBudgetHistory([], 1000)).toBe("No private readings yet: your whole budget of ε 1 per reading is left.");
    expect(describeBudgetHistory([range(0, 0), range(10, 0)], 1000)).toBe("You have spent nothing yet: ε 1 is left on every reading.");
    expect(describeBudgetHistory([range(0, 500), range(10, 0)], 1000)).toBe("Least left on any reading: ε 0.5 of ε 1 (readings #0–#9). Newest readings: ε 1 left.");
    expect(describeBudgetHistory([range(0, 1000), range(10, 1000)], 1000)).toBe("Your budget is used up on every reading: runs that read them are refused.");
  });
});
