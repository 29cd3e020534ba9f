/**
 * The notebook document format, version 1 (the service's notebooks/format.ts is the authority and
 * validates every import): what an exported `.iot-notebook.json` file holds, and reading such a
 * file in the browser so that an obviously wrong file gets a clear message before it is sent.
 */
import type { z } from "zod";
import type { NotebookDocumentV1 } from "../../../server/notebooks/format";

/**
 * A notebook document, format iot-notebook version 1, as an import sends it: the input of the
 * service's schema, the one definition of the format.
 */
export type NotebookDocument = z.input<typeof NotebookDocumentV1>;

/** A cell of a document. */
export type DocumentCell = NotebookDocument["cells"][number];

/** The outcome of reading a file. */
export type ReadDocumentResult = { ok: true; document: NotebookDocument } | { ok: false; message: string };

/** Reads an exported notebook file's text. */
export function readNotebookDocument(text: string): ReadDocumentResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: "This file is not JSON; choose a notebook exported from the workbench (.iot-notebook.json)." };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: "This file does not hold a notebook document." };
  }
  const doc = value as Partial<NotebookDocument> & { nbformat?: unknown };
  if (doc.nbformat !== undefined) return { ok: false, message: "This is a Jupyter notebook (.ipynb); the workbench imports its own .iot-notebook.json documents." };
  if (doc.format !== "iot-notebook") return { ok: false, message: 'This file is not an iot-notebook document (its "format" is not "iot-notebook").' };
  if (doc.version !== 1) return { ok: false, message: `Notebook documents of version ${JSON.stringify(doc.version ?? null)} cannot be imported; this workbench reads version 1.` };
  if (typeof doc.metadata?.title !== "string" || doc.metadata.title.trim() === "") return { ok: false, message: "The document has no title." };
  if (!Array.isArray(doc.cells)) return { ok: false, message: "The document has no list of cells." };
  for (const [i, cell] of doc.cells.entries()) {
    if (typeof cell !== "object" || cell === null || (cell.kind !== "markdown" && cell.kind !== "recipe") || typeof cell.source !== "string") {
      return { ok: false, message: `Cell ${i + 1} is not a markdown or recipe cell with a source.` };
    }
  }
  return { ok: true, document: doc as NotebookDocument };
}

/** A file name for an exported notebook. */
export function documentFileName(title: string): string {
  const base = title.normalize("NFKD").replace(/[^A-Za-z0-9 _.-]/g, "").trim().replace(/\s+/g, "-").replace(/^[.\-_]+|[.\-_]+$/g, "").slice(0, 80);
  return `${base || "notebook"}.iot-notebook.json`;
}
