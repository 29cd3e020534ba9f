import { describe, expect, it } from "vitest";
import { changedValues, excerpt, paramErrors } from "./fork-form";

const params = [
  { name: "hot", default: "30", description: "hot above (°C)" },
  { name: "cold", default: "-2" },
];

describe("fork form", () => {
  it("accepts decimal numbers and explains anything else", () => {
    expect(paramErrors(params, { hot: "25.5", cold: "-2" })).toEqual({});
    expect(paramErrors(params, { hot: "warm", cold: "" })).toEqual({
      hot: "A decimal number such as 30 or -12.5.",
      cold: "Give a value (or keep the default).",
    });
    expect(paramErrors(params, { hot: "1e3", cold: "0" })).toHaveProperty("hot");
  });

  it("sends only the values that differ from the defaults", () => {
    expect(changedValues(params, { hot: " 25 ", cold: "-2" })).toEqual({ hot: "25" });
  });

  it("makes a plain-text excerpt of a Markdown description", () => {
    expect(excerpt("# Hours above\n\nCounts **hot** readings.\n```\ncode\n```")).toBe("Hours above Counts hot readings.");
    expect(excerpt("x".repeat(200), 10)).toBe("xxxxxxxxx…");
  });

  it("leaves no stray space where inline code or emphasis was", () => {
    expect(excerpt("Uses `value`, so it fits any dataset; see [the docs](https://x.y) (`k` readings).")).toBe(
      "Uses value, so it fits any dataset; see the docs (k readings).",
    );
    expect(excerpt("- first\n- *second* item\n> quoted")).toBe("first second item quoted");
    expect(excerpt("snake_case_name stays")).toBe("snake_case_name stays");
  });
});
