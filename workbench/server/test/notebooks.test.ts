import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../app";
import type { Store } from "../store/store";
import { as, createTestApp, expectError, signIn, type TestUser } from "./support/app";
import { describeEachBackend, snapshotStore } from "./support/backends";

describeEachBackend("notebooks API", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let app: App;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
    app = await createTestApp({ store });
    alice = await signIn(app);
    bob = await signIn(app);
  });
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  async function createNotebook(user: TestUser, title = "Greenhouse") {
    const response = await as(app, user, { method: "POST", url: "/api/notebooks", payload: { title } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; title: string; cells: unknown[] };
  }

  async function addCell(user: TestUser, notebookId: string, payload: Record<string, unknown>) {
    const response = await as(app, user, { method: "POST", url: `/api/notebooks/${notebookId}/cells`, payload });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; index: number; kind: string; source: string; datasetId: string | null };
  }

  const getNotebook = async (user: TestUser, id: string) => (await as(app, user, { method: "GET", url: `/api/notebooks/${id}` })).json();
  const sources = async (user: TestUser, id: string) =>
    (await getNotebook(user, id)).cells.map((c: { index: number; source: string }) => `${c.index}:${c.source}`);

  it("creates, lists, renames and deletes a notebook", async () => {
    const created = await createNotebook(alice, "  Week 47  ");
    expect(created).toMatchObject({ title: "Week 47", cells: [] });

    const list = await as(app, alice, { method: "GET", url: "/api/notebooks?limit=100" });
    expect(list.json()).toMatchObject({ limit: 100, offset: 0 });
    expect(list.json().items.find((n: { id: string }) => n.id === created.id)).toMatchObject({ title: "Week 47", cellCount: 0 });

    const renamed = await as(app, alice, { method: "PATCH", url: `/api/notebooks/${created.id}`, payload: { title: "Week 48" } });
    expect(renamed.json()).toMatchObject({ id: created.id, title: "Week 48" });

    expect((await as(app, alice, { method: "DELETE", url: `/api/notebooks/${created.id}` })).statusCode).toBe(204);
    expectError(await as(app, alice, { method: "GET", url: `/api/notebooks/${created.id}` }), 404, "ERR_NOTEBOOK_NOT_FOUND");
  });

  it("keeps cells in order through adds, moves, edits and deletes", async () => {
    const notebook = await createNotebook(alice);
    const a = await addCell(alice, notebook.id, { kind: "markdown", source: "a" });
    const c = await addCell(alice, notebook.id, { kind: "recipe", source: "c", datasetId: "7" });
    const b = await addCell(alice, notebook.id, { kind: "markdown", source: "b", index: 1 });
    expect([a.index, c.index, b.index]).toEqual([0, 1, 1]);
    expect(c.datasetId).toBe("7");
    expect(await sources(alice, notebook.id)).toEqual(["0:a", "1:b", "2:c"]);

    const moved = await as(app, alice, { method: "POST", url: `/api/notebooks/${notebook.id}/cells/${a.id}/move`, payload: { index: 2 } });
    expect(moved.json().cells.map((cell: { source: string }) => cell.source)).toEqual(["b", "c", "a"]);

    const edited = await as(app, alice, { method: "PATCH", url: `/api/notebooks/${notebook.id}/cells/${c.id}`, payload: { source: "c2" } });
    expect(edited.json()).toMatchObject({ source: "c2", kind: "recipe", datasetId: "7" });
    const toMarkdown = await as(app, alice, { method: "PATCH", url: `/api/notebooks/${notebook.id}/cells/${c.id}`, payload: { kind: "markdown" } });
    expect(toMarkdown.json()).toMatchObject({ kind: "markdown", datasetId: null });

    expect((await as(app, alice, { method: "DELETE", url: `/api/notebooks/${notebook.id}/cells/${b.id}` })).statusCode).toBe(204);
    expect(await sources(alice, notebook.id)).toEqual(["0:c2", "1:a"]);
  });

  it("refuses a dataset on a markdown cell and indices past the end", async () => {
    const notebook = await createNotebook(alice);
    const cell = await addCell(alice, notebook.id, { kind: "markdown", source: "x" });
    expectError(
      await as(app, alice, { method: "POST", url: `/api/notebooks/${notebook.id}/cells`, payload: { kind: "markdown", datasetId: "1" } }),
      400,
      "ERR_CELL_MARKDOWN_DATASET",
    );
    expectError(
      await as(app, alice, { method: "PATCH", url: `/api/notebooks/${notebook.id}/cells/${cell.id}`, payload: { datasetId: "1" } }),
      400,
      "ERR_CELL_MARKDOWN_DATASET",
    );
    expectError(
      await as(app, alice, { method: "POST", url: `/api/notebooks/${notebook.id}/cells`, payload: { kind: "recipe", index: 5 } }),
      400,
      "ERR_CELL_INDEX_OUT_OF_RANGE",
    );
    expectError(
      await as(app, alice, { method: "POST", url: `/api/notebooks/${notebook.id}/cells/${cell.id}/move`, payload: { index: 1 } }),
      400,
      "ERR_CELL_INDEX_OUT_OF_RANGE",
    );
  });

  describe("privacy", () => {
    it("answers 404 to every route on someone else's notebook, exactly as for one that does not exist", async () => {
      const notebook = await createNotebook(alice, "Alice's secret");
      const cell = await addCell(alice, notebook.id, { kind: "recipe", source: "mean(x)" });
      const before = await snapshotStore(store);
      const routes = (id: string, cellId: string) => [
        { method: "GET", url: `/api/notebooks/${id}` },
        { method: "PATCH", url: `/api/notebooks/${id}`, payload: { title: "mine" } },
        { method: "DELETE", url: `/api/notebooks/${id}` },
        { method: "GET", url: `/api/notebooks/${id}/export` },
        { method: "POST", url: `/api/notebooks/${id}/cells`, payload: { kind: "markdown", source: "x" } },
        { method: "PATCH", url: `/api/notebooks/${id}/cells/${cellId}`, payload: { source: "x" } },
        { method: "DELETE", url: `/api/notebooks/${id}/cells/${cellId}` },
        { method: "POST", url: `/api/notebooks/${id}/cells/${cellId}/move`, payload: { index: 0 } },
      ] as const;
      const theirs = routes(notebook.id, cell.id);
      const missing = routes(randomUUID(), randomUUID());
      for (const [i, route] of theirs.entries()) {
        const response = await as(app, bob, route);
        const error = expectError(response, 404, "ERR_NOTEBOOK_NOT_FOUND");
        // Same answer as for a notebook that does not exist (only the id in the message differs).
        const other = expectError(await as(app, bob, missing[i]!), 404, "ERR_NOTEBOOK_NOT_FOUND");
        expect(error.message.replace(notebook.id, "ID")).toBe(other.message.replace(/[0-9a-f-]{36}/, "ID"));
        expect(response.body).not.toContain("Alice's secret");
      }
      expect(await snapshotStore(store)).toEqual(before);
      const list = await as(app, bob, { method: "GET", url: "/api/notebooks" });
      expect(list.json().items.map((n: { id: string }) => n.id)).not.toContain(notebook.id);
    });

    it("answers 404 for a cell of another notebook, even one's own", async () => {
      const first = await createNotebook(alice);
      const second = await createNotebook(alice);
      const cell = await addCell(alice, first.id, { kind: "markdown", source: "x" });
      expectError(
        await as(app, alice, { method: "PATCH", url: `/api/notebooks/${second.id}/cells/${cell.id}`, payload: { source: "y" } }),
        404,
        "ERR_CELL_NOT_FOUND",
      );
    });
  });

  describe("export and import", () => {
    it("round-trips a notebook through its document", async () => {
      const notebook = await createNotebook(alice, "Frost watch ❄");
      await addCell(alice, notebook.id, { kind: "markdown", source: "# Frost\n\nAlerts below **zero**." });
      await addCell(alice, notebook.id, { kind: "recipe", source: 'from "orchard" window last 24h\nalert(temperature < 0)', datasetId: "12" });
      await addCell(alice, notebook.id, { kind: "recipe", source: "mean(temperature)" });

      const exported = await as(app, alice, { method: "GET", url: `/api/notebooks/${notebook.id}/export` });
      expect(exported.statusCode).toBe(200);
      expect(exported.headers["content-disposition"]).toBe('attachment; filename="Frost-watch.iot-notebook.json"');
      const document = exported.json();
      expect(document).toMatchObject({ format: "iot-notebook", version: 1, metadata: { title: "Frost watch ❄" } });

      const imported = await as(app, bob, { method: "POST", url: "/api/notebooks/import", payload: document });
      expect(imported.statusCode, imported.body).toBe(201);
      const copy = imported.json();
      expect(copy.id).not.toBe(notebook.id);
      expect(copy.cells.map((c: { index: number; kind: string; datasetId: string | null }) => [c.index, c.kind, c.datasetId])).toEqual([
        [0, "markdown", null],
        [1, "recipe", "12"],
        [2, "recipe", null],
      ]);

      const again = (await as(app, bob, { method: "GET", url: `/api/notebooks/${copy.id}/export` })).json();
      expect({ ...again, metadata: { ...again.metadata, exportedAt: "" } }).toEqual({
        ...document,
        metadata: { ...document.metadata, exportedAt: "" },
      });
    });

    it.each([
      { name: "a later version", document: { format: "iot-notebook", version: 2, metadata: { title: "x" }, cells: [] }, code: "ERR_NOTEBOOK_DOCUMENT_VERSION" },
      { name: "no version", document: { format: "iot-notebook", metadata: { title: "x" }, cells: [] }, code: "ERR_NOTEBOOK_DOCUMENT_VERSION" },
      { name: "a Jupyter notebook", document: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }, code: "ERR_NOTEBOOK_DOCUMENT_FORMAT" },
    ] as const)("refuses $name clearly, writing nothing", async ({ document, code }) => {
      const before = await snapshotStore(store);
      const error = expectError(await as(app, alice, { method: "POST", url: "/api/notebooks/import", payload: document }), 400, code);
      if (code === "ERR_NOTEBOOK_DOCUMENT_VERSION") expect(error.message).toMatch(/reads version 1/);
      expect(await snapshotStore(store)).toEqual(before);
    });

    it("imports nothing when one cell is invalid", async () => {
      const before = await snapshotStore(store);
      const document = {
        format: "iot-notebook",
        version: 1,
        metadata: { title: "Half" },
        cells: [{ kind: "markdown", source: "fine" }, { kind: "recipe", source: "x", datasetId: "not a number" }],
      };
      const error = expectError(await as(app, alice, { method: "POST", url: "/api/notebooks/import", payload: document }), 400, "ERR_REQUEST_VALIDATION");
      expect(error.details).toMatchObject({ in: "body", issues: [{ path: "cells.1.datasetId" }] });
      expect(await snapshotStore(store)).toEqual(before);
    });
  });
});
