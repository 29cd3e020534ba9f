import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderErrorTable } from "../scripts/print-error-table";
import { AppError, createError, ERRORS, isAppError, toErrorBody } from "./errors";

describe("error registry", () => {
  it("names every code ERR_<AREA>_<REASON> with a 4xx or 5xx status", () => {
    for (const [code, { status, message }] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^ERR_[A-Z]+(_[A-Z0-9]+)+$/);
      expect(status >= 400 && status < 600, code).toBe(true);
      expect(message.length, code).toBeGreaterThan(10);
    }
  });

  it("fills a message template from its params, with the registry's status", () => {
    const error = createError("ERR_NOTEBOOK_NOT_FOUND", { params: { notebookId: "n-1" } });
    expect(error).toBeInstanceOf(AppError);
    expect([error.code, error.statusCode, error.message]).toEqual(["ERR_NOTEBOOK_NOT_FOUND", 404, "Notebook n-1 was not found."]);
    expect(isAppError(error, "ERR_NOTEBOOK_NOT_FOUND")).toBe(true);
    expect(isAppError(error, "ERR_CELL_NOT_FOUND")).toBe(false);
  });

  it("keeps quoted client input short and on one line", () => {
    const error = createError("ERR_ROUTE_NOT_FOUND", { params: { method: "GET", path: `/x\n${"y".repeat(500)}` } });
    expect(error.message).not.toContain("\n");
    expect(error.message.length).toBeLessThan(200);
  });

  it("sends { error: { code, message, details? } } and nothing else", () => {
    expect(toErrorBody(createError("ERR_AUTH_REQUIRED"))).toEqual({ error: { code: "ERR_AUTH_REQUIRED", message: "Sign in to use this route." } });
    const cause = new Error("internal detail");
    const body = toErrorBody(createError("ERR_SERVICE_INTERNAL", { params: { requestId: "r1" }, cause }));
    expect(JSON.stringify(body)).not.toContain("internal detail");
    expect(toErrorBody(createError("ERR_RECIPE_INVALID", { params: { count: 1 }, details: { diagnostics: [] } })).error.details).toEqual({
      diagnostics: [],
    });
  });

  it("is listed, code for code, in workbench/README.md", () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, "..", "README.md"), "utf8");
    expect(readme).toContain(renderErrorTable());
  });
});
