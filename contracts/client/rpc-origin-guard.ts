/**
 * Which browsers may reach the local chain's JSON-RPC. Hardhat's node answers every request with
 * `Access-Control-Allow-Origin: *`, and the fhevm mock answers `fhevm_getClearText`: any web page
 * the user opens while the node runs could read every plaintext (binding to 127.0.0.1 does not stop
 * the user's own browser). The guard lets through requests without an `Origin` header (programs:
 * the worker, the service, the seed, curl), the listed browser origins (the workbench's own) and
 * browser extensions (a wallet sends the transactions it signs from its own origin), and refuses
 * every other origin with a 403 and no CORS header: plain requests, CORS preflights and WebSocket
 * handshakes alike. Node only.
 *
 * `hardhat.config.ts` installs it on every `hardhat node` of this repository, with the origins of
 * the environment variable {@link CHAIN_ALLOWED_ORIGINS_VARIABLE} (none when unset: only programs).
 */
import { Server, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/** The node's environment variable: the browser origins allowed, comma-separated. */
export const CHAIN_ALLOWED_ORIGINS_VARIABLE = "CHAIN_ALLOWED_ORIGINS";

/** Origin schemes of browser extensions: a wallet talks to the chain from one. */
const EXTENSION_SCHEMES = ["chrome-extension:", "moz-extension:", "safari-web-extension:"];

/** What the guard makes of a request's `Origin` header. */
export type OriginVerdict = { kind: "program" } | { kind: "allowed"; origin: string } | { kind: "refused"; origin: string };

/**
 * The origins of a comma-separated list (`http://127.0.0.1:8787,http://localhost:8787`),
 * normalised as browsers send them. Throws on an entry that is not an http(s) origin, naming
 * `variable` (the variable the list came from).
 */
export function parseAllowedOrigins(value: string | undefined, variable = CHAIN_ALLOWED_ORIGINS_VARIABLE): string[] {
  const origins: string[] = [];
  for (const entry of (value ?? "").split(",").map((part) => part.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(`${variable}: "${entry}" is not an origin (e.g. http://127.0.0.1:8787)`);
    }
    const originOnly = url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password;
    if ((url.protocol !== "http:" && url.protocol !== "https:") || !originOnly) {
      throw new Error(`${variable}: "${entry}" is not an http(s) origin (scheme, host and port only)`);
    }
    origins.push(url.origin);
  }
  return origins;
}

/** Judges a request's `Origin` header against the allowed origins. */
export function judgeOrigin(origin: string | undefined, allowedOrigins: readonly string[]): OriginVerdict {
  if (origin === undefined) return { kind: "program" };
  if (allowedOrigins.includes(origin)) return { kind: "allowed", origin };
  if (EXTENSION_SCHEMES.some((scheme) => origin.startsWith(`${scheme}//`))) return { kind: "allowed", origin };
  return { kind: "refused", origin };
}

/** The sentence a refused request gets (in a JSON-RPC error). */
function refusal(origin: string, allowedOrigins: readonly string[]): string {
  const allowed = allowedOrigins.length > 0 ? allowedOrigins.join(", ") : "none";
  return (
    `origin ${origin} may not use this chain's JSON-RPC: the local fhevm mock reveals plaintexts, so only programs ` +
    `(no Origin header) and the workbench's own origins (${allowed}; ${CHAIN_ALLOWED_ORIGINS_VARIABLE}) may reach it`
  );
}

/**
 * Puts the guard in front of an HTTP server's request and upgrade (WebSocket) listeners. Allowed
 * browser origins get their own origin in `Access-Control-Allow-Origin` (with `Vary: Origin`)
 * instead of `*`; programs get no CORS header at all.
 */
export function guardRpcServer(server: Server, options: { allowedOrigins: readonly string[] }): void {
  const { allowedOrigins } = options;
  const onRequest = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  const onUpgrade = server.listeners("upgrade") as ((req: IncomingMessage, socket: Duplex, head: Buffer) => void)[];
  server.removeAllListeners("request");
  server.removeAllListeners("upgrade");

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const verdict = judgeOrigin(req.headers.origin, allowedOrigins);
    if (verdict.kind === "refused") {
      req.resume();
      const body = JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message: refusal(verdict.origin, allowedOrigins) } });
      res.writeHead(403, { "content-type": "application/json", "content-length": Buffer.byteLength(body), vary: "Origin" });
      res.end(body);
      return;
    }
    // Hardhat sets `Access-Control-Allow-Origin: *` on every answer: name the one allowed origin
    // instead, and send no CORS header to a program (it has no use for one).
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name: string, value: number | string | readonly string[]) => {
      if (name.toLowerCase().startsWith("access-control-")) {
        if (verdict.kind === "program") return res;
        if (name.toLowerCase() === "access-control-allow-origin") value = verdict.origin;
      }
      return setHeader(name, value);
    };
    if (verdict.kind === "allowed") setHeader("vary", "Origin");
    for (const listener of onRequest) listener.call(server, req, res);
  });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const verdict = judgeOrigin(req.headers.origin, allowedOrigins);
    if (verdict.kind === "refused") {
      const body = refusal(verdict.origin, allowedOrigins);
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    for (const listener of onUpgrade) listener.call(server, req, socket, head);
  });
}

/**
 * Installs the guard on the server `hardhat node` created (Hardhat 2's `JsonRpcServer`, whose
 * HTTP server is its `_httpServer`), with the origins of `CHAIN_ALLOWED_ORIGINS`. Throws when the
 * server is not what it expects, so that a Hardhat upgrade cannot start the node unguarded.
 */
export function guardHardhatNode(jsonRpcServer: unknown, env: NodeJS.ProcessEnv = process.env): { allowedOrigins: string[] } {
  const server = (jsonRpcServer as { _httpServer?: unknown } | undefined)?._httpServer;
  if (!(server instanceof Server)) {
    throw new Error("hardhat node: its JSON-RPC server has no _httpServer to guard (a Hardhat upgrade?); refusing to start it open to every web page");
  }
  const allowedOrigins = parseAllowedOrigins(env[CHAIN_ALLOWED_ORIGINS_VARIABLE]);
  guardRpcServer(server, { allowedOrigins });
  return { allowedOrigins };
}
