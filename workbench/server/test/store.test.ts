import { EXACT_PRIVACY } from "@iotdm/contracts-client";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { NewRun } from "../store/repositories/run-repository";
import type { NewSchedule } from "../store/repositories/schedule-repository";
import type { Store } from "../store/store";
import { describeEachBackend, emptyStore, snapshotStore } from "./support/backends";

const ALICE = "0x1111111111111111111111111111111111111111";
const BOB = "0x2222222222222222222222222222222222222222";
const T0 = new Date("2030-01-01T00:00:00.000Z");
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describeEachBackend("store", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
  });
  afterAll(async () => {
    await cleanup?.();
  });
  beforeEach(async () => {
    await emptyStore(store);
  });

  async function notebookWithCells(owner: string, sources: string[]) {
    const notebook = await store.notebooks.create({ id: randomUUID(), owner, title: "N", at: T0 });
    for (const [index, source] of sources.entries()) {
      await store.cells.insert({ id: randomUUID(), notebookId: notebook.id, index, kind: "markdown", source, datasetId: null, at: T0 });
    }
    return notebook;
  }

  const sourcesOf = async (notebookId: string) => (await store.cells.list(notebookId)).map((c) => `${c.position}:${c.source}`);

  describe("transactions", () => {
    it("rolls back every write of a unit of work that throws", async () => {
      const before = await snapshotStore(store);
      await expect(
        store.transaction(async (tx) => {
          const notebook = await tx.notebooks.create({ id: randomUUID(), owner: ALICE, title: "half", at: T0 });
          await tx.cells.insert({ id: randomUUID(), notebookId: notebook.id, index: 0, kind: "recipe", source: "x", datasetId: "1", at: T0 });
          throw new Error("rejected");
        }),
      ).rejects.toThrow("rejected");
      expect(await snapshotStore(store)).toEqual(before);
    });

    it("commits a unit of work that resolves", async () => {
      const id = await store.transaction(async (tx) => (await tx.notebooks.create({ id: randomUUID(), owner: ALICE, title: "t", at: T0 })).id);
      expect(await store.notebooks.findOwned(id, ALICE)).toMatchObject({ title: "t" });
    });
  });

  describe("sessions", () => {
    it("finds a session by token hash until it expires", async () => {
      await store.sessions.create({ id: "s1", tokenHash: "h1", address: ALICE, createdAt: T0, expiresAt: later(60) });
      expect(await store.sessions.findActive("h1", later(59))).toMatchObject({ id: "s1", address: ALICE });
      expect(await store.sessions.findActive("h1", later(60))).toBeUndefined();
      expect(await store.sessions.findActive("other", later(1))).toBeUndefined();
    });

    it("deletes one session and purges expired ones", async () => {
      await store.sessions.create({ id: "s1", tokenHash: "h1", address: ALICE, createdAt: T0, expiresAt: later(10) });
      await store.sessions.create({ id: "s2", tokenHash: "h2", address: ALICE, createdAt: T0, expiresAt: later(100) });
      expect(await store.sessions.deleteExpired(later(50))).toBe(1);
      expect(await store.sessions.delete("s2")).toBe(true);
      expect(await store.sessions.delete("s2")).toBe(false);
    });
  });

  describe("nonces", () => {
    it("consumes a nonce exactly once, even when raced", async () => {
      await store.nonces.create({ nonce: "abcdefgh12", createdAt: T0, expiresAt: later(600) });
      const results = await Promise.all(Array.from({ length: 5 }, () => store.nonces.consume("abcdefgh12", later(1))));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.nonces.consume("abcdefgh12", later(2))).toBe(false);
    });

    it("does not consume an expired or unknown nonce", async () => {
      await store.nonces.create({ nonce: "expiring01", createdAt: T0, expiresAt: later(10) });
      expect(await store.nonces.consume("expiring01", later(10))).toBe(false);
      expect(await store.nonces.consume("neverissued", later(1))).toBe(false);
      expect(await store.nonces.deleteExpired(later(11))).toBe(1);
    });
  });

  describe("notebooks", () => {
    it("lists the owner's notebooks newest first with cell counts and a total", async () => {
      const older = await notebookWithCells(ALICE, ["a", "b"]);
      const newer = await store.notebooks.create({ id: randomUUID(), owner: ALICE, title: "newer", at: later(5) });
      await store.notebooks.create({ id: randomUUID(), owner: BOB, title: "bob's", at: later(9) });
      const page = await store.notebooks.list(ALICE, { limit: 1, offset: 0 });
      expect(page.total).toBe(2);
      expect(page.items.map((n) => [n.id, n.cellCount])).toEqual([[newer.id, 0]]);
      const next = await store.notebooks.list(ALICE, { limit: 1, offset: 1 });
      expect(next.items.map((n) => [n.id, n.cellCount])).toEqual([[older.id, 2]]);
    });

    it("never returns, renames or deletes another owner's notebook", async () => {
      const notebook = await notebookWithCells(ALICE, ["a"]);
      expect(await store.notebooks.findOwned(notebook.id, BOB)).toBeUndefined();
      expect(await store.notebooks.rename(notebook.id, BOB, "mine now", later(1))).toBeUndefined();
      expect(await store.notebooks.touch(notebook.id, BOB, later(1))).toBe(false);
      expect(await store.notebooks.delete(notebook.id, BOB)).toBe(false);
      expect(await store.notebooks.findOwned(notebook.id, ALICE)).toMatchObject({ title: "N", updatedAt: T0.toISOString() });
    });

    it("renames and deletes the owner's notebook with its cells", async () => {
      const notebook = await notebookWithCells(ALICE, ["a", "b"]);
      expect(await store.notebooks.rename(notebook.id, ALICE, "renamed", later(1))).toMatchObject({
        title: "renamed",
        updatedAt: later(1).toISOString(),
      });
      expect(await store.notebooks.delete(notebook.id, ALICE)).toBe(true);
      expect(await store.cells.list(notebook.id)).toEqual([]);
    });

    it("keeps any text verbatim, quotes and all", async () => {
      const title = `'; drop table notebooks; -- "☃" 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \\ % _`;
      const notebook = await store.notebooks.create({ id: randomUUID(), owner: ALICE, title, at: T0 });
      expect((await store.notebooks.findOwned(notebook.id, ALICE))?.title).toBe(title);
    });
  });

  describe("cells", () => {
    it("inserts at an index and shifts the cells after it", async () => {
      const notebook = await notebookWithCells(ALICE, ["a", "c"]);
      await store.cells.insert({ id: randomUUID(), notebookId: notebook.id, index: 1, kind: "recipe", source: "b", datasetId: "7", at: T0 });
      await store.cells.insert({ id: randomUUID(), notebookId: notebook.id, index: 3, kind: "markdown", source: "d", datasetId: null, at: T0 });
      expect(await sourcesOf(notebook.id)).toEqual(["0:a", "1:b", "2:c", "3:d"]);
      expect(await store.cells.count(notebook.id)).toBe(4);
    });

    it("appends many cells after the last one in one statement", async () => {
      const notebook = await notebookWithCells(ALICE, ["a"]);
      const appended = await store.cells.append(
        notebook.id,
        [
          { id: randomUUID(), kind: "markdown", source: "b", datasetId: null },
          { id: randomUUID(), kind: "recipe", source: "c", datasetId: "9" },
        ],
        later(1),
      );
      expect(appended.map((c) => c.position)).toEqual([1, 2]);
      expect(await sourcesOf(notebook.id)).toEqual(["0:a", "1:b", "2:c"]);
      expect(await store.cells.append(notebook.id, [], later(2))).toEqual([]);
    });

    it("deletes a cell and closes the gap", async () => {
      const notebook = await notebookWithCells(ALICE, ["a", "b", "c"]);
      const [, b] = await store.cells.list(notebook.id);
      expect(await store.cells.delete(notebook.id, b!.id)).toBe(true);
      expect(await store.cells.delete(notebook.id, b!.id)).toBe(false);
      expect(await sourcesOf(notebook.id)).toEqual(["0:a", "1:c"]);
    });

    it.each([
      { from: 0, to: 3, expected: ["0:b", "1:c", "2:d", "3:a"] },
      { from: 3, to: 0, expected: ["0:d", "1:a", "2:b", "3:c"] },
      { from: 1, to: 2, expected: ["0:a", "1:c", "2:b", "3:d"] },
      { from: 2, to: 2, expected: ["0:a", "1:b", "2:c", "3:d"] },
    ])("moves the cell at $from to $to keeping positions dense", async ({ from, to, expected }) => {
      const notebook = await notebookWithCells(ALICE, ["a", "b", "c", "d"]);
      const cells = await store.cells.list(notebook.id);
      const moved = await store.cells.move(notebook.id, cells[from]!.id, to, later(1));
      expect(moved?.map((c) => `${c.position}:${c.source}`)).toEqual(expected);
      expect(await sourcesOf(notebook.id)).toEqual(expected);
    });

    it("updates only the fields given and only within the cell's notebook", async () => {
      const notebook = await notebookWithCells(ALICE, ["a"]);
      const other = await notebookWithCells(ALICE, []);
      const [cell] = await store.cells.list(notebook.id);
      expect(await store.cells.update(other.id, cell!.id, { source: "x" }, later(1))).toBeUndefined();
      const updated = await store.cells.update(notebook.id, cell!.id, { kind: "recipe", datasetId: "3" }, later(1));
      expect(updated).toMatchObject({ kind: "recipe", source: "a", datasetId: "3", updatedAt: later(1).toISOString() });
    });
  });

  describe("templates", () => {
    async function publish(overrides: Partial<Parameters<Store["templates"]["create"]>[0]> = {}) {
      return store.templates.create({
        id: randomUUID(),
        author: ALICE,
        title: "Mean temperature",
        description: "Average over a window",
        source: "mean(x)",
        params: [{ name: "threshold", default: "20", description: "°C" }],
        tags: ["temperature", "basic"],
        version: "1.0.0",
        originCellId: null,
        at: T0,
        ...overrides,
      });
    }

    it("stores params and tags and reads them back", async () => {
      const template = await publish();
      expect(await store.templates.get(template.id)).toEqual({
        ...template,
        params: [{ name: "threshold", default: "20", description: "°C" }],
        tags: ["basic", "temperature"],
        forkCount: 0,
        unpublishedAt: null,
      });
    });

    it("searches every word case-insensitively over title, description and tags", async () => {
      const mean = await publish();
      const alert = await publish({ title: "Frost alert", description: "Any reading below zero", tags: ["alerts"] });
      const search = (text: string) =>
        store.templates.search({ text, limit: 10, offset: 0, sort: "recent" }).then((p) => p.items.map((t) => t.id).sort());
      expect(await search("MEAN")).toEqual([mean.id]);
      expect(await search("reading zero")).toEqual([alert.id]);
      expect(await search("temperat")).toEqual([mean.id]);
      expect(await search("alert frost")).toEqual([alert.id]);
      expect(await search("frost mean")).toEqual([]);
    });

    it("treats LIKE wildcards in search text literally", async () => {
      const percent = await publish({ title: "Uptime 100% check" });
      await publish({ title: "Plain" });
      const page = await store.templates.search({ text: "100%", limit: 10, offset: 0, sort: "recent" });
      expect(page.items.map((t) => t.id)).toEqual([percent.id]);
      expect((await store.templates.search({ text: "%", limit: 10, offset: 0, sort: "recent" })).items.map((t) => t.id)).toEqual([percent.id]);
      expect((await store.templates.search({ text: "_", limit: 10, offset: 0, sort: "recent" })).total).toBe(0);
    });

    it("filters by tag and author, hides unpublished templates except from their author", async () => {
      const visible = await publish();
      const hidden = await publish({ title: "Draft" });
      const bobs = await publish({ author: BOB, tags: ["other"] });
      await store.templates.setPublished(hidden.id, false, later(1));
      const ids = (page: { items: { id: string }[] }) => page.items.map((t) => t.id).sort();
      expect(ids(await store.templates.search({ tag: "other", limit: 10, offset: 0, sort: "recent" }))).toEqual([bobs.id]);
      expect(ids(await store.templates.search({ author: ALICE, limit: 10, offset: 0, sort: "recent" }))).toEqual([visible.id]);
      expect(
        ids(await store.templates.search({ author: ALICE, includeUnpublishedOf: ALICE, limit: 10, offset: 0, sort: "recent" })),
      ).toEqual([visible.id, hidden.id].sort());
      expect(ids(await store.templates.search({ includeUnpublishedOf: BOB, limit: 10, offset: 0, sort: "recent" }))).toEqual(
        [visible.id, bobs.id].sort(),
      );
    });

    it("pages newest first or most forked first, with the total of all matches", async () => {
      const first = await publish({ at: T0 });
      const second = await publish({ at: later(1) });
      const third = await publish({ at: later(2) });
      await store.templates.incrementForkCount(first.id);
      await store.templates.incrementForkCount(first.id);
      await store.templates.incrementForkCount(second.id);
      const recent = await store.templates.search({ limit: 2, offset: 0, sort: "recent" });
      expect([recent.total, ...recent.items.map((t) => t.id)]).toEqual([3, third.id, second.id]);
      const popular = await store.templates.search({ limit: 3, offset: 0, sort: "popular" });
      expect(popular.items.map((t) => [t.id, t.forkCount])).toEqual([
        [first.id, 2],
        [second.id, 1],
        [third.id, 0],
      ]);
    });

    it("updates fields, replaces tags, and counts concurrent forks exactly", async () => {
      const template = await publish();
      const updated = await store.templates.update(template.id, { title: "New", tags: ["x"] }, later(1));
      expect(updated).toMatchObject({ title: "New", tags: ["x"], description: template.description });
      await Promise.all(Array.from({ length: 10 }, () => store.templates.incrementForkCount(template.id)));
      expect((await store.templates.get(template.id))?.forkCount).toBe(10);
      expect(await store.templates.incrementForkCount(randomUUID())).toBeUndefined();
      expect(await store.templates.update(randomUUID(), { title: "x" }, later(1))).toBeUndefined();
    });
  });

  describe("runs", () => {
    function newRun(overrides: Partial<NewRun> = {}): NewRun {
      return {
        id: randomUUID(),
        buyer: ALICE,
        notebookId: null,
        cellId: null,
        scheduleId: null,
        datasetId: "1",
        programHash: `0x${"ab".repeat(32)}`,
        program: [{ kind: 1, cmp: 0, a: "0", b: "0", bounds: [] }],
        source: "sum(x)",
        fromIndex: 0,
        toIndex: 64,
        requestDigest: `0x${randomUUID().replace(/-/g, "").padEnd(64, "0")}`,
        request: { nonce: "1" },
        signature: "0xsig",
        at: T0,
        ...overrides,
      };
    }

    it("creates a run once per signed request", async () => {
      const input = newRun();
      const first = await store.runs.create(input);
      const again = await store.runs.create({ ...input, id: randomUUID() });
      expect(first.created).toBe(true);
      expect(again).toEqual({ run: first.run, created: false });
      expect(first.run).toMatchObject({ status: "queued", txHashes: [], resultHandles: null, progress: { stepsDone: 0, stepsTotal: null } });
    });

    it("moves queued → running → done, appending each step's transaction once", async () => {
      const { run } = await store.runs.create(newRun());
      await store.runs.markRunning(run.id, { chainRunId: "42", stepsTotal: 2, at: later(1) });
      await store.runs.recordStep(run.id, { stepsDone: 1, cursorIndex: 32, txHash: "0xa", at: later(2) });
      await store.runs.recordStep(run.id, { stepsDone: 1, cursorIndex: 32, txHash: "0xa", at: later(2) });
      await store.runs.recordStep(run.id, { stepsDone: 2, cursorIndex: 64, txHash: "0xb", at: later(3) });
      const done = await store.runs.finish(run.id, { resultHandles: ["0x01"], at: later(4) });
      expect(done).toMatchObject({
        status: "done",
        chainRunId: "42",
        progress: { stepsDone: 2, stepsTotal: 2, cursorIndex: 64 },
        txHashes: ["0xa", "0xb"],
        resultHandles: ["0x01"],
        startedAt: later(1).toISOString(),
        finishedAt: later(4).toISOString(),
      });
    });

    it("never moves a run's progress back: a step recorded late (by a slower instance) leaves the later step's", async () => {
      const { run } = await store.runs.create(newRun());
      await store.runs.markRunning(run.id, { chainRunId: "42", stepsTotal: 3, at: later(1) });
      await store.runs.recordStep(run.id, { stepsDone: 1, cursorIndex: 32, txHash: "0xa", at: later(2) });
      await store.runs.recordStep(run.id, { stepsDone: 2, cursorIndex: 64, txHash: "0xb", at: later(3) });
      // The other instance hears step 1 now: the run stays at step 2, its hashes as they were.
      const late = await store.runs.recordStep(run.id, { stepsDone: 1, cursorIndex: 32, txHash: "0xa", at: later(4) });
      expect(late).toMatchObject({ status: "running", progress: { stepsDone: 2, cursorIndex: 64 }, txHashes: ["0xa", "0xb"] });
      expect(await store.runs.get(run.id)).toMatchObject({ progress: { stepsDone: 2, cursorIndex: 64 }, txHashes: ["0xa", "0xb"] });
    });

    it("leaves a finished run alone", async () => {
      const { run } = await store.runs.create(newRun());
      await store.runs.fail(run.id, { error: { code: "WindowNotAligned", message: "bad window" }, at: later(1) });
      expect(await store.runs.finish(run.id, { resultHandles: [], at: later(2) })).toBeUndefined();
      expect(await store.runs.markRunning(run.id, { chainRunId: "1", stepsTotal: 1, at: later(2) })).toBeUndefined();
      expect(await store.runs.recordStep(run.id, { stepsDone: 1, cursorIndex: 1, txHash: "0x", at: later(2) })).toBeUndefined();
      expect(await store.runs.get(run.id)).toMatchObject({ status: "error", error: { code: "WindowNotAligned" } });
    });

    it("keeps the parameters and the plan, and replaces the step-by-step hashes with the full list when done", async () => {
      const plan = { version: 1, programHash: "0xph", window: { fromIndex: 0, toIndex: 64 } };
      const { run } = await store.runs.create(newRun({ params: { hot: "30.5" }, plan }));
      expect(run).toMatchObject({ params: { hot: "30.5" }, plan, staleReason: null });
      await store.runs.recordStep(run.id, { stepsDone: 1, cursorIndex: 64, txHash: "0xstep", at: later(1) });
      const done = await store.runs.finish(run.id, { resultHandles: ["0x01"], txHashes: ["0xstart", "0xstep"], at: later(2) });
      expect(done?.txHashes).toEqual(["0xstart", "0xstep"]);
    });

    it("lists the unfinished runs, and ends them all (and marks every run stale) on a chain reset", async () => {
      const queued = await store.runs.create(newRun({ at: T0 }));
      const running = await store.runs.create(newRun({ at: later(1) }));
      const done = await store.runs.create(newRun({ at: later(2) }));
      await store.runs.markRunning(running.run.id, { chainRunId: "7", stepsTotal: 3, at: later(3) });
      await store.runs.finish(done.run.id, { resultHandles: ["0x01"], at: later(3) });
      expect((await store.runs.listUnfinished()).map((r) => r.id)).toEqual([queued.run.id, running.run.id]);

      const ended = await store.runs.endForChainReset({ error: { code: "ERR_RUN_CHAIN_RESET", message: "gone" }, staleReason: "reset", at: later(4) });
      expect(ended.map((r) => r.id)).toEqual([queued.run.id, running.run.id]);
      expect(await store.runs.listUnfinished()).toEqual([]);
      expect(await store.runs.get(running.run.id)).toMatchObject({ status: "error", error: { code: "ERR_RUN_CHAIN_RESET" }, staleReason: "reset" });
      expect(await store.runs.get(done.run.id)).toMatchObject({ status: "done", resultHandles: ["0x01"], staleReason: "reset" });
    });

    it("lists a notebook's and a cell's runs newest first, and keeps runs when the notebook goes", async () => {
      const notebook = await notebookWithCells(ALICE, ["sum(x)"]);
      const [cell] = await store.cells.list(notebook.id);
      const older = await store.runs.create(newRun({ notebookId: notebook.id, cellId: cell!.id, at: T0 }));
      const newer = await store.runs.create(newRun({ notebookId: notebook.id, cellId: cell!.id, at: later(1) }));
      const page = await store.runs.listByNotebook(notebook.id, { limit: 10, offset: 0 });
      expect(page.items.map((r) => r.id)).toEqual([newer.run.id, older.run.id]);
      expect((await store.runs.listByCell(cell!.id, { limit: 1, offset: 0 })).total).toBe(2);
      expect(await store.runs.getForBuyer(newer.run.id, BOB)).toBeUndefined();
      await store.notebooks.delete(notebook.id, ALICE);
      expect(await store.runs.get(older.run.id)).toMatchObject({ notebookId: null, cellId: null });
      expect((await store.runs.listByBuyer(ALICE, { limit: 10, offset: 0 })).total).toBe(2);
    });
  });

  describe("schedules", () => {
    async function createSchedule(maxRuns: number, overrides: Partial<NewSchedule> = {}) {
      return store.schedules.create({
        id: randomUUID(),
        owner: ALICE,
        notebookId: null,
        cellId: null,
        datasetId: "1",
        programHash: "0xph",
        program: [],
        source: "mean(x)",
        cadenceSeconds: 3600,
        expiry: 2_000_000_000,
        maxRuns,
        authorizationDigest: randomUUID(),
        authorization: { nonce: "9" },
        signature: "0xsig",
        fromIndex: 0,
        at: T0,
        ...overrides,
      });
    }

    it("pauses and resumes only from the right state and only for its owner", async () => {
      const schedule = await createSchedule(3);
      expect(await store.schedules.setStatus(schedule.id, BOB, { from: ["active"], to: "paused", at: later(1) })).toBeUndefined();
      expect(await store.schedules.setStatus(schedule.id, ALICE, { from: ["active"], to: "paused", at: later(1) })).toMatchObject({ status: "paused" });
      expect(await store.schedules.setStatus(schedule.id, ALICE, { from: ["active"], to: "paused", at: later(2) })).toBeUndefined();
      expect(await store.schedules.setStatus(schedule.id, ALICE, { from: ["paused"], to: "active", at: later(2) })).toMatchObject({ status: "active" });
      expect(await store.schedules.getOwned(schedule.id, BOB)).toBeUndefined();
    });

    it("records consecutive windows and completes after the last allowed run", async () => {
      const schedule = await createSchedule(2);
      const r1 = await store.runs.create({
        id: randomUUID(), buyer: ALICE, notebookId: null, cellId: null, scheduleId: schedule.id, datasetId: "1",
        programHash: "0xph", program: [], source: "", fromIndex: 0, toIndex: 32, requestDigest: "d1", request: {}, signature: "0x", at: T0,
      });
      const r2 = await store.runs.create({
        id: randomUUID(), buyer: ALICE, notebookId: null, cellId: null, scheduleId: schedule.id, datasetId: "1",
        programHash: "0xph", program: [], source: "", fromIndex: 32, toIndex: 64, requestDigest: "d2", request: {}, signature: "0x", at: T0,
      });
      const first = await store.schedules.recordRun(schedule.id, { reportId: randomUUID(), runId: r1.run.id, fromIndex: 0, toIndex: 32, at: later(1) });
      expect(first.schedule).toMatchObject({ runsDone: 1, nextFromIndex: 32, status: "active" });
      const second = await store.schedules.recordRun(schedule.id, { reportId: randomUUID(), runId: r2.run.id, fromIndex: 32, toIndex: 64, at: later(2) });
      expect(second.schedule).toMatchObject({ runsDone: 2, nextFromIndex: 64, status: "completed", lastRunAt: later(2).toISOString() });
      const reports = await store.schedules.listReports(schedule.id, { limit: 10, offset: 0 });
      expect(reports.items.map((r) => [r.fromIndex, r.toIndex])).toEqual([[32, 64], [0, 32]]);
      expect(await store.schedules.delete(schedule.id, ALICE)).toBe(true);
      expect((await store.schedules.listReports(schedule.id, { limit: 10, offset: 0 })).total).toBe(0);
      expect(await store.runs.get(r1.run.id)).toMatchObject({ scheduleId: null });
    });

    it("keeps parameters and repeat, finds a schedule by its authorization digest, and ends the live ones on a chain reset", async () => {
      const digest = `0x${"AB".repeat(32)}`;
      const schedule = await createSchedule(3, {
        authorizationDigest: digest,
        params: { hot: 30 },
        repeat: { pattern: "0 8 * * *", tz: "Europe/Paris" },
      });
      expect(schedule).toMatchObject({ params: { hot: 30 }, repeat: { pattern: "0 8 * * *", tz: "Europe/Paris" }, endedReason: null });
      expect((await store.schedules.findByAuthorizationDigest(digest))?.id).toBe(schedule.id);
      const paused = await createSchedule(1);
      await store.schedules.setStatus(paused.id, ALICE, { from: ["active"], to: "paused", at: later(1) });
      const completed = await createSchedule(1);
      await store.schedules.setStatus(completed.id, ALICE, { from: ["active"], to: "completed", at: later(1) });

      const ended = await store.schedules.endAllLive({ reason: "the chain was reset", at: later(2) });
      expect(ended.map((s) => s.id).sort()).toEqual([schedule.id, paused.id].sort());
      expect(await store.schedules.get(paused.id)).toMatchObject({ status: "expired", endedReason: "the chain was reset" });
      expect(await store.schedules.get(completed.id)).toMatchObject({ status: "completed", endedReason: null });
      expect(await store.schedules.listLive()).toEqual([]);
    });

    it("lists the owner's schedules", async () => {
      await createSchedule(1);
      await createSchedule(1);
      expect((await store.schedules.list(ALICE, { limit: 1, offset: 0 })).total).toBe(2);
      expect((await store.schedules.list(BOB, { limit: 10, offset: 0 })).items).toEqual([]);
    });
  });

  describe("datasets and the indexer state", () => {
    const dataset = (id: string, readingCount: number) => ({
      id,
      seller: BOB,
      name: `Thermometer ${id}`,
      field: "temperature",
      unit: "°C",
      scale: 2,
      offset: "-5000",
      priceWei: "1000000000000000000000",
      periodSeconds: 2_592_000,
      k: 32,
      readingCount,
      firstTimestamp: 1_700_000_000,
      lastTimestamp: 1_700_003_600,
      approvedMask: 0b1000000111,
      pausedBlock: null,
      privacy: EXACT_PRIVACY,
      privateFrom: 0,
      // Beyond 2^64 wei: kept as decimal text on both dialects.
      runEarnings: { settledRuns: 3, sellerWei: "20000000000000000000000" },
      rollups: 0b101,
      rollupBlockSize: 32,
      createdBlock: 5_000_000_000,
      updatedBlock: 5_000_000_001,
    });

    it("upserts datasets and lists them in numeric id order", async () => {
      await store.datasets.upsert(dataset("10", 0), T0);
      await store.datasets.upsert(dataset("2", 0), T0);
      await store.datasets.upsert({ ...dataset("2", 64), createdBlock: 1 }, later(1));
      const page = await store.datasets.list({ limit: 10, offset: 0 });
      expect(page.items.map((d) => d.id)).toEqual(["2", "10"]);
      // Numbers above 2^32 come back as numbers on both dialects; created_block keeps its first value.
      expect(await store.datasets.get("2")).toEqual({ ...dataset("2", 64), updatedAt: later(1).toISOString() });
      expect((await store.datasets.list({ seller: ALICE, limit: 10, offset: 0 })).total).toBe(0);
    });

    it("searches the catalogue by words, seller, field, approvals, pause and the caller's access", async () => {
      await store.datasets.upsert({ ...dataset("1", 0), name: "Greenhouse 100% north", approvedMask: 0b111 }, T0);
      await store.datasets.upsert({ ...dataset("2", 0), name: "Office", field: "humidity", unit: "%", seller: ALICE, approvedMask: 0b1 }, T0);
      await store.datasets.upsert({ ...dataset("3", 0), name: "Greenhouse south", approvedMask: 0b10, pausedBlock: 9 }, T0);
      await store.datasets.upsertAccess({ datasetId: "3", buyer: ALICE, expiresAt: 500, updatedBlock: 1 });
      await store.datasets.upsertAccess({ datasetId: "1", buyer: ALICE, expiresAt: 100, updatedBlock: 1 });
      const ids = async (filter: Parameters<Store["datasets"]["search"]>[0]) => (await store.datasets.search(filter)).items.map((d) => d.id);
      const page = { limit: 10, offset: 0 };
      expect(await ids({ ...page, q: "greenHOUSE" })).toEqual(["1", "3"]);
      expect(await ids({ ...page, q: "greenhouse north" })).toEqual(["1"]);
      expect(await ids({ ...page, q: "100%" })).toEqual(["1"]);
      expect(await ids({ ...page, q: "%" })).toEqual(["1", "2"]);
      expect(await ids({ ...page, q: "_" })).toEqual([]);
      expect(await ids({ ...page, seller: ALICE })).toEqual(["2"]);
      expect(await ids({ ...page, field: "temperature" })).toEqual(["1", "3"]);
      expect(await ids({ ...page, approvedMask: 0b101 })).toEqual(["1"]);
      expect(await ids({ ...page, paused: true })).toEqual(["3"]);
      expect(await ids({ ...page, paused: false })).toEqual(["1", "2"]);
      expect(await ids({ ...page, accessOf: { buyer: ALICE, after: 200 } })).toEqual(["3"]);
      expect([...(await store.datasets.accessOf(ALICE, ["1", "2", "3"])).keys()].sort()).toEqual(["1", "3"]);
      expect((await store.datasets.search({ limit: 1, offset: 1, q: "greenhouse" })).items.map((d) => d.id)).toEqual(["3"]);
    });

    it("stores reading timestamps once, in index order", async () => {
      await store.datasets.upsert(dataset("1", 0), T0);
      await store.datasets.addReadingTimestamps("1", 0, [10, 11, 12]);
      await store.datasets.addReadingTimestamps("1", 3, Array.from({ length: 1200 }, (_, i) => 100 + i));
      await store.datasets.addReadingTimestamps("1", 0, [10, 11, 12]);
      const timestamps = await store.datasets.readingTimestamps("1");
      expect(timestamps).toHaveLength(1203);
      expect(timestamps.slice(0, 5)).toEqual([10, 11, 12, 100, 101]);
      expect(await store.datasets.readingTimestamps("2")).toEqual([]);
      await store.datasets.deleteAll();
      expect(await store.datasets.readingTimestamps("1")).toEqual([]);
    });

    it("records each buyer's access expiry and forgets everything on a chain reset", async () => {
      await store.datasets.upsert(dataset("1", 0), T0);
      await store.datasets.upsertAccess({ datasetId: "1", buyer: ALICE, expiresAt: 100, updatedBlock: 1 });
      await store.datasets.upsertAccess({ datasetId: "1", buyer: ALICE, expiresAt: 200, updatedBlock: 2 });
      expect(await store.datasets.getAccess("1", ALICE)).toEqual({ datasetId: "1", buyer: ALICE, expiresAt: 200, updatedBlock: 2 });
      expect(await store.datasets.getAccess("1", BOB)).toBeUndefined();
      await store.datasets.deleteAll();
      expect((await store.datasets.list({ limit: 10, offset: 0 })).total).toBe(0);
    });

    it("saves the indexer's position with the rows indexed up to it, or neither", async () => {
      const state = { key: "31337:0xmarket", chainId: 31337, genesisHash: "0xg", lastIndexedBlock: 12 };
      await store.indexer.save(state, T0);
      await expect(
        store.transaction(async (tx) => {
          await tx.datasets.upsert(dataset("5", 0), later(1));
          await tx.indexer.save({ ...state, lastIndexedBlock: 20 }, later(1));
          throw new Error("crash before commit");
        }),
      ).rejects.toThrow();
      expect(await store.indexer.get(state.key)).toEqual({ ...state, updatedAt: T0.toISOString() });
      expect(await store.datasets.get("5")).toBeUndefined();
    });

    it("advances the indexer's position only from where it is (two indexers never write one range twice)", async () => {
      const state = { key: "31337:0xmarket", chainId: 31337, genesisHash: "0xg", lastIndexedBlock: 12 };
      await store.indexer.save(state, T0);
      const raced = await Promise.all([
        store.transaction((tx) => tx.indexer.advance({ key: state.key, fromBlock: 12, toBlock: 20, at: later(1) })),
        store.transaction((tx) => tx.indexer.advance({ key: state.key, fromBlock: 12, toBlock: 20, at: later(1) })),
      ]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      expect(await store.indexer.get(state.key)).toMatchObject({ lastIndexedBlock: 20 });
      expect(await store.indexer.list()).toHaveLength(1);
      await store.indexer.deleteAll();
      expect(await store.indexer.list()).toEqual([]);
    });
  });
});
