import { describe, expect, it } from "vitest";
import { check } from "../lib/recipes";
import { problemRows, visibleDiagnostics } from "./problems";

describe("problems list", () => {
  it("lists a typo as a sentence with its quick fix", () => {
    const { diagnostics } = check({ source: 'from "greenhouse" window last 24h\nmaen(value)' });
    const rows = problemRows(diagnostics);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ severity: "error", where: "Line 2, column 1", fix: "Change to 'mean'" });
    expect(rows[0]!.message).toMatch(/^Unknown statistic 'maen'.*\?$/);
  });

  it("orders the rows as the text runs, and ends every message with one punctuation mark", () => {
    const { diagnostics } = check({ source: "maen(value)\nfrom window" });
    const rows = problemRows(diagnostics);
    expect(rows.length).toBeGreaterThan(1);
    const lines = rows.map((r) => r.diagnostic.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    for (const row of rows) expect(row.message).toMatch(/^[A-Z'"`(].*[^.?!][.?!]$/s);
  });

  it("shows nothing for a blank cell, which is not wrong yet", () => {
    const { diagnostics } = check({ source: "  \n" });
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(visibleDiagnostics("  \n", diagnostics)).toEqual([]);
    expect(visibleDiagnostics("mean(x)", diagnostics)).toBe(diagnostics);
  });
});
