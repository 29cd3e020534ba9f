import { describe, expect, it } from "vitest";
import { checkRecipe, latestPerKey, type CheckRequest, type CheckResponse } from "./check-protocol";
import { CheckerClient, type WorkerLike } from "./checker-client";
import { MARKER_SEVERITY, quickFixes, summarize, toMarkers } from "./markers";

const greenhouse = { field: "temperature", unit: "°C", scale: 2, offset: -5000n, k: 10, approvedKinds: ["COUNT", "MEAN"] as const };

describe("recipe diagnostics", () => {
  it("reports a misspelt statistic with the shared checker, and nothing once it is fixed", () => {
    const typo = checkRecipe({ id: 1, key: "c", source: 'from "greenhouse" window last 24h\nmaen(temperature)\n' });
    expect(typo.ok).toBe(false);
    expect(typo.diagnostics).toEqual([
      expect.objectContaining({ code: "unknown-statistic", line: 2, column: 1, severity: "error", suggestion: "mean" }),
    ]);
    const fixed = checkRecipe({ id: 2, key: "c", source: 'from "greenhouse" window last 24h\nmean(temperature)\n' });
    expect(fixed).toMatchObject({ ok: true, diagnostics: [], requiredKinds: ["MEAN"], datasetReference: "greenhouse" });
  });

  it("says when the seller has not approved a statistic on the dataset", () => {
    const response = checkRecipe({
      id: 1,
      key: "c",
      source: 'from "greenhouse" window all\nhistogram(temperature, [0, 10])\n',
      dataset: { ...greenhouse, approvedKinds: [...greenhouse.approvedKinds] },
    });
    expect(response.diagnostics).toEqual([expect.objectContaining({ code: "kind-not-approved" })]);
    expect(response.diagnostics[0]!.message).toContain("the seller has not approved histogram on this dataset");
  });

  it("turns diagnostics into markers and quick fixes", () => {
    const { diagnostics } = checkRecipe({ id: 1, key: "c", source: 'from "g" window all\nmaen(value)\n' });
    expect(toMarkers(diagnostics)).toEqual([
      expect.objectContaining({ severity: MARKER_SEVERITY.Error, startLineNumber: 2, startColumn: 1, endLineNumber: 2, code: "unknown-statistic" }),
    ]);
    expect(quickFixes(diagnostics, { start: 2, end: 2 })).toEqual([expect.objectContaining({ title: "Change to 'mean'", text: "mean" })]);
    expect(quickFixes(diagnostics, { start: 1, end: 1 })).toEqual([]);
    expect(summarize(diagnostics)).toBe("1 error");
  });

  it("widens an empty span so that the marker shows", () => {
    const [marker] = toMarkers([{ line: 3, column: 5, endLine: 3, endColumn: 5, severity: "warning", code: "unused-param", message: "m" }]);
    expect(marker).toMatchObject({ startColumn: 5, endColumn: 6, severity: MARKER_SEVERITY.Warning });
  });
});

describe("latest request wins", () => {
  it("keeps only the newest waiting request of each editor", () => {
    const r = (id: number, key: string): CheckRequest => ({ id, key, source: "" });
    expect(latestPerKey([r(1, "a"), r(2, "b"), r(3, "a")]).map((x) => x.id)).toEqual([3, 2]);
  });

  it("resolves an overtaken request with undefined and the latest with its answer", async () => {
    const sent: CheckRequest[] = [];
    let deliver: (response: CheckResponse) => void = () => {};
    const worker: WorkerLike = {
      postMessage: (message) => sent.push(message),
      addEventListener: (_type, listener) => {
        deliver = (response) => listener({ data: response } as MessageEvent<CheckResponse>);
      },
    };
    const client = new CheckerClient(worker);
    const first = client.check({ key: "cell", source: "mean(" });
    const second = client.check({ key: "cell", source: "mean(x)" });
    const other = client.check({ key: "other", source: "x" });
    // The worker answers the old request late: it must not win.
    deliver(checkRecipe(sent[0]!));
    deliver(checkRecipe(sent[1]!));
    deliver(checkRecipe(sent[2]!));
    await expect(first).resolves.toBeUndefined();
    await expect(second).resolves.toMatchObject({ id: sent[1]!.id, key: "cell" });
    await expect(other).resolves.toMatchObject({ key: "other" });
  });
});
