import { describe, expect, it } from "vitest";
import { check, checkApprovals, requiredKinds, type DatasetContext } from "./checker";
import type { RecipeIR } from "./ir";
import { RecipeIRSchema } from "./ir";

const THERMOMETER: DatasetContext = { field: "temperature", unit: "°C", scale: 2, offset: -5000, k: 10 };

function ir(source: string, options: { params?: Record<string, number | string>; dataset?: DatasetContext } = {}): RecipeIR {
  const result = check({ source, ...options });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  return result.ir;
}

/** `line:column-endColumn code: message` of every diagnostic. */
function problems(source: string, options: { params?: Record<string, number | string>; dataset?: DatasetContext } = {}): string[] {
  return check({ source, ...options }).diagnostics.map((d) => `${d.line}:${d.column}-${d.endColumn} ${d.code}: ${d.message}`);
}

const recipe = (...statistics: string[]) => ['from "greenhouse" window last 24h', ...statistics].join("\n");

describe("check: the typed IR", () => {
  it("compiles the issue's example", () => {
    const result = ir(
      [
        "# Greenhouse: how hot was yesterday?",
        'param hot = 30.0 "Temperature counted as hot"',
        'from "greenhouse-temp" window last 24h',
        "mean(temperature)",
        "count(temperature > hot)",
        "histogram(temperature, [0, 10, 20, 30, 40])",
      ].join("\n"),
      { dataset: THERMOMETER },
    );
    expect(result).toEqual({
      version: 1,
      dataset: "greenhouse-temp",
      field: "temperature",
      window: { type: "duration", seconds: 86_400 },
      params: [{ name: "hot", value: "30", default: "30", description: "Temperature counted as hot" }],
      statistics: [
        { stat: "mean", label: "mean(temperature)", source: "mean(temperature)", span: { line: 4, column: 1, endLine: 4, endColumn: 18 } },
        {
          stat: "countIf",
          predicate: { cmp: "GT", a: "30" },
          label: "count(temperature > hot)",
          source: "count(temperature > hot)",
          span: { line: 5, column: 1, endLine: 5, endColumn: 25 },
        },
        {
          stat: "histogram",
          bounds: ["0", "10", "20", "30", "40"],
          label: "histogram(temperature, [0, 10, 20, 30, 40])",
          source: "histogram(temperature, [0, 10, 20, 30, 40])",
          span: { line: 6, column: 1, endLine: 6, endColumn: 44 },
        },
      ],
    });
    expect(RecipeIRSchema.safeParse(result).success).toBe(true);
  });

  it.each([
    ["count()", { stat: "count" }],
    ["count(temperature)", { stat: "count" }],
    ["count(temperature > 30)", { stat: "countIf", predicate: { cmp: "GT", a: "30" } }],
    ["count(temperature >= 30)", { stat: "countIf", predicate: { cmp: "GE", a: "30" } }],
    ["count(temperature < -5.5)", { stat: "countIf", predicate: { cmp: "LT", a: "-5.5" } }],
    ["count(temperature <= 30.10)", { stat: "countIf", predicate: { cmp: "LE", a: "30.1" } }],
    ["count(temperature between 18 and 24)", { stat: "countIf", predicate: { cmp: "BETWEEN", a: "18", b: "24" } }],
    ["count(temperature == 21)", { stat: "countIf", predicate: { cmp: "BETWEEN", a: "21", b: "21" } }],
    ["count(30 < temperature)", { stat: "countIf", predicate: { cmp: "GT", a: "30" } }],
    ["count(30 >= temperature)", { stat: "countIf", predicate: { cmp: "LE", a: "30" } }],
    ["share(temperature between 18 and 24)", { stat: "share", predicate: { cmp: "BETWEEN", a: "18", b: "24" } }],
    ["sum(temperature)", { stat: "sum" }],
    ["sum(temperature where temperature > 30)", { stat: "sumIf", predicate: { cmp: "GT", a: "30" } }],
    ["mean(temperature)", { stat: "mean" }],
    ["mean(value where value >= 30)", { stat: "meanIf", predicate: { cmp: "GE", a: "30" } }],
    ["min(temperature)", { stat: "min" }],
    ["max(temperature)", { stat: "max" }],
    ["range(temperature)", { stat: "range" }],
    ["histogram(temperature, [-10, 0.5, 20])", { stat: "histogram", bounds: ["-10", "0.5", "20"] }],
    ["variance(temperature)", { stat: "variance" }],
    ["stddev(temperature)", { stat: "stddev" }],
    ["alert(temperature > 35)", { stat: "alert", predicate: { cmp: "GT", a: "35" } }],
  ])("compiles %s", (statistic, expected) => {
    expect(ir(recipe(statistic), { dataset: THERMOMETER }).statistics[0]).toMatchObject(expected);
  });

  it("uses the label after 'as', or the canonical text", () => {
    const { statistics } = ir(recipe('mean(temperature) as "Average"', "max( temperature )"));
    expect(statistics.map((s) => s.label)).toEqual(["Average", "max(temperature)"]);
  });

  it("accepts 'value' as the field of any dataset", () => {
    expect(ir(recipe("mean(value)"), { dataset: THERMOMETER }).field).toBe("temperature");
    expect(ir(recipe("mean(value)")).field).toBe("value");
  });

  it("takes the field name from the recipe when the dataset is not known", () => {
    expect(ir(recipe("mean(humidity)")).field).toBe("humidity");
  });

  it.each([
    ["last 24h", { type: "duration", seconds: 86_400 }],
    ["last 30m", { type: "duration", seconds: 1_800 }],
    ["last 7d", { type: "duration", seconds: 604_800 }],
    ["last 2 weeks", { type: "duration", seconds: 1_209_600 }],
    ["last 1.5h", { type: "duration", seconds: 5_400 }],
    ["last 90 s", { type: "duration", seconds: 90 }],
    ["last 500 readings", { type: "readings", count: 500 }],
    ["from 2026-11-01 to 2026-11-02", { type: "range", from: 1_793_491_200, to: 1_793_577_600 }],
    ["from 2026-11-01T08:00+02:00 to 2026-11-01T10:00Z", { type: "range", from: 1_793_512_800, to: 1_793_527_200 }],
    ["since last report", { type: "sinceLastReport" }],
    ["all", { type: "all" }],
  ])("resolves the window %s", (window, expected) => {
    expect(ir(`from "d" window ${window}\nmean(value)`).window).toEqual(expected);
  });

  it("reads every reading when the window is left out", () => {
    expect(ir('from "d"\nmean(value)').window).toEqual({ type: "all" });
  });

  it("applies parameter overrides (a forked template) and keeps the defaults", () => {
    const source = 'param hot = 30 "Hot above"\nfrom "d"\ncount(temperature > hot)\ncount(temperature < -hot)';
    const result = ir(source, { params: { hot: "32.5" } });
    expect(result.params).toEqual([{ name: "hot", value: "32.5", default: "30", description: "Hot above" }]);
    expect(result.statistics.map((s) => "predicate" in s && s.predicate)).toEqual([
      { cmp: "GT", a: "32.5" },
      { cmp: "LT", a: "-32.5" },
    ]);
    expect(ir(source, { params: { hot: 31 } }).params[0].value).toBe("31");
  });
});

