import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { SIGNED_IN } from "../plugins/docs";
import { COMMON_ERRORS, errorResponses } from "../shared/schemas";
import type { CellRecord } from "../store/records";
import { checkEnvelope, NotebookDocumentV1 } from "./format";
import {
  AddCellBody,
  Cell,
  CellParams,
  CreateNotebookBody,
  ListQuery,
  MoveCellBody,
  Notebook,
  NotebookPage,
  NotebookParams,
  NotebookSummary,
  RenameNotebookBody,
  UpdateCellBody,
} from "./schemas";
import { NotebookService, type NotebookWithCells } from "./service";

const errors = (...extra: number[]) => errorResponses(...COMMON_ERRORS, 401, ...extra);

/** Notebooks and their cells, private to the signed-in user. Mounted at /api/notebooks. */
const notebookRoutes: FastifyPluginAsyncZod = async (app) => {
  const notebooks = new NotebookService({ store: app.store, now: () => app.now() });
  // onRequest, before the body is parsed or validated: without a session every route answers 401.
  app.addHook("onRequest", app.requireUser);
  const owner = (request: { user: { address: string } | null }) => request.user!.address;
  const tags = ["notebooks"];

  app.get(
    "",
    {
      schema: { tags, security: SIGNED_IN, summary: "List your notebooks", querystring: ListQuery, response: { 200: NotebookPage, ...errors() } },
    },
    async (request) => {
      const page = await notebooks.list(owner(request), request.query);
      return { ...page, items: page.items.map(({ owner: _owner, ...summary }) => summary), ...request.query };
    },
  );

  app.post(
    "",
    { schema: { tags, security: SIGNED_IN, summary: "Create a notebook", body: CreateNotebookBody, response: { 201: Notebook, ...errors() } } },
    async (request, reply) => reply.status(201).send(toNotebook(await notebooks.create(owner(request), request.body))),
  );

  app.post(
    "/import",
    {
      // Before validation, so that a file of another format or version gets a clear error.
      preValidation: async (request) => checkEnvelope(request.body),
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Import a notebook document",
        description: "Creates a new notebook from an exported document (format iot-notebook, version 1).",
        body: NotebookDocumentV1,
        response: { 201: Notebook, ...errors() },
      },
    },
    async (request, reply) => reply.status(201).send(toNotebook(await notebooks.importDocument(owner(request), request.body))),
  );

  app.get(
    "/:notebookId",
    { schema: { tags, security: SIGNED_IN, summary: "Get a notebook with its cells", params: NotebookParams, response: { 200: Notebook, ...errors(404) } } },
    async (request) => toNotebook(await notebooks.get(owner(request), request.params.notebookId)),
  );

  app.patch(
    "/:notebookId",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Rename a notebook",
        params: NotebookParams,
        body: RenameNotebookBody,
        response: { 200: NotebookSummary.omit({ cellCount: true }), ...errors(404) },
      },
    },
    async (request) => {
      const { owner: _owner, ...notebook } = await notebooks.rename(owner(request), request.params.notebookId, request.body.title);
      return notebook;
    },
  );

  app.delete(
    "/:notebookId",
    { schema: { tags, security: SIGNED_IN, summary: "Delete a notebook", params: NotebookParams, response: { 204: z.undefined(), ...errors(404) } } },
    async (request, reply) => {
      await notebooks.delete(owner(request), request.params.notebookId);
      return reply.status(204).send();
    },
  );

  app.get(
    "/:notebookId/export",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Export a notebook as a document",
        description: "A versioned JSON document (format iot-notebook) that POST /api/notebooks/import reads back.",
        params: NotebookParams,
        response: { 200: NotebookDocumentV1, ...errors(404) },
      },
    },
    async (request, reply) => {
      const document = await notebooks.exportDocument(owner(request), request.params.notebookId);
      reply.header("content-disposition", `attachment; filename="${fileName(document.metadata.title)}.iot-notebook.json"`);
      return document;
    },
  );

  app.post(
    "/:notebookId/cells",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Add a cell",
        params: NotebookParams,
        body: AddCellBody,
        response: { 201: Cell, ...errors(404, 422) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(toCell(await notebooks.addCell(owner(request), request.params.notebookId, request.body))),
  );

  app.patch(
    "/:notebookId/cells/:cellId",
    {
      schema: { tags, security: SIGNED_IN, summary: "Change a cell", params: CellParams, body: UpdateCellBody, response: { 200: Cell, ...errors(404) } },
    },
    async (request) => toCell(await notebooks.updateCell(owner(request), request.params.notebookId, request.params.cellId, request.body)),
  );

  app.delete(
    "/:notebookId/cells/:cellId",
    { schema: { tags, security: SIGNED_IN, summary: "Delete a cell", params: CellParams, response: { 204: z.undefined(), ...errors(404) } } },
    async (request, reply) => {
      await notebooks.deleteCell(owner(request), request.params.notebookId, request.params.cellId);
      return reply.status(204).send();
    },
  );

  app.post(
    "/:notebookId/cells/:cellId/move",
    {
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Move a cell",
        description: "Moves the cell to `index`; returns the notebook in its new order.",
        params: CellParams,
        body: MoveCellBody,
        response: { 200: Notebook, ...errors(404) },
      },
    },
    async (request) =>
      toNotebook(await notebooks.moveCell(owner(request), request.params.notebookId, request.params.cellId, request.body.index)),
  );
};

/** A cell as the API shows it. */
export function toCell(cell: CellRecord): z.output<typeof Cell> {
  return {
    id: cell.id,
    index: cell.position,
    kind: cell.kind,
    source: cell.source,
    datasetId: cell.datasetId,
    createdAt: cell.createdAt,
    updatedAt: cell.updatedAt,
  };
}

function toNotebook(notebook: NotebookWithCells): z.output<typeof Notebook> {
  return {
    id: notebook.id,
    title: notebook.title,
    createdAt: notebook.createdAt,
    updatedAt: notebook.updatedAt,
    cells: notebook.cells.map(toCell),
  };
}

/** A safe file name from a title (the header value must stay plain ASCII without quotes). */
function fileName(title: string): string {
  const ascii = title.normalize("NFKD").replace(/[^A-Za-z0-9 _.-]/g, "").trim().replace(/\s+/g, "-");
  return ascii.slice(0, 80) || "notebook";
}

export default notebookRoutes;
