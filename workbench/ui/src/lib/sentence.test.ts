import { describe, expect, it } from "vitest";
import { endsSentence, sentence } from "./sentence";

describe("sentence", () => {
  it.each([
    ["unknown statistic 'maen' — did you mean 'mean'?", "Unknown statistic 'maen' — did you mean 'mean'?"],
    ["the dataset has no field 'temp'", "The dataset has no field 'temp'."],
    ["Already a sentence.", "Already a sentence."],
    ["Ends with a quoted sentence.'", "Ends with a quoted sentence.'"],
    ["  padded  ", "Padded."],
    ["", ""],
  ])("%j → %j", (text, expected) => {
    expect(sentence(text)).toBe(expected);
  });

  it("knows a closing mark inside a closing quote", () => {
    expect(endsSentence('he said "yes!"')).toBe(true);
    expect(endsSentence("line 2: no")).toBe(false);
  });
});
