import { describe, expect, it } from "vitest";
import { scheduleTitle } from "./schedule-title";

describe("schedule title", () => {
  it("is the recipe's first comment, without its #", () => {
    expect(scheduleTitle('# Mean of the last day.\nfrom "greenhouse" window last 24h\nmean(temperature)')).toBe("Mean of the last day.");
    expect(scheduleTitle('from "greenhouse" window all\n## Hot hours\ncount(temperature > 30)')).toBe("Hot hours");
  });

  it("is the first statistic when the recipe has no comment", () => {
    expect(scheduleTitle('from "greenhouse" window all\n#\nmean(temperature) as "Mean"\ncount()')).toBe('mean(temperature) as "Mean"');
  });

  it("is cut with an ellipsis when long, and never empty", () => {
    expect(scheduleTitle(`# ${"a".repeat(100)}`, 10)).toBe("aaaaaaaaa…");
    expect(scheduleTitle("")).toBe("Recipe");
  });
});
