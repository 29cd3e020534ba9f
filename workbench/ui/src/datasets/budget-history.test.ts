import { describe, expect, it } from "vitest";
import { budgetRanges, describeBudgetHistory, readBudgetHistory } from "./budget-history";

describe("a buyer's budget over a private dataset's history", () => {
  it("cuts the readings since the dataset became private into even consecutive ranges", () => {
    expect(budgetRanges({ privateFrom: 10, readingCount: 40, most: 3 })).toEqual([
      { fromIndex: 10, toIndex: 20 },
      { fromIndex: 20, toIndex: 30 },
      { fromIndex: 30, toIndex: 40 },
    ]);
    expect(budgetRanges({ privateFrom: 0, readingCount: 2 })).toEqual([
      { fromIndex: 0, toIndex: 1 },
      { fromIndex: 1, toIndex: 2 },
    ]);
    expect(budgetRanges({ privateFrom: 5, readingCount: 5 })).toEqual([]);
  });

  it("reads what each range spent and what is left of the budget", async () => {
    const ledger = [0, 0, 1500, 1500, 2000, 2000];
    const spent = async (from: number, to: number) => Math.max(...ledger.slice(from, to));
    const ranges = await readBudgetHistory({ privateFrom: 0, readingCount: 6, budget: 2000, spent, most: 3 });
    expect(ranges.map((r) => r.remaining)).toEqual([2000, 500, 0]);
    expect(describeBudgetHistory(ranges, 2000)).toBe("Your budget is used up on readings #4–#5: runs that read them are refused.");
  });

  it("says the budget in words", () => {
    const range = (fromIndex: number, spent: number) => ({ fromIndex, toIndex: fromIndex + 10, spent, remaining: 1000 - spent });
    expect(describeBudgetHistory([], 1000)).toBe("No private readings yet: your whole budget of ε 1 per reading is left.");
    expect(describeBudgetHistory([range(0, 0), range(10, 0)], 1000)).toBe("You have spent nothing yet: ε 1 is left on every reading.");
    expect(describeBudgetHistory([range(0, 500), range(10, 0)], 1000)).toBe("Least left on any reading: ε 0.5 of ε 1 (readings #0–#9). Newest readings: ε 1 left.");
    expect(describeBudgetHistory([range(0, 1000), range(10, 1000)], 1000)).toBe("Your budget is used up on every reading: runs that read them are refused.");
  });
});
