import { describe, expect, it } from "vitest";
import { ApiError, apiUrl, errorFromResponse, messageOf, request } from "./http";

const respond = (status: number, body?: unknown, raw?: string) =>
  (async () =>
    new Response(raw ?? (body === undefined ? null : JSON.stringify(body)), {
      status,
      headers: { "content-type": "application/json" },
    })) as unknown as typeof fetch;

describe("api client", () => {
  it("builds /api URLs and leaves out empty query values", () => {
    expect(apiUrl("/notebooks", { limit: 20, q: "", tag: undefined, mine: true })).toBe("/api/notebooks?limit=20&mine=true");
  });

  it("turns the service's error body into an ApiError with its code and message", async () => {
    const body = { error: { code: "ERR_NOTEBOOK_NOT_FOUND", message: "Notebook x was not found.", details: { a: 1 } } };
    const error = await request("/notebooks/x", { fetch: respond(404, body) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "ERR_NOTEBOOK_NOT_FOUND", message: "Notebook x was not found.", status: 404, details: { a: 1 } });
  });

  it("recognises a route the service does not have yet", () => {
    expect(errorFromResponse(404, { error: { code: "ERR_ROUTE_NOT_FOUND", message: "No route" } }).isMissingRoute).toBe(true);
    expect(errorFromResponse(404, { error: { code: "ERR_NOTEBOOK_NOT_FOUND", message: "x" } }).isMissingRoute).toBe(false);
  });

  it("explains a failure without the error shape in words", () => {
    expect(errorFromResponse(502, "<html>").message).toBe("The workbench service failed to answer (HTTP 502).");
  });

  it("reports an unreachable service as ERR_NETWORK", async () => {
    const failing = (async () => {
      throw new TypeError("Failed to fetch");
    }) as unknown as typeof fetch;
    await expect(request("/auth/me", { fetch: failing })).rejects.toMatchObject({ code: "ERR_NETWORK", status: 0 });
  });

  it("resolves 204 with undefined and 200 with the parsed body", async () => {
    await expect(request("/x", { method: "DELETE", fetch: respond(204) })).resolves.toBeUndefined();
    await expect(request("/x", { fetch: respond(200, { ok: 1 }) })).resolves.toEqual({ ok: 1 });
  });

  it("says a wallet rejection in plain words", () => {
    expect(messageOf({ code: 4001, message: "User rejected the request." })).toBe("You declined the request in your wallet.");
    expect(messageOf({ code: "ACTION_REJECTED", shortMessage: "user rejected action" })).toBe("You declined the request in your wallet.");
    expect(messageOf(new Error("first line\nstack"))).toBe("first line");
  });
});
