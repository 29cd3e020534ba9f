import { describe, expect, it } from "vitest";
import { windowProblem } from "./checks";

describe("windowProblem", () => {
  const check = (fromIndex: number, toIndex: number, readingCount = 64) =>
    windowProblem({ fromIndex: BigInt(fromIndex), toIndex: BigInt(toIndex), k: 8n, readingCount: BigInt(readingCount) });

  it("accepts windows of whole buckets within the readings", () => {
    expect(check(0, 8)).toBeUndefined();
    expect(check(16, 64)).toBeUndefined();
  });

  it("says what is wrong with the others, in the contract's words", () => {
    expect(check(3, 16)).toBe("Window [3, 16) must start and end on multiples of the dataset's bucket size 8.");
    expect(check(16, 8)).toMatch(/must start and end on multiples/);
    expect(check(8, 8)).toBe("Window [8, 8) is shorter than one bucket of 8 readings.");
    expect(check(0, 72)).toBe("Window end 72 is beyond the 64 readings appended so far.");
  });
});
