import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../app";
import { createStore, type Store } from "../store/store";
import { createTestApp, expectError } from "./support/app";
import { snapshotStore } from "./support/backends";
import { apiOperations, type Operation } from "./support/openapi";

/** The routes anyone may call; every other API route needs a session. A new route must be added to one side. */
const PUBLIC_OPERATIONS = [
  "GET /api/health",
  "GET /api/ready",
  "GET /api/chain",
  "GET /api/datasets",
  "GET /api/datasets/{datasetId}",
  "POST /api/recipes/diagnostics",
  "POST /api/auth/nonce",
  "POST /api/auth/verify",
  "GET /api/templates",
  "GET /api/templates/{templateId}",
].sort();

describe("private routes", () => {
  let store: Store;
  let app: App;
  let operations: Operation[];

  beforeAll(async () => {
    store = createStore({ kind: "sqlite", path: ":memory:" });
    await store.migrate();
    app = await createTestApp({ store });
    operations = await apiOperations(app);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it("documents exactly the expected public routes; all others require a session", () => {
    expect(operations.filter((o) => !o.signedIn).map((o) => o.key).sort()).toEqual(PUBLIC_OPERATIONS);
    expect(operations.filter((o) => o.signedIn).length).toBeGreaterThanOrEqual(26);
  });

  it.each([
    { name: "without a session", headers: {}, code: "ERR_AUTH_REQUIRED" as const },
    { name: "with an unknown token", headers: { authorization: `Bearer ${"x".repeat(43)}` }, code: "ERR_AUTH_SESSION_EXPIRED" as const },
    { name: "with an unknown cookie", headers: { cookie: `wb_session=${"y".repeat(43)}` }, code: "ERR_AUTH_SESSION_EXPIRED" as const },
  ])("answers 401 $name on every private route, whatever the body, writing nothing", async ({ headers, code }) => {
    const before = await snapshotStore(store);
    for (const operation of operations.filter((o) => o.signedIn)) {
      const request: InjectOptions = { method: operation.method as InjectOptions["method"], url: operation.url, headers };
      if (operation.method === "POST" || operation.method === "PATCH") request.payload = { title: "x", kind: "recipe", zzz: 1 };
      const error = expectError(await app.inject(request), 401, code);
      expect(error.message, operation.key).toMatch(/sign in/i);
    }
    expect(await snapshotStore(store)).toEqual(before);
  });
});
