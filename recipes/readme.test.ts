import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listTemplates } from "./library";
import { KIND_INFO, RECIPE_KIND_NAMES, STATISTICS } from "./src/catalogue";
import { DIAGNOSTIC_CODES } from "./src/diagnostics";

const readme = readFileSync(join(import.meta.dirname, "README.md"), "utf8");

describe("the README stays in step with the code", () => {
  it("lists every statistic form with its kinds and description", () => {
    for (const spec of STATISTICS) {
      for (const form of spec.forms) expect(readme).toContain(`| \`${form.signature}\` | ${form.kinds.join(" + ")} | ${form.description} |`);
    }
  });

  it("says what every recipe kind reveals", () => {
    for (const kind of RECIPE_KIND_NAMES) expect(readme).toContain(`| ${kind} | `);
    for (const kind of RECIPE_KIND_NAMES) expect(readme).toContain(KIND_INFO[kind].reveals);
  });

  it("documents every diagnostic code", () => {
    for (const [code, { severity, summary }] of Object.entries(DIAGNOSTIC_CODES)) {
      expect(readme).toContain(`| \`${code}\` | ${severity} | ${summary} |`);
    }
  });

  it("lists every built-in template", () => {
    for (const t of listTemplates()) expect(readme).toContain(`| \`${t.id}\` | ${t.title} | ${t.kinds.join(", ")} |`);
  });
});