describe("check: diagnostics", () => {
  it("suggests the statistic a misspelt name means", () => {
    const result = check({ source: recipe("meen(temperature)") });
    expect(result.diagnostics).toEqual([
      {
        line: 2,
        column: 1,
        endLine: 2,
        endColumn: 5,
        severity: "error",
        code: "unknown-statistic",
        message: "unknown statistic 'meen' — did you mean 'mean'?",
        suggestion: "mean",
      },
    ]);
  });

  it("suggests the statistic an alias means", () => {
    expect(problems(recipe("avg(temperature)"))).toEqual(["2:1-4 unknown-statistic: unknown statistic 'avg' — did you mean 'mean'?"]);
  });

  it("lists the statistics when nothing is close", () => {
    expect(problems(recipe("frobnicate(temperature)"))[0]).toContain("the statistics are count, share, sum, mean");
  });

  it("names the dataset's field when another one is used", () => {
    const [d] = check({ source: recipe("mean(temp)"), dataset: THERMOMETER }).diagnostics;
    expect(d).toMatchObject({
      line: 2,
      column: 6,
      endColumn: 10,
      code: "unknown-field",
      message: "unknown field 'temp' — this dataset measures 'temperature'",
      suggestion: "temperature",
    });
  });

  it("suggests a misspelt parameter", () => {
    expect(problems("param hot = 30\n" + recipe("count(temperature > hto)"))).toEqual([
      "1:7-10 unused-param: parameter 'hot' is never used",
      "3:21-24 unknown-param: unknown parameter 'hto' — did you mean 'hot'?",
    ]);
  });

  it("asks to declare an unknown name", () => {
    expect(problems(recipe("count(temperature > limit)"))).toEqual([
      "2:21-26 unknown-param: unknown name 'limit'; declare it first: param limit = 0",
    ]);
  });

  it("reports a duplicate parameter at its second declaration", () => {
    expect(problems("param a = 1\nparam a = 2\n" + recipe("count(x > a)"))).toEqual([
      "2:7-8 duplicate-param: parameter 'a' is already declared on line 1",
    ]);
  });

  it("warns about unused parameters without failing", () => {
    const result = check({ source: "param unused = 1\n" + recipe("mean(x)") });
    expect(result.ok).toBe(true);
    expect(result.diagnostics.map((d) => [d.severity, d.code])).toEqual([["warning", "unused-param"]]);
  });

  it("rejects a parameter named like the field", () => {
    expect(problems("param value = 1\n" + recipe("count(value > 1)"))[0]).toBe(
      "1:7-12 param-shadows-field: 'value' names the dataset's field; give the parameter another name",
    );
  });

  it("reports overrides for parameters the recipe does not declare", () => {
    expect(problems("param hot = 1\n" + recipe("count(x > hot)"), { params: { hto: 2 } })).toEqual([
      "1:1-1 unknown-override: a value was given for parameter 'hto', which this recipe does not declare — did you mean 'hot'?",
    ]);
  });

  it("reports an override that is not a decimal at the parameter's value", () => {
    expect(problems("param hot = 1\n" + recipe("count(x > hot)"), { params: { hot: "hot!" } })).toEqual([
      "1:13-14 invalid-override: the value given for parameter 'hot' (hot!) is not a decimal number such as 30.5",
    ]);
  });

  it("reports histogram bounds that do not increase at the offending bound", () => {
    expect(problems(recipe("histogram(temperature, [0, 20, 20, 30])"))).toEqual([
      "2:32-34 bounds-not-increasing: histogram bounds must increase: 20 is not greater than 20",
    ]);
  });

  it("limits histogram bounds to 1..8", () => {
    expect(problems(recipe("histogram(t, [])"))).toEqual([
      "2:14-16 bounds-count: a histogram takes 1 to 8 bounds (making 2 to 9 buckets), got 0",
    ]);
    expect(problems(recipe("histogram(t, [1, 2, 3, 4, 5, 6, 7, 8, 9])"))[0]).toContain("got 9");
  });

  it("rejects decimals finer than the dataset's scale", () => {
    expect(problems(recipe("count(temperature > 30.125)"), { dataset: THERMOMETER })).toEqual([
      "2:21-27 too-precise: 30.125 is finer than this dataset's resolution of 0.01 °C; use at most 2 decimals",
    ]);
  });

  it("names the parameter whose value is too precise", () => {
    expect(problems("param hot = 30.125\n" + recipe("count(temperature > hot)"), { dataset: THERMOMETER })).toEqual([
      "3:21-24 too-precise: hot (= 30.125) is finer than this dataset's resolution of 0.01 °C; use at most 2 decimals",
    ]);
  });

  it("rejects values below the dataset's offset", () => {
    expect(problems(recipe("histogram(temperature, [-60, 0])"), { dataset: THERMOMETER })).toEqual([
      "2:25-28 below-range: -60 is below the lowest value this dataset can hold (-50 °C)",
    ]);
  });

  it("rejects values above what a euint64 holds", () => {
    expect(problems(recipe("count(temperature > 999999999999999999999)"), { dataset: THERMOMETER })[0]).toContain(
      "above-range: 999999999999999999999 is above the highest value this dataset can hold",
    );
  });

  it("offers the fixed text for a reversed between", () => {
    const [d] = check({ source: recipe("count(t between 24 and 18)") }).diagnostics;
    expect(d).toMatchObject({ line: 2, column: 7, endColumn: 26, code: "between-reversed", suggestion: "t between 18 and 24" });
  });

  it("explains that != is not supported", () => {
    expect(problems(recipe("count(t != 3)"))).toEqual([
      "2:9-11 unsupported-comparison: '!=' is not supported on encrypted readings; use '==' and take the complement (e.g. count() minus count(x == v))",
    ]);
  });

  it("rewrites a condition that needs 'where'", () => {
    const [d] = check({ source: recipe("mean(temperature > 30)") }).diagnostics;
    expect(d).toMatchObject({
      line: 2,
      column: 1,
      endColumn: 23,
      code: "wrong-arguments",
      message: "mean of the readings that meet a condition is written mean(temperature where temperature > 30)",
      suggestion: "mean(temperature where temperature > 30)",
    });
  });

  it("rewrites a 'where' that a count does not need", () => {
    const [d] = check({ source: recipe("count(t where t > 30)") }).diagnostics;
    expect(d).toMatchObject({ code: "wrong-arguments", suggestion: "count(t > 30)" });
  });

  it("lists a statistic's forms when the arguments match none", () => {
    expect(problems(recipe("histogram(t)"))).toEqual(["2:1-13 wrong-arguments: histogram is written histogram(field, [b1, b2, …])"]);
    expect(problems(recipe("count(t, t)"))).toEqual([
      "2:1-12 wrong-arguments: count is written count() or count(field) or count(field > value)",
    ]);
  });

  it("wants the field where the field goes", () => {
    expect(problems("param hot = 1\n" + recipe("mean(hot)"))).toEqual([
      "3:6-9 wrong-arguments: expected the dataset's field here (e.g. 'value'), found parameter 'hot'",
    ]);
    expect(problems(recipe("sum(30)"), { dataset: THERMOMETER })).toEqual([
      "2:5-7 wrong-arguments: expected the dataset's field here ('temperature' or 'value'), found the number 30",
    ]);
  });

  it("rejects conditions without the field or with it on both sides", () => {
    expect(problems("param a = 1\n" + recipe("count(a > 3)"))).toEqual([
      "3:7-12 constant-comparison: a condition compares the dataset's field with a value, e.g. value > 3",
    ]);
    expect(problems(recipe("count(value > value)"))).toEqual([
      "2:7-20 field-on-both-sides: compare the field with a number or a parameter, not with itself",
    ]);
  });

  it("warns when one recipe names two different fields", () => {
    const result = check({ source: recipe("mean(temperature)", "max(temprature)") });
    expect(result.ok).toBe(true);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ line: 3, column: 5, code: "mixed-fields", severity: "warning", suggestion: "temperature" }),
    ]);
  });

  it("requires a from line and at least one statistic", () => {
    expect(problems("mean(x)")).toEqual([
      '1:1-8 missing-from: the recipe does not say which dataset it reads — add a line such as: from "dataset-name" window last 24h',
    ]);
    expect(problems('from "d"')).toEqual(["1:1-9 no-statistics: the recipe asks for no statistic — add one such as mean(value)"]);
    expect(problems('from "a"\nfrom "b"\nmean(x)')).toEqual([
      "2:1-9 duplicate-from: a recipe reads one dataset; it already has a 'from' line on line 1",
    ]);
  });

  it.each([
    ['from "d" window last 24hr', "1:24-26 unknown-window-unit: unknown window unit 'hr' — did you mean 'h'? Units: s, m, h, d, w (or seconds … weeks) and readings"],
    ['from "d" window last 0h', "1:17-24 invalid-window: a window must last a whole number of seconds, at least one"],
    ['from "d" window last 2.5 readings', "1:22-25 invalid-window: a number of readings must be a whole number of at least 1"],
    ['from "d" window from 2026-02-30 to 2026-03-02', "1:22-32 invalid-date: '2026-02-30' is not a valid date or time"],
    ['from "d" window from 2026-11-02 to 2026-11-01', "1:17-46 empty-date-range: the range must end after it starts (2026-11-01 is not after 2026-11-02); the end is exclusive"],
  ])("rejects the window in %s", (line, expected) => {
    expect(problems(`${line}\nmean(x)`)).toEqual([expected]);
  });

  it.each([
    ["100000000000000000000h", "1:17-44 invalid-window: a window lasts at most 36525 days (100 years); 'window all' takes every reading"],
    ["100000000000000000000 s", "1:17-45 invalid-window: a window lasts at most 36525 days (100 years); 'window all' takes every reading"],
    ["36526d", "1:17-28 invalid-window: a window lasts at most 36525 days (100 years); 'window all' takes every reading"],
    [
      "100000000000000000000 readings",
      "1:22-43 invalid-window: a window holds at most 9,007,199,254,740,991 readings; 'window all' takes every reading",
    ],
  ])("rejects a window too long to mean anything: last %s", (amount, expected) => {
    expect(problems(`from "d" window last ${amount}\nmean(x)`)).toEqual([expected]);
  });

  it("accepts the longest windows", () => {
    expect(problems('from "d" window last 36525d\nmean(x)')).toEqual([]);
    expect(problems('from "d" window last 9007199254740991 readings\nmean(x)')).toEqual([]);
  });

  it("rejects a reading-count window shorter than one bucket of k readings", () => {
    expect(problems('from "d" window last 5 readings\nmean(temperature)', { dataset: THERMOMETER })).toEqual([
      "1:17-32 invalid-window: last 5 readings is less than one bucket of this dataset (k = 10); ask for at least 10 readings",
    ]);
  });

  it("rejects a recipe that needs more than 8 contract operations, at the ninth", () => {
    const statistics = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `count(t > ${i})`);
    expect(problems(recipe(...statistics))).toEqual([
      "10:1-13 too-many-ops: this recipe needs 9 contract operations and one program holds at most 8; split it into two recipes",
    ]);
  });

  it("shares operations between statistics that need the same one", () => {
    const result = check({ source: recipe(...[1, 2, 3, 4, 5, 6, 7].map((i) => `count(t > ${i})`), "min(t)", "range(t)", "share(t > 1)") });
    expect(result.diagnostics.filter((d) => d.code === "too-many-ops")).toEqual([
      expect.objectContaining({ line: 10, message: expect.stringContaining("needs 9 contract operations") }),
    ]);
    expect(check({ source: recipe(...[1, 2, 3, 4, 5, 6].map((i) => `count(t > ${i})`), "min(t)", "range(t)", "share(t > 1)") }).ok).toBe(true);
  });

  it("rejects a recipe whose operations do not fit one transaction even for a single reading", () => {
    const histograms = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `histogram(t, [${i}, 10, 20, 30, 40, 50, 60, 70])`);
    expect(problems(recipe(...histograms))).toEqual([
      "9:1-46 too-expensive: these statistics cost 23,428,352 HCU for a single reading, more than the 20,000,000 one transaction allows; split the recipe",
    ]);
  });

  it("warns about two statistics with one label", () => {
    expect(problems(recipe('mean(t) as "x"', 'max(t) as "x"'))).toEqual([
      '3:1-14 duplicate-label: two statistics are labelled "x" (also line 2); give one another label with as "…"',
    ]);
  });

  it("reports syntax and semantic errors together, in source order", () => {
    const source = ["param hot = 30", 'from "greenhouse" window last 24h', "meen(temperature)", "count(temperature > )", "count(temperature > hto)"].join("\n");
    expect(check({ source }).diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      "1:7 unused-param",
      "3:1 unknown-statistic",
      "4:21 syntax-error",
      "5:21 unknown-param",
    ]);
  });
});

