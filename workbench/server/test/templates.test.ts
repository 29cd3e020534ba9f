import { EXACT_PRIVACY } from "@iotdm/contracts-client";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listTemplates } from "@iotdm/recipes";
import type { App } from "../app";
import { NO_RUN_EARNINGS, type DatasetInput } from "../store/repositories/dataset-repository";
import type { Store } from "../store/store";
import { as, createTestApp, expectError, signIn, type TestUser } from "./support/app";
import { describeEachBackend, snapshotStore } from "./support/backends";

/** A recipe in the recipe language's canonical format (which forks keep). */
const HOT_HOURS = [
  'param hot = 30.0 "hot above (°C)"',
  'param cold = -5 "cold below (°C)"',
  "",
  'from "greenhouse" window last 24h',
  "",
  'count(temperature > hot) as "hot readings"',
  "count(temperature < cold)",
  "",
].join("\n");

/** A dataset as the chain indexer writes it, measuring `field`. */
const indexedDataset = (id: string, field: string): DatasetInput => ({
  id,
  seller: "0x2222222222222222222222222222222222222222",
  name: `Sensor ${id}`,
  field,
  unit: "°C",
  scale: 2,
  offset: "-5000",
  priceWei: "1000",
  periodSeconds: 86_400,
  k: 12,
  readingCount: 0,
  firstTimestamp: null,
  lastTimestamp: null,
  approvedMask: 0b1111111111,
  pausedBlock: null,
  privacy: EXACT_PRIVACY,
  privateFrom: 0,
  runEarnings: NO_RUN_EARNINGS,
  rollups: 0,
  rollupBlockSize: 0,
  createdBlock: 1,
  updatedBlock: 1,
});

