import { describe, expect, it } from "vitest";
import { STATISTICS } from "../lib/recipes";
import { completionContext, completionItems, declaredParams, statisticItems, type CompletionContext } from "./completions";

describe("completion context", () => {
  it.each<[string, CompletionContext]>([
    ["", { kind: "statement" }],
    ["   me", { kind: "statement" }],
    ['from "gre', { kind: "dataset", typed: "gre" }],
    ['from "greenhouse" ', { kind: "window", afterWindowKeyword: false }],
    ['from "greenhouse" window ', { kind: "window", afterWindowKeyword: true }],
    ['from "greenhouse" window last 24', { kind: "none" }],
    ['from "greenhouse" window last 24 ', { kind: "unit" }],
    ['from "greenhouse" window last 24h', { kind: "unit" }],
    ['from "greenhouse" window since ', { kind: "since" }],
    ["count(", { kind: "argument", afterOperand: false }],
    ["count(temp", { kind: "argument", afterOperand: false }],
    ["count(temperature ", { kind: "argument", afterOperand: true }],
    ["count(temperature > ", { kind: "value" }],
    ["share(value between 18 and ", { kind: "value" }],
    ["histogram(value, [0, ", { kind: "value" }],
    ["mean(value) ", { kind: "after-call" }],
    ["mean(value) # a note ", { kind: "none" }],
    ['mean(value) as "avg', { kind: "none" }],
    ["param hot = ", { kind: "none" }],
  ])("%j", (line, context) => {
    expect(completionContext(line)).toEqual(context);
  });
});

describe("completion items", () => {
  it("offers every statistic form of the catalogue, with the dataset's field in the snippet", () => {
    const items = statisticItems("temperature");
    expect(items).toHaveLength(STATISTICS.flatMap((s) => s.forms).length);
    const countIf = items.find((i) => i.label === "count(field > value)")!;
    expect(countIf.insertText).toBe("count(${1:temperature} > ${2:value})");
    expect(countIf.filterText).toBe("count");
    expect(countIf.documentation).toContain("What it reveals");
    expect(items.find((i) => i.label === "sum(field where field > value)")!.insertText).toBe(
      "sum(${1:temperature} where ${1:temperature} > ${2:value})",
    );
  });

  it("offers dataset names inside from \"…\"", () => {
    const items = completionItems({ kind: "dataset", typed: "" }, { datasets: [{ name: "greenhouse", unit: "°C", field: "temperature" }] });
    expect(items).toEqual([expect.objectContaining({ label: "greenhouse", kind: "dataset", detail: "temperature · °C" })]);
  });

  it("offers the field and the parameters as arguments, the parameters as values", () => {
    const params = declaredParams('param hot = 30.5 "hot above"\nparam cold=-2\nfrom "x"\n');
    expect(params).toEqual([
      { name: "hot", value: "30.5", description: "hot above" },
      { name: "cold", value: "-2" },
    ]);
    const args = completionItems({ kind: "argument", afterOperand: false }, { field: "temperature", params });
    expect(args.map((i) => i.label)).toEqual(["temperature", "value", "hot", "cold"]);
    expect(completionItems({ kind: "value" }, { params }).map((i) => i.label)).toEqual(["hot", "cold"]);
  });

  it("offers units after last <n> and nothing in a comment", () => {
    expect(completionItems({ kind: "unit" }).map((i) => i.label)).toEqual(expect.arrayContaining(["h", "d", "readings"]));
    expect(completionItems({ kind: "none" })).toEqual([]);
  });
});
