import { z } from "zod";
import { createError } from "../errors";
import { DatasetId, multiLineText, singleLineText } from "../shared/schemas";
import type { CellRecord, NotebookRecord } from "../store/records";
import { NOTEBOOK_LIMITS } from "./model";

/**
 * The notebook document format: a versioned JSON file of our own, in the spirit of .ipynb, that a
 * notebook is exported to and imported from. Plain data only: no ids (an import creates new ones),
 * no owner, no run results (those are on-chain handles only their buyer can decrypt).
 *
 * Version 1:
 *
 *     { "format": "iot-notebook", "version": 1,
 *       "metadata": { "title": "…", "exportedAt": "2030-01-01T00:00:00.000Z", "generator": "…" },
 *       "cells": [ { "kind": "markdown", "source": "…" },
 *                  { "kind": "recipe", "source": "…", "datasetId": "1" | null } ] }
 *
 * A change that old readers cannot ignore gets a new version; `checkEnvelope` tells importers of other
 * versions so in plain words.
 */
export const NOTEBOOK_FORMAT = "iot-notebook";
export const NOTEBOOK_FORMAT_VERSION = 1;
const GENERATOR = "iot-data-market-workbench";

const MarkdownCellV1 = z.strictObject({
  kind: z.literal("markdown"),
  source: multiLineText(NOTEBOOK_LIMITS.sourceLength),
});

const RecipeCellV1 = z.strictObject({
  kind: z.literal("recipe"),
  source: multiLineText(NOTEBOOK_LIMITS.sourceLength),
  datasetId: DatasetId.nullable().default(null),
});

/** A notebook document, format version 1. */
export const NotebookDocumentV1 = z
  .strictObject({
    format: z.literal(NOTEBOOK_FORMAT),
    version: z.literal(NOTEBOOK_FORMAT_VERSION),
    metadata: z.strictObject({
      title: singleLineText(NOTEBOOK_LIMITS.titleLength),
      exportedAt: z.iso.datetime().optional(),
      generator: z.string().max(100).optional(),
    }),
    cells: z.array(z.discriminatedUnion("kind", [MarkdownCellV1, RecipeCellV1])).max(NOTEBOOK_LIMITS.maxCells),
  })
  .meta({ id: "NotebookDocumentV1", description: "An exported notebook (format iot-notebook, version 1)" });

/** A notebook document, format version 1. */
export type NotebookDocument = z.output<typeof NotebookDocumentV1>;

/** The document of a notebook and its cells. */
export function toDocument(notebook: NotebookRecord, cells: readonly CellRecord[], exportedAt: Date): NotebookDocument {
  return {
    format: NOTEBOOK_FORMAT,
    version: NOTEBOOK_FORMAT_VERSION,
    metadata: { title: notebook.title, exportedAt: exportedAt.toISOString(), generator: GENERATOR },
    cells: cells.map((cell) =>
      cell.kind === "markdown"
        ? { kind: "markdown" as const, source: cell.source }
        : { kind: "recipe" as const, source: cell.source, datasetId: cell.datasetId },
    ),
  };
}

/**
 * Checks what a document claims to be before its content is validated, so that a file of another
 * format or version gets a clear error rather than a list of schema mismatches.
 */
export function checkEnvelope(value: unknown): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return; // the schema says what is wrong
  const { format, version } = value as { format?: unknown; version?: unknown };
  if (format !== NOTEBOOK_FORMAT) throw createError("ERR_NOTEBOOK_DOCUMENT_FORMAT");
  if (version !== NOTEBOOK_FORMAT_VERSION) {
    throw createError("ERR_NOTEBOOK_DOCUMENT_VERSION", {
      params: { version: JSON.stringify(version ?? null), supported: NOTEBOOK_FORMAT_VERSION },
      details: { supportedVersions: [NOTEBOOK_FORMAT_VERSION] },
    });
  }
}
