import { EXACT_PRIVACY } from "@iotdm/contracts-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../app";
import { NO_RUN_EARNINGS } from "../store/repositories/dataset-repository";
const ANONYMOUS_CHECK_LIMITS = { sourceLength: 4096, perMinute: 30 };
import { createStore, type Store } from "../store/store";
import { answeringChain, as, createTestApp, expectError, signIn, type TestUser } from "./support/app";

/**
 * Input no client should be able to turn into a 500, an unbounded amount of work, or a response
 * outside the API's error shape and headers.
 */

const HUGE = "100000000000000000000";
const HUGE_WINDOWS = [`${HUGE}h`, `${HUGE} readings`, `${HUGE} s`, `${"9".repeat(300)}d`];
const recipeWith = (window: string) => `param hot = 30\nfrom "greenhouse" window last ${window}\ncount(temperature > hot)`;

const GREENHOUSE = {
  id: "1",
  seller: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  name: "greenhouse",
  field: "temperature",
  unit: "°C",
  scale: 2,
  offset: "-5000",
  priceWei: "10000000000000000",
  periodSeconds: 2_592_000,
  k: 12,
  readingCount: 48,
  firstTimestamp: 1_700_000_000,
  lastTimestamp: 1_700_014_100,
  approvedMask: 0b1111111111,
  pausedBlock: null,
  privacy: EXACT_PRIVACY,
  privateFrom: 0,
  runEarnings: NO_RUN_EARNINGS,
  rollups: 0,
  rollupBlockSize: 0,
  createdBlock: 1,
  updatedBlock: 2,
};

describe("untrusted input", () => {
  let store: Store;
  let app: App;
  let alice: TestUser;

  beforeAll(async () => {
    store = createStore({ kind: "sqlite", path: ":memory:" });
    await store.migrate();
    await store.datasets.upsert(GREENHOUSE, new Date());
    await store.datasets.addReadingTimestamps("1", 0, Array.from({ length: 48 }, (_, i) => GREENHOUSE.firstTimestamp + 300 * i));
    const chain = { ...answeringChain(), chainTime: async () => GREENHOUSE.lastTimestamp + 60 };
    app = await createTestApp({ store, chain });
    alice = await signIn(app);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  describe("recipes with numbers of any size get diagnostics, never a 500", () => {
    it.each(HUGE_WINDOWS)("POST /api/recipes/diagnostics, anonymously: window last %s", async (window) => {
      for (const datasetId of [undefined, "1"]) {
        const response = await app.inject({ method: "POST", url: "/api/recipes/diagnostics", payload: { source: recipeWith(window), datasetId } });
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json()).toMatchObject({ ok: false, diagnostics: [expect.objectContaining({ code: "invalid-window", severity: "error" })] });
      }
    });

    it.each(HUGE_WINDOWS)("POST /api/runs/plan: window last %s", async (window) => {
      const response = await as(app, alice, { method: "POST", url: "/api/runs/plan", payload: { datasetId: "1", source: recipeWith(window) } });
      expectError(response, 422, "ERR_RECIPE_INVALID");
    });

    it.each(HUGE_WINDOWS)("POST /api/templates: window last %s", async (window) => {
      const response = await as(app, alice, { method: "POST", url: "/api/templates", payload: { title: "huge", source: recipeWith(window) } });
      expectError(response, 422, "ERR_RECIPE_INVALID");
    });

    it("POST /api/templates/:id/fork with a parameter value of any size", async () => {
      const created = await as(app, alice, { method: "POST", url: "/api/templates", payload: { title: "hot", source: recipeWith("24h") } });
      expect(created.statusCode, created.body).toBe(201);
      const forked = await as(app, alice, { method: "POST", url: `/api/templates/${created.json().id}/fork`, payload: { values: { hot: HUGE } } });
      expect(forked.statusCode, forked.body).toBeLessThan(500);
    });
  });

  describe("the work an anonymous check can cost is bounded", () => {
    const longSource = `from "greenhouse" window last 24h\n${"mean(".repeat(ANONYMOUS_CHECK_LIMITS.sourceLength / 5 + 1)}`;

    it(`refuses an anonymous source over ${ANONYMOUS_CHECK_LIMITS.sourceLength} characters with 413, before checking it`, async () => {
      const response = await app.inject({ method: "POST", url: "/api/recipes/diagnostics", payload: { source: longSource } });
      expectError(response, 413, "ERR_RECIPE_SOURCE_TOO_LONG");
    });

    it("checks the same source for a signed-in user", async () => {
      const response = await as(app, alice, { method: "POST", url: "/api/recipes/diagnostics", payload: { source: longSource } });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().ok).toBe(false);
    });

    it(`allows ${ANONYMOUS_CHECK_LIMITS.perMinute} anonymous checks a minute per address, then 429`, async () => {
      const check = (remoteAddress: string) =>
        app.inject({ method: "POST", url: "/api/recipes/diagnostics", payload: { source: recipeWith("24h") }, remoteAddress });
      for (let i = 0; i < ANONYMOUS_CHECK_LIMITS.perMinute; i++) expect((await check("10.0.0.7")).statusCode).toBe(200);
      expectError(await check("10.0.0.7"), 429, "ERR_RATE_LIMITED");
      // Another address, and a signed-in user from the same one, are not held back.
      expect((await check("10.0.0.8")).statusCode).toBe(200);
      const signedIn = await as(app, alice, { method: "POST", url: "/api/recipes/diagnostics", payload: { source: recipeWith("24h") }, remoteAddress: "10.0.0.7" });
      expect(signedIn.statusCode, signedIn.body).toBe(200);
    });
  });

  describe("URL-level errors go through the error handler", () => {
    const expectApiHeaders = (response: Awaited<ReturnType<App["inject"]>>) => {
      expect(response.headers["content-security-policy"]).toContain("default-src 'self'");
      expect(response.headers["x-content-type-options"]).toBe("nosniff");
      expect(response.headers["cache-control"]).toBe("no-store");
    };

    it.each([
      ["a path parameter over 100 characters", `/api/notebooks/${"a".repeat(101)}`, 414, "ERR_REQUEST_URL_TOO_LONG"],
      ["a long dataset id", `/api/datasets/${"1".repeat(120)}`, 414, "ERR_REQUEST_URL_TOO_LONG"],
      ["a broken %-encoding in a parameter", "/api/notebooks/%E0%A4%A", 400, "ERR_REQUEST_BAD_URL"],
      ["a broken %-encoding in the path", "/api/%zz", 400, "ERR_REQUEST_BAD_URL"],
    ] as const)("%s (%s) → %i %s, with the security headers", async (_name, url, status, code) => {
      const response = await as(app, alice, { method: "GET", url });
      expectError(response, status, code);
      expectApiHeaders(response);
    });

    it("marks private responses, and every other API answer, Cache-Control: no-store", async () => {
      const notebook = await as(app, alice, { method: "POST", url: "/api/notebooks", payload: { title: "mine" } });
      for (const response of [
        notebook,
        await as(app, alice, { method: "GET", url: `/api/notebooks/${notebook.json().id}` }),
        await as(app, alice, { method: "GET", url: "/api/auth/me" }),
        await app.inject({ method: "GET", url: "/api/notebooks" }),
        await app.inject({ method: "GET", url: "/api/datasets" }),
      ]) {
        expect(response.statusCode).toBeLessThan(500);
        expectApiHeaders(response);
      }
    });
  });
});