describeEachBackend("templates API", (backend) => {
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
    for (const dataset of [indexedDataset("3", "temperature"), indexedDataset("7", "temperature"), indexedDataset("9", "temp_c")]) {
      await store.datasets.upsert(dataset, new Date());
    }
  });
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  async function publish(user: TestUser, body: Record<string, unknown> = {}) {
    const response = await as(app, user, {
      method: "POST",
      url: "/api/templates",
      payload: { title: "Hot and cold hours", description: "Counts readings outside a band", tags: ["Temperature", "alerts"], source: HOT_HOURS, ...body },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  it("publishes a recipe with the parameters its source declares", async () => {
    const template = await publish(alice);
    expect(template).toMatchObject({
      author: alice.address,
      title: "Hot and cold hours",
      tags: ["alerts", "temperature"],
      version: "1.0.0",
      forkCount: 0,
      published: true,
      params: [
        { name: "hot", default: "30", description: "hot above (°C)" },
        { name: "cold", default: "-5", description: "cold below (°C)" },
      ],
    });
    const fetched = await app.inject({ method: "GET", url: `/api/templates/${template.id}` });
    expect(fetched.json()).toEqual(template);
  });

  it("publishes one of the author's recipe cells, and refuses a markdown cell or someone else's", async () => {
    const notebook = (await as(app, alice, { method: "POST", url: "/api/notebooks", payload: { title: "n" } })).json();
    const cells = `/api/notebooks/${notebook.id}/cells`;
    const recipe = (await as(app, alice, { method: "POST", url: cells, payload: { kind: "recipe", source: HOT_HOURS } })).json();
    const prose = (await as(app, alice, { method: "POST", url: cells, payload: { kind: "markdown", source: "# hi" } })).json();

    const template = await publish(alice, { source: undefined, fromCell: { notebookId: notebook.id, cellId: recipe.id } });
    expect(template.source).toBe(HOT_HOURS);

    const fromProse = { title: "t", fromCell: { notebookId: notebook.id, cellId: prose.id } };
    expectError(await as(app, alice, { method: "POST", url: "/api/templates", payload: fromProse }), 400, "ERR_TEMPLATE_CELL_NOT_RECIPE");
    const stolen = { title: "t", fromCell: { notebookId: notebook.id, cellId: recipe.id } };
    expectError(await as(app, bob, { method: "POST", url: "/api/templates", payload: stolen }), 404, "ERR_NOTEBOOK_NOT_FOUND");
  });

  it("refuses a recipe with errors, with its diagnostics, writing nothing", async () => {
    const before = await snapshotStore(store);
    const response = await as(app, alice, {
      method: "POST",
      url: "/api/templates",
      payload: { title: "Broken", source: 'from "x" window last 24h\nmeen(temperature)' },
    });
    const error = expectError(response, 422, "ERR_RECIPE_INVALID");
    expect(error.details).toMatchObject({ diagnostics: [{ line: 2, column: 1, severity: "error", code: "unknown-statistic" }] });
    expect(await snapshotStore(store)).toEqual(before);
  });

  it("wants exactly one of source and fromCell", async () => {
    expectError(await as(app, alice, { method: "POST", url: "/api/templates", payload: { title: "t" } }), 400, "ERR_REQUEST_VALIDATION");
  });

  describe("search", () => {
    let frost: { id: string };
    let mean: { id: string };
    let draft: { id: string };
    const marker = randomUUID().slice(0, 8);

    beforeAll(async () => {
      frost = await publish(alice, { title: `Frost alert ${marker}`, tags: ["frost"], description: "Any reading below zero" });
      mean = await publish(bob, { title: `Daily mean ${marker}`, tags: ["basic"], description: "The average" });
      draft = await publish(alice, { title: `Draft ${marker}`, tags: ["frost"] });
      await as(app, alice, { method: "POST", url: `/api/templates/${draft.id}/unpublish` });
    });

    const search = async (query: string, user?: TestUser) => {
      const response = user
        ? await as(app, user, { method: "GET", url: `/api/templates?${query}` })
        : await app.inject({ method: "GET", url: `/api/templates?${query}` });
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as { items: { id: string }[]; total: number };
    };
    const ids = (page: { items: { id: string }[] }) => page.items.map((t) => t.id).sort();

    it("finds templates by words in the title, description and tags", async () => {
      expect(ids(await search(`q=${marker}+frost`))).toEqual([frost.id]);
      expect(ids(await search(`q=${marker}+AVERAGE`))).toEqual([mean.id]);
      expect(ids(await search(`q=${marker}`))).toEqual([frost.id, mean.id].sort());
    });

    it("filters by tag and author, and pages", async () => {
      expect(ids(await search(`q=${marker}&tag=frost`))).toEqual([frost.id]);
      expect(ids(await search(`q=${marker}&author=${bob.address.toLowerCase()}`))).toEqual([mean.id]);
      const page = await search(`q=${marker}&limit=1&offset=1`);
      expect([page.total, page.items.length]).toEqual([2, 1]);
    });

    it("shows an unpublished template to its author only", async () => {
      expect(ids(await search(`q=${marker}&mine=true`, alice))).toEqual([frost.id, draft.id].sort());
      expect(ids(await search(`q=${marker}`, bob))).not.toContain(draft.id);
      expectError(await as(app, bob, { method: "GET", url: `/api/templates/${draft.id}` }), 404, "ERR_TEMPLATE_NOT_FOUND");
      expect((await as(app, alice, { method: "GET", url: `/api/templates/${draft.id}` })).json()).toMatchObject({ published: false });
      expectError(await app.inject({ method: "GET", url: "/api/templates?mine=true" }), 401, "ERR_AUTH_REQUIRED");
    });
  });

  describe("built-in templates", () => {
    const library = listTemplates();
    const builtins = async (query = "") => {
      const response = await app.inject({ method: "GET", url: `/api/templates?limit=100${query}` });
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json() as { items: { id: string; author: string }[]; total: number };
      return page.items.filter((t) => t.author === "Built-in");
    };

    it("lists the recipes/ library read-only, authored by Built-in, in the library's order", async () => {
      const listed = await builtins();
      expect(listed.map((t) => t.id)).toEqual(library.map((t) => `builtin:${t.id}`));
      const summary = (await app.inject({ method: "GET", url: "/api/templates/builtin:daily-summary" })).json();
      expect(summary).toMatchObject({
        id: "builtin:daily-summary",
        author: "Built-in",
        title: "Daily summary",
        source: library[0]!.source,
        published: true,
        tags: ["any-sensor", "daily", "summary"],
      });
      const heat = (await app.inject({ method: "GET", url: "/api/templates/builtin:heat-exceedance" })).json();
      expect(heat.params).toEqual([expect.objectContaining({ name: "limit", default: "30" })]);
      expectError(await app.inject({ method: "GET", url: "/api/templates/builtin:no-such-template" }), 404, "ERR_TEMPLATE_NOT_FOUND");
    });

    it("are found by words and by tag like the others", async () => {
      expect((await builtins("&q=frost")).map((t) => t.id)).toEqual(["builtin:frost-warning"]);
      expect((await builtins("&tag=air-quality")).map((t) => t.id).sort()).toEqual(["builtin:air-quality-guideline", "builtin:ventilation"]);
      expect((await builtins("&tag=any-sensor")).map((t) => t.id)).toContain("builtin:daily-summary");
    });

    it("fork with parameter values onto a dataset and count the forks", async () => {
      const fork = async (user: TestUser) => {
        const response = await as(app, user, {
          method: "POST",
          url: "/api/templates/builtin:heat-exceedance/fork",
          payload: { values: { limit: 32.5 }, datasetId: "7" },
        });
        expect(response.statusCode, response.body).toBe(201);
        return response.json();
      };
      const first = await fork(alice);
      expect(first.cell).toMatchObject({ kind: "recipe", datasetId: "7" });
      expect(first.cell.source).toContain("param limit = 32.5");
      expect(first.cell.source).toContain('from "Sensor 7"');
      const notebook = (await as(app, alice, { method: "GET", url: `/api/notebooks/${first.notebookId}` })).json();
      expect(notebook.title).toBe("Hot readings");
      const second = await fork(bob);
      expect(second.forkCount).toBe(first.forkCount + 1);
      expect((await app.inject({ method: "GET", url: "/api/templates/builtin:heat-exceedance" })).json().forkCount).toBe(second.forkCount);
    });

    it("cannot be edited, unpublished or republished by anyone (403), writing nothing", async () => {
      const before = await snapshotStore(store);
      for (const user of [alice, bob]) {
        for (const route of [
          { method: "PATCH", url: "/api/templates/builtin:daily-summary", payload: { title: "Mine now" } },
          { method: "PATCH", url: "/api/templates/builtin:daily-summary", payload: { source: 'from "x" window all\ncount()' } },
          { method: "POST", url: "/api/templates/builtin:daily-summary/unpublish" },
          { method: "POST", url: "/api/templates/builtin:daily-summary/publish" },
        ] as const) {
          expectError(await as(app, user, route), 403, "ERR_TEMPLATE_FORBIDDEN");
        }
      }
      expect(await snapshotStore(store)).toEqual(before);
    });

    it("are not duplicated by a restart, and keep their fork counts", async () => {
      const forked = (await app.inject({ method: "GET", url: "/api/templates/builtin:heat-exceedance" })).json().forkCount;
      const restarted = await createTestApp({ store });
      try {
        const response = await restarted.inject({ method: "GET", url: "/api/templates?limit=100" });
        const items = (response.json() as { items: { id: string; author: string }[] }).items.filter((t) => t.author === "Built-in");
        expect(items.map((t) => t.id)).toEqual(library.map((t) => `builtin:${t.id}`));
        expect((await restarted.inject({ method: "GET", url: "/api/templates/builtin:heat-exceedance" })).json().forkCount).toBe(forked);
      } finally {
        await restarted.close();
      }
    });
  });

  describe("authorship", () => {
    it("lets only the author edit, unpublish and republish; others get 403, writing nothing", async () => {
      const template = await publish(alice);
      const before = await snapshotStore(store);
      for (const route of [
        { method: "PATCH", url: `/api/templates/${template.id}`, payload: { title: "Mine now" } },
        { method: "POST", url: `/api/templates/${template.id}/unpublish` },
        { method: "POST", url: `/api/templates/${template.id}/publish` },
      ] as const) {
        expectError(await as(app, bob, route), 403, "ERR_TEMPLATE_FORBIDDEN");
      }
      expect(await snapshotStore(store)).toEqual(before);

      const edited = await as(app, alice, {
        method: "PATCH",
        url: `/api/templates/${template.id}`,
        payload: { title: "Heat hours", version: "1.1.0", source: 'param hot = 28\nfrom "g" window all\ncount(temperature > hot)' },
      });
      expect(edited.json()).toMatchObject({ title: "Heat hours", version: "1.1.0", params: [{ name: "hot", default: "28" }] });
      const hidden = await as(app, alice, { method: "POST", url: `/api/templates/${template.id}/unpublish` });
      expect(hidden.json().published).toBe(false);
      expectError(await as(app, bob, { method: "PATCH", url: `/api/templates/${template.id}`, payload: { title: "x" } }), 404, "ERR_TEMPLATE_NOT_FOUND");
      expect((await as(app, alice, { method: "POST", url: `/api/templates/${template.id}/publish` })).json().published).toBe(true);
    });

    it("answers 404 for a template that does not exist", async () => {
      expectError(await as(app, alice, { method: "PATCH", url: `/api/templates/${randomUUID()}`, payload: { title: "x" } }), 404, "ERR_TEMPLATE_NOT_FOUND");
    });
  });

  describe("fork", () => {
    it("adds a recipe cell with the chosen values, reading the chosen dataset, to a new notebook and counts the fork", async () => {
      const template = await publish(alice);
      const response = await as(app, bob, {
        method: "POST",
        url: `/api/templates/${template.id}/fork`,
        payload: { values: { hot: 35.5, cold: "-10" }, datasetId: "3" },
      });
      expect(response.statusCode, response.body).toBe(201);
      const fork = response.json();
      expect(fork.forkCount).toBe(1);
      expect(fork.cell).toMatchObject({ kind: "recipe", datasetId: "3", index: 0 });
      expect(fork.cell.source).toBe(
        HOT_HOURS.replace("param hot = 30.0", "param hot = 35.5").replace("param cold = -5", "param cold = -10").replace('"greenhouse"', '"Sensor 3"'),
      );

      const notebook = (await as(app, bob, { method: "GET", url: `/api/notebooks/${fork.notebookId}` })).json();
      expect(notebook).toMatchObject({ title: "Hot and cold hours", cells: [{ id: fork.cell.id }] });
      expect((await app.inject({ method: "GET", url: `/api/templates/${template.id}` })).json().forkCount).toBe(1);
    });

    it("names the chosen dataset by its name and the values as the dataset does", async () => {
      const template = await publish(alice);
      const response = await as(app, bob, { method: "POST", url: `/api/templates/${template.id}/fork`, payload: { datasetId: "9" } });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json().cell.source).toBe(HOT_HOURS.replace('"greenhouse"', '"Sensor 9"').replaceAll("temperature", "temp_c"));
    });

    it("refuses a dataset the catalogue does not hold (404), writing nothing", async () => {
      const template = await publish(alice);
      const before = await snapshotStore(store);
      const response = await as(app, bob, { method: "POST", url: `/api/templates/${template.id}/fork`, payload: { datasetId: "404" } });
      expectError(response, 404, "ERR_DATASET_NOT_FOUND");
      expect(await snapshotStore(store)).toEqual(before);
    });

    it("keeps defaults for parameters without a value and forks into an existing notebook", async () => {
      const template = await publish(alice);
      const notebook = (await as(app, bob, { method: "POST", url: "/api/notebooks", payload: { title: "mine" } })).json();
      const response = await as(app, bob, { method: "POST", url: `/api/templates/${template.id}/fork`, payload: { notebookId: notebook.id } });
      expect(response.json()).toMatchObject({ notebookId: notebook.id, cell: { source: HOT_HOURS } });
    });

    it.each([
      { name: "an unknown parameter", values: { warm: 1 }, code: "ERR_TEMPLATE_VALUES_INVALID", status: 400 },
      { name: "a value that is no number", values: { hot: "30; drop" }, code: "ERR_TEMPLATE_VALUES_INVALID", status: 400 },
      { name: "a number in exponent form", values: { hot: 1e21 }, code: "ERR_TEMPLATE_VALUES_INVALID", status: 400 },
    ] as const)("refuses $name, writing nothing", async ({ values, code, status }) => {
      const template = await publish(alice);
      const before = await snapshotStore(store);
      expectError(await as(app, bob, { method: "POST", url: `/api/templates/${template.id}/fork`, payload: { values } }), status, code);
      expect(await snapshotStore(store)).toEqual(before);
    });

    it("refuses to fork into someone else's notebook, writing nothing", async () => {
      const template = await publish(alice);
      const notebook = (await as(app, alice, { method: "POST", url: "/api/notebooks", payload: { title: "alice's" } })).json();
      const before = await snapshotStore(store);
      expectError(
        await as(app, bob, { method: "POST", url: `/api/templates/${template.id}/fork`, payload: { notebookId: notebook.id } }),
        404,
        "ERR_NOTEBOOK_NOT_FOUND",
      );
      expect(await snapshotStore(store)).toEqual(before);
    });
  });
});
