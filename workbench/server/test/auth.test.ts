import { hexlify, randomBytes, Wallet } from "ethers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../app";
import type { ErrorCode } from "../errors";
import type { Store } from "../store/store";
import { createTestApp, expectError, signIn, siweMessage, TEST_ORIGIN, type MessageFields } from "./support/app";
import { describeEachBackend, snapshotStore } from "./support/backends";

describeEachBackend("sign-in with Ethereum", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let app: App;
  let clockOffsetMs = 0;
  const now = () => new Date(Date.now() + clockOffsetMs);

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
    app = await createTestApp({ store, now });
  });
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });
  afterEach(() => {
    clockOffsetMs = 0;
  });

  const newNonce = async () => (await app.inject({ method: "POST", url: "/api/auth/nonce" })).json().nonce as string;
  const verify = (message: string, signature: string, headers: Record<string, string> = {}) =>
    app.inject({ method: "POST", url: "/api/auth/verify", payload: { message, signature }, headers });

  it("signs in with a wallet's signature: cookie for browsers, bearer token for others", async () => {
    const wallet = Wallet.createRandom();
    const nonceResponse = await app.inject({ method: "POST", url: "/api/auth/nonce" });
    expect(nonceResponse.statusCode).toBe(200);
    const { nonce, expiresAt } = nonceResponse.json();
    expect(nonce).toMatch(/^[A-Za-z0-9]{8,}$/);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());

    const message = siweMessage({ address: wallet.address, nonce });
    const response = await verify(message, await wallet.signMessage(message));
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ address: wallet.address, tokenType: "Bearer" });
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const cookie = response.cookies.find((c) => c.name === "wb_session")!;
    expect(cookie).toMatchObject({ value: body.token, httpOnly: true, sameSite: "Lax", path: "/" });
    expect(cookie.secure).toBeUndefined();

    const byBearer = await app.inject({ method: "GET", url: "/api/auth/me", headers: { authorization: `Bearer ${body.token}` } });
    expect(byBearer.json()).toEqual({ address: wallet.address, expiresAt: body.expiresAt });
    const byCookie = await app.inject({ method: "GET", url: "/api/auth/me", cookies: { wb_session: body.token } });
    expect(byCookie.json().address).toBe(wallet.address);
  });

  it("stores only a hash of the token", async () => {
    const user = await signIn(app);
    const rows = await store.db.selectFrom("sessions").select(["token_hash"]).execute();
    expect(rows.some((row) => row.token_hash.includes(user.token))).toBe(false);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.token_hash))).toBe(true);
  });

  it("marks the cookie Secure when the request came over https through a trusted proxy", async () => {
    const proxied = await createTestApp({ store, env: { TRUST_PROXY: "true" } });
    try {
      const wallet = Wallet.createRandom();
      const nonce = (await proxied.inject({ method: "POST", url: "/api/auth/nonce" })).json().nonce;
      const message = siweMessage({ address: wallet.address, nonce });
      const response = await proxied.inject({
        method: "POST",
        url: "/api/auth/verify",
        payload: { message, signature: await wallet.signMessage(message) },
        headers: { "x-forwarded-proto": "https" },
      });
      expect(response.cookies.find((c) => c.name === "wb_session")?.secure).toBe(true);
    } finally {
      await proxied.close();
    }
  });

  it("signs out: the session ends and the cookie is cleared", async () => {
    const user = await signIn(app);
    const out = await app.inject({ method: "POST", url: "/api/auth/sign-out", headers: user.headers });
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.find((c) => c.name === "wb_session");
    expect(cleared?.value).toBe("");
    expectError(await app.inject({ method: "GET", url: "/api/auth/me", headers: user.headers }), 401, "ERR_AUTH_SESSION_EXPIRED");
  });

  it("uses each nonce once", async () => {
    const wallet = Wallet.createRandom();
    const message = siweMessage({ address: wallet.address, nonce: await newNonce() });
    const signature = await wallet.signMessage(message);
    expect((await verify(message, signature)).statusCode).toBe(200);
    expectError(await verify(message, signature), 401, "ERR_AUTH_NONCE_INVALID");
  });

  it("refuses a nonce it never issued, or one that expired", async () => {
    const wallet = Wallet.createRandom();
    const unknown = siweMessage({ address: wallet.address, nonce: "neverIssued123" });
    expectError(await verify(unknown, await wallet.signMessage(unknown)), 401, "ERR_AUTH_NONCE_INVALID");

    const stale = siweMessage({ address: wallet.address, nonce: await newNonce() });
    clockOffsetMs = 601_000;
    expectError(await verify(stale, await wallet.signMessage(stale)), 401, "ERR_AUTH_NONCE_INVALID");
  });

  it("ends a session at its expiry, or earlier when the message expires first", async () => {
    const user = await signIn(app);
    clockOffsetMs = 7 * 24 * 3600 * 1000 + 1000;
    expectError(await app.inject({ method: "GET", url: "/api/auth/me", headers: user.headers }), 401, "ERR_AUTH_SESSION_EXPIRED");
    clockOffsetMs = 0;

    const wallet = Wallet.createRandom();
    const expirationTime = new Date(Date.now() + 60_000).toISOString();
    const message = siweMessage({ address: wallet.address, nonce: await newNonce(), expirationTime });
    const response = await verify(message, await wallet.signMessage(message));
    expect(response.json().expiresAt).toBe(expirationTime);
  });

  describe("rejects a message that does not fit this workbench, writing nothing", () => {
    const other = Wallet.createRandom();
    const cases: { name: string; fields?: Partial<MessageFields>; signer?: "other" | "garbage"; edit?: (m: string) => string; status: number; code: ErrorCode }[] = [
      { name: "another site's domain", fields: { domain: "evil.example" }, status: 401, code: "ERR_AUTH_DOMAIN_MISMATCH" },
      { name: "another site's URI", fields: { uri: "https://evil.example/login" }, status: 401, code: "ERR_AUTH_URI_MISMATCH" },
      { name: "another chain", fields: { chainId: 1 }, status: 401, code: "ERR_AUTH_CHAIN_MISMATCH" },
      { name: "an expired message", fields: { expirationTime: new Date(Date.now() - 1000).toISOString() }, status: 401, code: "ERR_AUTH_MESSAGE_EXPIRED" },
      { name: "a message not valid yet", fields: { notBefore: new Date(Date.now() + 3_600_000).toISOString() }, status: 401, code: "ERR_AUTH_MESSAGE_NOT_YET_VALID" },
      { name: "a signature by someone else", signer: "other", status: 401, code: "ERR_AUTH_SIGNATURE_INVALID" },
      { name: "a signature that is no signature", signer: "garbage", status: 401, code: "ERR_AUTH_SIGNATURE_INVALID" },
      { name: "a message edited after signing", edit: (m) => m.replace("Sign in to", "Sign away"), status: 401, code: "ERR_AUTH_SIGNATURE_INVALID" },
      { name: "a text that is no EIP-4361 message", edit: () => "please let me in", status: 400, code: "ERR_AUTH_MESSAGE_INVALID" },
      { name: "an address not in EIP-55 form", edit: (m) => m.replace(/0x[0-9a-fA-F]{40}/, (a) => a.toLowerCase()), status: 400, code: "ERR_AUTH_MESSAGE_INVALID" },
    ];

    it.each(cases)("$name → $code", async ({ fields, signer, edit, status, code }) => {
      const wallet = Wallet.createRandom();
      const nonce = await newNonce();
      const signed = siweMessage({ address: wallet.address, nonce, ...fields });
      const signature =
        signer === "garbage" ? hexlify(randomBytes(65)) : await (signer === "other" ? other : wallet).signMessage(signed);
      const before = await snapshotStore(store);
      const error = expectError(await verify(edit ? edit(signed) : signed, signature), status, code);
      expect(error.message).not.toMatch(/stack|at .*\.js/);
      expect(await snapshotStore(store)).toEqual(before);

      // The nonce was not spent: the same wallet can still sign in with it.
      const good = siweMessage({ address: wallet.address, nonce });
      expect((await verify(good, await wallet.signMessage(good))).statusCode).toBe(200);
    });
  });

  it("accepts messages for any of its public origins", async () => {
    const wallet = Wallet.createRandom();
    const message = siweMessage({ address: wallet.address, nonce: await newNonce(), domain: "127.0.0.1:8787", uri: "http://127.0.0.1:8787/" });
    expect((await verify(message, await wallet.signMessage(message))).statusCode).toBe(200);
    expect(TEST_ORIGIN).toBe("http://localhost:8787");
  });

  it("answers 401 to a malformed or unknown bearer token and to other schemes", async () => {
    const me = (authorization: string) => app.inject({ method: "GET", url: "/api/auth/me", headers: { authorization } });
    expectError(await me("Bearer not-a-token"), 401, "ERR_AUTH_SESSION_EXPIRED");
    expectError(await me(`Bearer ${"A".repeat(43)}`), 401, "ERR_AUTH_SESSION_EXPIRED");
    expectError(await me("Basic dXNlcjpwYXNz"), 401, "ERR_AUTH_REQUIRED");
    expectError(await app.inject({ method: "GET", url: "/api/auth/me" }), 401, "ERR_AUTH_REQUIRED");
  });
});

describe("sign-in rate limit", () => {
  it("throttles nonce requests per client with the error shape and Retry-After", async () => {
    const { createStore } = await import("../store/store");
    const store = createStore({ kind: "sqlite", path: ":memory:" });
    await store.migrate();
    const app = await createTestApp({ store, env: { AUTH_RATE_LIMIT_MAX: "3" } });
    try {
      for (let i = 0; i < 3; i++) expect((await app.inject({ method: "POST", url: "/api/auth/nonce" })).statusCode).toBe(200);
      const limited = await app.inject({ method: "POST", url: "/api/auth/nonce" });
      expectError(limited, 429, "ERR_RATE_LIMITED");
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
      // Other routes keep the generous default.
      expect((await app.inject({ method: "GET", url: "/api/health" })).statusCode).toBe(200);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
