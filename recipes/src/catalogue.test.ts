import { describe, expect, it } from "vitest";
import {
  Comparator,
  KEYWORDS,
  KIND_INFO,
  RECIPE_KIND_NAMES,
  RecipeKind,
  STATISTICS,
  STATISTIC_NAMES,
  WINDOW_UNITS,
  formOf,
  kindsFromMask,
  maskFromKinds,
  statisticNameOf,
} from "./catalogue";

describe("catalogue", () => {
  it("mirrors the interface's recipe kind codes", () => {
    expect(RecipeKind).toEqual({
      COUNT: 0, SUM: 1, MEAN: 2, MIN: 3, MAX: 4, COUNT_IF: 5, SUM_IF: 6, HISTOGRAM: 7, VARIANCE: 8, ALERT: 9,
    });
    expect(RECIPE_KIND_NAMES).toEqual(Object.keys(RecipeKind));
  });

  it("mirrors the interface's comparator codes", () => {
    expect(Comparator).toEqual({ GT: 0, GE: 1, LT: 2, LE: 3, BETWEEN: 4 });
  });

  it("describes every kind for sellers", () => {
    for (const kind of RECIPE_KIND_NAMES) {
      expect(KIND_INFO[kind].kind).toBe(kind);
      expect(KIND_INFO[kind].reveals.length).toBeGreaterThan(20);
    }
  });

  it("gives every statistic form a signature starting with its name, kinds, words and a snippet", () => {
    for (const spec of STATISTICS) {
      for (const form of spec.forms) {
        expect(form.signature.startsWith(`${spec.name}(`)).toBe(true);
        expect(form.snippet.startsWith(`${spec.name}(`)).toBe(true);
        expect(form.kinds.length).toBeGreaterThan(0);
        expect(form.description).not.toBe("");
        expect(form.reveals).not.toBe("");
        expect(statisticNameOf(form.id)).toBe(spec.name);
      }
    }
  });

  it("never gives two forms of one statistic the same argument shapes", () => {
    for (const spec of STATISTICS) {
      const shapes = spec.forms.map((f) => f.args.join(","));
      expect(new Set(shapes).size).toBe(shapes.length);
    }
  });

  it("never uses a keyword or a window unit as a statistic name or alias", () => {
    const names = STATISTICS.flatMap((s) => [s.name, ...s.aliases]);
    for (const name of names) {
      expect(KEYWORDS as readonly string[]).not.toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(STATISTIC_NAMES).toContain("histogram");
    expect(Object.keys(WINDOW_UNITS)).toContain("readings");
  });

  it("maps statistics to the kinds the interface names (stddev needs VARIANCE)", () => {
    expect(formOf("stddev").kinds).toEqual(["VARIANCE"]);
    expect(formOf("range").kinds).toEqual(["MIN", "MAX"]);
    expect(formOf("sumIf").kinds).toEqual(["SUM_IF", "COUNT_IF"]);
    expect(formOf("share").kinds).toEqual(["COUNT_IF"]);
  });

  it("converts approval masks (bit i = kind i)", () => {
    expect(kindsFromMask(0b10_1000_0101)).toEqual(["COUNT", "MEAN", "HISTOGRAM", "ALERT"]);
    expect(maskFromKinds(["COUNT", "MEAN", "HISTOGRAM", "ALERT"])).toBe(0b10_1000_0101);
    expect(kindsFromMask(0xffff)).toEqual(RECIPE_KIND_NAMES);
  });
});
