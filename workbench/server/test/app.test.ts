import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildApp, type App } from "../app";
import { listen } from "../main";
import { createStore, type Store } from "../store/store";
import { answeringChain, createTestApp, deleteQueueKeys, expectError, testConfig } from "./support/app";

describe("workbench app", () => {
  let store: Store;
  let app: App;

  beforeAll(async () => {
    store = createStore({ kind: "sqlite", path: ":memory:" });
    await store.migrate();
    app = await createTestApp({
      store,
      chain: answeringChain(),
      env: { CORS_ORIGINS: "https://ui.example", PUBLIC_CHAIN_RPC_URL: "http://127.0.0.1:8545" },
    });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  describe("health and readiness", () => {
    it("reports liveness", async () => {
      const response = await app.inject({ method: "GET", url: "/api/health" });
      expect([response.statusCode, response.json()]).toEqual([200, { status: "ok" }]);
    });

    it("is ready when the store, the chain and the queue answer", async () => {
      const response = await app.inject({ method: "GET", url: "/api/ready" });
      expect([response.statusCode, response.json()]).toEqual([200, { status: "ready", checks: { store: "ok", chain: "ok", queue: "ok" } }]);
    });

    it("is not ready while the chain node does not answer", async () => {
      const offline = await createTestApp({ store });
      try {
        const error = expectError(await offline.inject({ method: "GET", url: "/api/ready" }), 503, "ERR_SERVICE_NOT_READY");
        expect(error.details).toEqual({ checks: { store: "ok", chain: "failing", queue: "ok" } });
      } finally {
        await offline.close();
      }
    });

    it("is not ready, with the error shape, when the store does not answer", async () => {
      const broken: Store = { ...store, ping: () => Promise.reject(new Error("connection refused")) };
      const unready = await createTestApp({ store: broken, chain: answeringChain() });
      try {
        const error = expectError(await unready.inject({ method: "GET", url: "/api/ready" }), 503, "ERR_SERVICE_NOT_READY");
        expect(error.details).toEqual({ checks: { store: "failing", chain: "ok", queue: "ok" } });
        expect(error.message).not.toContain("connection refused");
      } finally {
        await unready.close();
      }
    });
  });

  describe("OpenAPI", () => {
    it("serves the document generated from the zod schemas and the interactive docs", async () => {
      const document = (await app.inject({ method: "GET", url: "/docs/json" })).json();
      expect(document.openapi).toBe("3.1.0");
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining(["/api/health", "/api/auth/verify", "/api/notebooks/{notebookId}/cells/{cellId}/move", "/api/templates/{templateId}/fork"]),
      );
      expect(document.components.schemas).toHaveProperty("ErrorResponse");
      expect(document.components.securitySchemes).toHaveProperty("bearerAuth");
      const verify = document.paths["/api/auth/verify"].post;
      expect(verify.requestBody.content["application/json"].schema).toMatchObject({
        type: "object",
        required: ["message", "signature"],
        additionalProperties: false,
      });
      // The readiness route is described as it is: the three checks it runs.
      const ready = document.paths["/api/ready"].get;
      expect(ready.summary).toBe("Readiness: the store, the chain node and the run queue answer");
      for (const check of ["`store`", "`chain`", "`queue`", "ERR_SERVICE_NOT_READY"]) expect(ready.description).toContain(check);
      expect(ready.summary).not.toMatch(/once wired/);
      const html = await app.inject({ method: "GET", url: "/docs/" });
      expect([html.statusCode, html.headers["content-type"]]).toEqual([200, "text/html; charset=utf-8"]);
    });
  });

  describe("errors", () => {
    it("answers unknown routes with the error shape", async () => {
      const error = expectError(await app.inject({ method: "GET", url: "/api/nope?x=1" }), 404, "ERR_ROUTE_NOT_FOUND");
      expect(error.message).toBe("No route matches GET /api/nope.");
    });

    it("never sends a 5xx's internals, and logs them with the request's context", async () => {
      const lines: string[] = [];
      const stream = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const logged = await buildApp({ config: testConfig(), store, logger: { level: "error", stream } });
      logged.get("/api/explode", async () => {
        throw new Error("password=hunter2 at db.internal:5432");
      });
      try {
        const response = await logged.inject({ method: "GET", url: "/api/explode" });
        const error = expectError(response, 500, "ERR_SERVICE_INTERNAL");
        expect(response.body).not.toMatch(/hunter2|db\.internal|stack/);
        const requestId = /request ([0-9a-f-]{36})/.exec(error.message)?.[1];
        expect(requestId).toBeDefined();
        const entry = JSON.parse(lines.find((line) => line.includes("hunter2"))!);
        expect(entry).toMatchObject({ reqId: requestId, route: "/api/explode", method: "GET", code: "ERR_SERVICE_INTERNAL" });
      } finally {
        await logged.close();
      }
    });

    it("logs one line per request at info, except reads that succeeded (debug), so hot reads stay cheap", async () => {
      const lines: { level: number; msg: string; req?: { method: string; url: string }; res?: { statusCode: number }; responseTime?: number }[] = [];
      const stream = new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      });
      const logged = await buildApp({ config: testConfig(), store, logger: { level: "info", stream } });
      logged.get("/api/explode", async () => {
        throw new Error("boom");
      });
      try {
        expect((await logged.inject({ method: "GET", url: "/api/health" })).statusCode).toBe(200);
        expect((await logged.inject({ method: "GET", url: "/api/nope" })).statusCode).toBe(404);
        expect((await logged.inject({ method: "POST", url: "/api/auth/nonce" })).statusCode).toBe(200);
        expect((await logged.inject({ method: "GET", url: "/api/explode" })).statusCode).toBe(500);
        const completed = lines.filter((line) => line.msg === "request completed");
        expect(completed.map((line) => [line.level, line.req?.method, line.req?.url, line.res?.statusCode])).toEqual([
          [30, "GET", "/api/nope", 404],
          [30, "POST", "/api/auth/nonce", 200],
          [30, "GET", "/api/explode", 500],
        ]);
        expect(completed.every((line) => typeof line.responseTime === "number")).toBe(true);
        // The failure itself is logged too, at error, by the errors plugin; nothing says "incoming request".
        expect(lines.filter((line) => line.level === 50).map((line) => line.msg)).toEqual(["request failed"]);
        expect(lines.some((line) => line.msg === "incoming request")).toBe(false);
      } finally {
        await logged.close();
      }
    });

    it("answers a response that lacks a declared field with the error shape, not a half-written body", async () => {
      const broken = await buildApp({ config: testConfig(), store, logger: false });
      broken.get("/api/broken", { schema: { response: { 200: z.object({ id: z.string(), secretField: z.string() }) } } }, async () => ({ id: "n1" }) as never);
      try {
        const response = await broken.inject({ method: "GET", url: "/api/broken" });
        expectError(response, 500, "ERR_SERVICE_INTERNAL");
        expect(response.body).not.toMatch(/secretField|n1/);
      } finally {
        await broken.close();
      }
    });
  });

  describe("security headers", () => {
    it("sends a CSP that fits a Vite-built Svelte + Monaco app, and helmet's other headers", async () => {
      const response = await app.inject({ method: "GET", url: "/api/health" });
      const csp = Object.fromEntries(
        String(response.headers["content-security-policy"])
          .split(";")
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name, values]),
      );
      expect(csp["default-src"]).toEqual(["'self'"]);
      expect(csp["script-src"]).toEqual(["'self'", "'wasm-unsafe-eval'"]);
      expect(csp["style-src"]).toEqual(["'self'", "'unsafe-inline'"]);
      expect(csp["worker-src"]).toEqual(["'self'", "blob:"]);
      expect(csp["connect-src"]).toEqual(["'self'", "http://127.0.0.1:8545", "ws://127.0.0.1:8545"]);
      expect(csp["frame-ancestors"]).toEqual(["'none'"]);
      expect(csp).not.toHaveProperty("upgrade-insecure-requests");
      expect(response.headers["x-content-type-options"]).toBe("nosniff");
      expect(response.headers["x-frame-options"]).toBe("SAMEORIGIN");
    });
  });

  describe("CORS", () => {
    const preflight = (origin: string) =>
      app.inject({
        method: "OPTIONS",
        url: "/api/notebooks",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });

    it("allows the configured origins, with credentials", async () => {
      const response = await preflight("https://ui.example");
      expect(response.headers["access-control-allow-origin"]).toBe("https://ui.example");
      expect(response.headers["access-control-allow-credentials"]).toBe("true");
    });

    it("does not allow other origins", async () => {
      const response = await preflight("https://evil.example");
      expect(response.headers["access-control-allow-origin"]).toBeUndefined();
    });
  });

  describe("graceful shutdown", () => {
    it("finishes in-flight requests, then stops listening promptly", async () => {
      const own = createStore({ kind: "sqlite", path: ":memory:" });
      await own.migrate();
      const config = testConfig();
      const server = await buildApp({ config, store: own, logger: false });
      server.get("/api/slow", async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return { done: true };
      });
      const address = await server.listen({ host: "127.0.0.1", port: 0 });
      const slow = fetch(`${address}/api/slow`).then(async (response) => [response.status, await response.json()]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await server.close();
      expect(await slow).toEqual([200, { done: true }]);
      // The keep-alive connection closes after its response instead of holding the shutdown for its idle timeout.
      expect(Date.now() - started).toBeLessThan(2000);
      await expect(fetch(`${address}/api/health`)).rejects.toThrow();
      await own.close();
      await deleteQueueKeys(config.queue.prefix, config.queue.name);
    });

    it("listens on the configured address and closes on a shutdown signal", async () => {
      const config = testConfig({ PORT: "0", SQLITE_PATH: ":memory:" });
      const { app: running, address, dispose } = await listen({ config, signals: ["SIGUSR2"] });
      try {
        expect((await fetch(`${address}/api/health`)).status).toBe(200);
        process.emit("SIGUSR2", "SIGUSR2");
        await expect.poll(() => fetch(`${address}/api/health`).then(() => "listening", () => "closed"), { timeout: 5000 }).toBe("closed");
        expect(running.server.listening).toBe(false);
      } finally {
        dispose();
        await deleteQueueKeys(config.queue.prefix, config.queue.name);
      }
    });
  });
});
