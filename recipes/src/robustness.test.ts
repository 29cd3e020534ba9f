import { describe, expect, it } from "vitest";
import { check } from "./checker";
import { format } from "./formatter";
import { listTemplates } from "../library";

/** Deterministic pseudo-random numbers (a linear congruential generator). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const PIECES = [
  "param", "from", "window", "last", "to", "since", "report", "all", "as", "where", "between", "and",
  "mean", "count", "histogram", "share", "sum", "alert", "stddev", "temperature", "value", "hot",
  "(", ")", "[", "]", ",", "=", "==", ">", ">=", "<", "<=", "!=", "-", "30", "2.5", "24h", "500", "readings",
  '"d"', '"unterminated', "2026-11-01", "2026-13-45T99:99", "#c", "\n", "\n", " ", " ", "@", "'", "\t",
];

describe("robustness: any text, even half-typed, is diagnosed and never throws", () => {
  it("checks and formats 3,000 random token soups", () => {
    const next = random(7);
    for (let i = 0; i < 3000; i++) {
      const length = 1 + Math.floor(next() * 30);
      const source = Array.from({ length }, () => PIECES[Math.floor(next() * PIECES.length)]).join(next() < 0.5 ? " " : "");
      const dataset = next() < 0.5 ? { field: "temperature", scale: 2, offset: -5000, k: 10, approvedKinds: ["MEAN" as const] } : undefined;
      const result = check({ source, ...(dataset ? { dataset } : {}) });
      for (const d of result.diagnostics) {
        expect(d.line).toBeGreaterThanOrEqual(1);
        expect(d.column).toBeGreaterThanOrEqual(1);
        expect(d.endLine > d.line || d.endColumn >= d.column).toBe(true);
        expect(d.message).not.toBe("");
      }
      const formatted = format(source);
      if (formatted.ok) expect(format(formatted.text)).toEqual(formatted);
    }
  });

  it("survives every prefix of every template, as typed character by character", () => {
    for (const template of listTemplates()) {
      for (let end = 0; end <= template.source.length; end++) {
        const source = template.source.slice(0, end);
        expect(() => check({ source })).not.toThrow();
        expect(() => format(source)).not.toThrow();
      }
    }
  });

  it("diagnoses numbers of any size in every place a number goes, and never throws", () => {
    const huge = ["100000000000000000000", "9".repeat(400), `0.${"0".repeat(300)}1`, "18446744073709551616", "-99999999999999999999"];
    const places = (n: string) => [
      `from "d" window last ${n}h\nmean(temperature)`,
      `from "d" window last ${n} s\nmean(temperature)`,
      `from "d" window last ${n} readings\nmean(temperature)`,
      `param hot = ${n}\nfrom "d" window all\ncount(temperature > hot)`,
      `from "d" window all\ncount(temperature > ${n})`,
      `from "d" window all\nhistogram(temperature, [0, ${n}])`,
      `from "d" window all\nsum(temperature where temperature between ${n} and ${n}1)`,
      `from "d" window all\nalert(temperature >= ${n})`,
    ];
    const dataset = { field: "temperature", scale: 2, offset: -5000, k: 10, approvedKinds: ["MEAN" as const, "COUNT" as const] };
    for (const n of huge) {
      for (const source of places(n)) {
        for (const options of [{ source }, { source, dataset }, { source, dataset, params: { hot: n } }]) {
          const result = check(options);
          expect(result.ok || result.diagnostics.length > 0, source).toBe(true);
        }
        expect(() => format(source)).not.toThrow();
      }
    }
  });
});