describe("requiredKinds and approvals", () => {
  const all = ir(
    recipe(
      "mean(temperature)",
      "stddev(temperature)",
      "range(temperature)",
      "sum(temperature where temperature > 30)",
      "histogram(temperature, [0, 10])",
      "alert(temperature > 35)",
    ),
  );

  it("lists the kinds a recipe needs, in kind-code order", () => {
    expect(requiredKinds(all)).toEqual(["MEAN", "MIN", "MAX", "COUNT_IF", "SUM_IF", "HISTOGRAM", "VARIANCE", "ALERT"]);
    expect(requiredKinds(ir(recipe("share(t > 1)")))).toEqual(["COUNT_IF"]);
  });

  it("says which statistic the seller has not approved, in words", () => {
    const diagnostics = checkApprovals({ ir: all, approvedKinds: ["MEAN", "MIN", "MAX", "COUNT_IF", "VARIANCE", "ALERT"] });
    expect(diagnostics.map((d) => `${d.line}:${d.column}-${d.endColumn} ${d.code}: ${d.message}`)).toEqual([
      "5:1-40 kind-not-approved: the seller has not approved conditional sum on this dataset, so sum(temperature where temperature > 30) cannot run",
      "6:1-32 kind-not-approved: the seller has not approved histogram on this dataset, so histogram(temperature, [0, 10]) cannot run",
    ]);
  });

  it("checks approvals as part of check() when the dataset says what is approved", () => {
    const result = check({ source: recipe("mean(temperature)", "range(temperature)"), dataset: { ...THERMOMETER, approvedKinds: ["MEAN", "MIN"] } });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      "the seller has not approved maximum on this dataset, so range(temperature) cannot run",
    ]);
  });
});
