import { describe, expect, it } from "vitest";
import { check, requiredKinds } from "../src/checker";
import { formatFixed } from "../src/decimal";
import { format } from "../src/formatter";
import { interpretResults } from "../src/interpreter";
import { plan, type PlanDataset } from "../src/planner";
import { simulateRun } from "../src/test-support";
import { forkTemplate, getTemplate, listTemplates, type Template } from "./index";

const NOW = 1_800_000_000;
const templates = listTemplates();

/** 40 days of readings every 5 minutes, in k = 12 buckets (one hour), with the template's encoding. */
function datasetFor(template: Template): PlanDataset & { readingCount: number } {
  const readingCount = 40 * 24 * 12;
  const timestamps = Array.from({ length: readingCount }, (_, i) => NOW - (readingCount - 1 - i) * 300);
  const { scale, offset, unit } = template.example;
  return { id: 42n, scale, offset, unit, k: 12, readingCount, timestamps };
}

/** Deterministic readings in the template's typical range, at the dataset's resolution. */
function readingsFor(template: Template, n: number): string[] {
  const { scale, typical } = template.example;
  const [low, high] = typical;
  const unit = 10 ** scale;
  let seed = 12345;
  return Array.from({ length: n }, () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const scaled = Math.round((low + ((high - low) * seed) / 2 ** 31) * unit);
    return formatFixed(BigInt(scaled), scale);
  });
}

describe("the template library", () => {
  it("offers at least a dozen templates with unique kebab-case ids", () => {
    expect(templates.length).toBeGreaterThanOrEqual(12);
    const ids = templates.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    ids.forEach((id) => expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/));
  });

  it("finds a template by id", () => {
    expect(getTemplate("comfort-band")?.title).toBe("Comfort band");
    expect(getTemplate("no-such-template")).toBeUndefined();
  });
});

describe.each(templates.map((t) => [t.id, t] as const))("template %s", (_id, template) => {
  const context = { field: template.example.field, unit: template.example.unit, scale: template.example.scale, offset: template.example.offset, k: 12 };

  it("describes itself and every parameter", () => {
    expect(template.title).not.toBe("");
    expect(template.description.length).toBeGreaterThan(30);
    expect(template.tags.length).toBeGreaterThan(0);
    template.params.forEach((p) => expect(p.description).toBeTruthy());
  });

  it("is written in canonical format", () => {
    expect(format(template.source)).toEqual({ ok: true, text: template.source });
  });

  it("checks without any diagnostic against a dataset of its kind", () => {
    const result = check({ source: template.source, dataset: context });
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("runs on a private dataset of its kind, or says why not with a fix that runs", () => {
    // Readings clamped into the template's typical range, ε 0.1 … 2 per statistic, budget ε 10 (like the demo's).
    const [low, high] = template.example.typical;
    const encode = (v: number) => BigInt(Math.round(v * 10 ** template.example.scale)) - BigInt(template.example.offset);
    const privacy = { mode: "private", lowerBound: encode(low), upperBound: encode(high), budget: 10_000, minEpsilon: 100, maxEpsilon: 2000 } as const;
    const checked = check({ source: template.source, dataset: { ...context, privacy } });
    let source = template.source;
    if (!checked.ok) {
      const errors = checked.diagnostics.filter((d) => d.severity === "error");
      expect(errors.map((d) => d.code)).toEqual(errors.map(() => "kind-not-private"));
      // Apply every quick fix, from the last to the first, as the editor would.
      for (const d of [...errors].reverse()) {
        const lines = source.split("\n");
        const line = lines[d.line - 1]!;
        lines[d.line - 1] = line.slice(0, d.column - 1) + d.suggestion! + line.slice(d.endColumn - 1);
        source = lines.join("\n");
      }
    }
    const fixed = check({ source, dataset: { ...context, privacy } });
    expect(fixed.ok, JSON.stringify(fixed.diagnostics)).toBe(true);
    const dataset = datasetFor(template);
    const result = plan({ ir: fixed.ok ? fixed.ir : template.ir, dataset: { ...dataset, privacy }, now: NOW, previousReportEnd: dataset.readingCount - 600 });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.plan.privacy!.statistics).toHaveLength(result.plan.outputs.length);
  });

  it("lists the recipe kinds it needs", () => {
    expect(template.kinds).toEqual(requiredKinds(template.ir));
    expect(template.kinds.length).toBeGreaterThan(0);
  });

  it("plans against a sample dataset and its results read back", () => {
    const dataset = datasetFor(template);
    const result = plan({ ir: template.ir, dataset, now: NOW, previousReportEnd: dataset.readingCount - 600 });
    if (!result.ok) throw new Error(result.error.message);
    const p = result.plan;
    expect(p.window.length % dataset.k).toBe(0);
    expect(p.window.length).toBeGreaterThan(0);
    expect(p.steps.reduce((sum, s) => sum + s.size, 0)).toBe(p.window.length);
    p.steps.forEach((s) => expect(s.hcu).toBeLessThan(20_000_000));
    const results = interpretResults({ plan: p, decrypted: simulateRun(p, readingsFor(template, p.window.length)) });
    expect(results.map((r) => r.label)).toEqual(template.ir.statistics.map((s) => s.label));
  });

  it("forks with other parameter values onto a dataset", () => {
    const params = Object.fromEntries(template.params.map((p) => [p.name, String(Number(p.default) + 1)]));
    const fork = forkTemplate({ id: template.id, params, dataset: "my-sensor" });
    if (!fork?.ok) throw new Error("fork failed");
    const checked = check({ source: fork.source, dataset: context });
    if (!checked.ok) throw new Error(checked.diagnostics.map((d) => d.message).join("\n"));
    expect(checked.ir.dataset).toBe("my-sensor");
    expect(checked.ir.params.map((p) => p.default)).toEqual(template.params.map((p) => String(Number(p.default) + 1)));
    expect(checked.ir.statistics).toHaveLength(template.ir.statistics.length);
  });
});

describe("forkTemplate", () => {
  it("renames the field for a dataset that calls it differently, keeping comments", () => {
    const fork = forkTemplate({ id: "heat-exceedance", params: { limit: "32.5" }, field: "temp_c", dataset: "greenhouse-7" });
    expect(fork).toEqual({
      ok: true,
      source: [
        "# How often was it too hot in the last 24 hours?",
        'param limit = 32.5 "Temperature above which a reading counts as hot (°C)"',
        "",
        'from "greenhouse-7" window last 24h',
        "",
        'count(temp_c > limit) as "Hot readings"',
        'share(temp_c > limit) as "Share of the day above the limit"',
        'max(temp_c) as "Hottest reading"',
        "",
      ].join("\n"),
    });
  });

  it("leaves the value alias alone: it fits every dataset", () => {
    const fork = forkTemplate({ id: "daily-summary", field: "humidity" });
    expect(fork?.ok && fork.source).toContain("mean(value)");
  });

  it("reports parameter values that do not fit, and unknown templates", () => {
    const bad = forkTemplate({ id: "heat-exceedance", params: { limt: 3 } });
    expect(bad?.ok === false && bad.diagnostics.map((d) => d.code)).toEqual(["unknown-override"]);
    expect(forkTemplate({ id: "nope" })).toBeUndefined();
  });
});
