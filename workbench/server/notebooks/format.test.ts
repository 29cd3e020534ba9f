import { describe, expect, it } from "vitest";
import { isAppError } from "../errors";
import { checkEnvelope, NotebookDocumentV1, toDocument } from "./format";

const notebook = { id: "n", owner: "0x", title: "Greenhouse", createdAt: "", updatedAt: "" };
const cell = (position: number, kind: "markdown" | "recipe", source: string, datasetId: string | null) => ({
  id: `c${position}`,
  notebookId: "n",
  position,
  kind,
  source,
  datasetId,
  createdAt: "",
  updatedAt: "",
});

const errorCode = (fn: () => void) => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return isAppError(error) ? error.code : String(error);
  }
};

describe("notebook document format", () => {
  it("writes a version 1 document that its own schema reads back", () => {
    const document = toDocument(notebook, [cell(0, "markdown", "# Notes", null), cell(1, "recipe", "mean(x)", "3")], new Date(0));
    expect(document).toEqual({
      format: "iot-notebook",
      version: 1,
      metadata: { title: "Greenhouse", exportedAt: "1970-01-01T00:00:00.000Z", generator: "iot-data-market-workbench" },
      cells: [
        { kind: "markdown", source: "# Notes" },
        { kind: "recipe", source: "mean(x)", datasetId: "3" },
      ],
    });
    expect(NotebookDocumentV1.parse(JSON.parse(JSON.stringify(document)))).toEqual(document);
  });

  it("names the version it cannot read", () => {
    expect(errorCode(() => checkEnvelope({ format: "iot-notebook", version: 2 }))).toBe("ERR_NOTEBOOK_DOCUMENT_VERSION");
    expect(errorCode(() => checkEnvelope({ format: "iot-notebook" }))).toBe("ERR_NOTEBOOK_DOCUMENT_VERSION");
    expect(errorCode(() => checkEnvelope({ nbformat: 4, cells: [] }))).toBe("ERR_NOTEBOOK_DOCUMENT_FORMAT");
    expect(errorCode(() => checkEnvelope({ format: "iot-notebook", version: 1 }))).toBeUndefined();
  });

  it("rejects a dataset on a markdown cell and unknown fields", () => {
    const base = { format: "iot-notebook", version: 1, metadata: { title: "t" } };
    expect(NotebookDocumentV1.safeParse({ ...base, cells: [{ kind: "markdown", source: "", datasetId: "1" }] }).success).toBe(false);
    expect(NotebookDocumentV1.safeParse({ ...base, cells: [], extra: true }).success).toBe(false);
    expect(NotebookDocumentV1.parse({ ...base, cells: [{ kind: "recipe", source: "" }] }).cells[0]).toEqual({
      kind: "recipe",
      source: "",
      datasetId: null,
    });
  });
});
