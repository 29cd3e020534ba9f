import { describe, expect, it } from "vitest";
import { documentFileName, readNotebookDocument } from "./format";

const valid = { format: "iot-notebook", version: 1, metadata: { title: "Greenhouse" }, cells: [{ kind: "markdown", source: "# Hi" }] };

describe("notebook documents", () => {
  it("reads an exported document", () => {
    expect(readNotebookDocument(JSON.stringify(valid))).toEqual({ ok: true, document: valid });
  });

  it.each([
    ["not json", "This file is not JSON"],
    [JSON.stringify({ nbformat: 4, cells: [] }), "This is a Jupyter notebook"],
    [JSON.stringify({ ...valid, format: "other" }), "not an iot-notebook document"],
    [JSON.stringify({ ...valid, version: 2 }), "version 2 cannot be imported"],
    [JSON.stringify({ ...valid, cells: [{ kind: "code", source: "" }] }), "Cell 1 is not a markdown or recipe cell"],
  ])("explains why %s cannot be imported", (text, message) => {
    const result = readNotebookDocument(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toContain(message);
  });

  it("names the exported file after the title", () => {
    expect(documentFileName("Greenhouse, week 47")).toBe("Greenhouse-week-47.iot-notebook.json");
    expect(documentFileName("…")).toBe("notebook.iot-notebook.json");
  });
});
