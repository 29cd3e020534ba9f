import { describe, expect, it } from "vitest";
import { KEYWORDS } from "../lib/recipes";
import { hoverAt, KEYWORD_HELP, type HoverDataset } from "./hover";

const source = ['param hot = 30 "hot above"', 'from "greenhouse" window last 24h', "count(temperature > hot)", "histogram(value, [0, 10]) # h"].join("\n");
const greenhouse: HoverDataset = { name: "greenhouse", field: "temperature", unit: "°C", scale: 2, offset: -5000, approvedKinds: ["COUNT", "COUNT_IF"] };
const hover = (line: number, column: number, dataset?: HoverDataset) => hoverAt({ source, line, column, dataset });

describe("hover help", () => {
  it("explains a statistic with what it reveals and whether the seller approved it", () => {
    const info = hover(3, 3, greenhouse)!;
    expect(info).toMatchObject({ startColumn: 1, endColumn: 6 });
    expect(info.contents[0]).toBe("**count** — Number of readings, or of readings meeting a condition.");
    expect(info.contents[1]).toContain("`count(field > value)` Number of readings meeting a condition");
    expect(info.contents[1]).toContain("✓ approved on this dataset");
    expect(info.contents[2]).toContain("What it reveals to the buyer");
    expect(hover(4, 2, greenhouse)!.contents[1]).toContain("✗ not approved by the seller (histogram)");
  });

  it("explains keywords, units and parameters", () => {
    expect(hover(2, 2)!.contents[0]).toBe("**from** (keyword)");
    expect(hover(2, 33)).toMatchObject({ startColumn: 33, endColumn: 34, contents: ["**h** (window unit)", "3,600 seconds."] });
    expect(hover(3, 22)!.contents).toEqual(["**hot** (parameter) = 30", "hot above"]);
  });

  it("describes the field with the dataset's unit and precision", () => {
    const info = hover(3, 8, greenhouse)!;
    expect(info.contents[0]).toBe("**temperature** — the readings of “greenhouse”, in °C");
    expect(info.contents[1]).toContain("(steps of 0.01 °C); lowest value -50 °C");
  });

  it("says nothing inside strings and comments", () => {
    expect(hover(2, 9)).toBeUndefined();
    expect(hover(4, 30)).toBeUndefined();
  });

  it("has help for every keyword of the catalogue", () => {
    for (const keyword of KEYWORDS) expect(KEYWORD_HELP[keyword]).toBeTruthy();
  });
});
