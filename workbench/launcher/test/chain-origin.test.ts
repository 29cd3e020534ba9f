/**
 * The local chain npm start runs, as a web page would try it: the fhevm mock answers
 * `fhevm_getClearText`, so its JSON-RPC must answer the workbench's own origin and clients that
 * send no Origin (the worker, the service, curl), and refuse every other browser origin — a plain
 * POST, a CORS preflight and a WebSocket handshake alike. The node is started by the launcher's
 * `startNode`, as `npm start` starts it, and a plaintext is put in its mock first so that the
 * refusal is seen to withhold something real.
 */
import { request } from "node:http";
import path from "node:path";
import { JsonRpcProvider, Network, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFhevmInstance, encryptReadings } from "@iotdm/contracts-client";
import { freePort, type LocalChain } from "@iotdm/contracts-client/local-chain";
import { ConsoleLog } from "../console-log";
import { startNode } from "../local-node";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
const WORKBENCH = "http://127.0.0.1:8787";
const EVIL = "https://evil.example";
const SECRET = 4242n;

/** One JSON-RPC POST as a browser page (with `origin`) or a program (without) sends it. */
async function rpc(url: string, method: string, params: unknown[], origin?: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as { result?: unknown; error?: { message: string } } };
}

/** A browser's CORS preflight for a JSON POST from `origin`. */
async function preflight(url: string, origin: string) {
  const response = await fetch(url, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });
  await response.arrayBuffer();
  return response;
}

/** A WebSocket handshake from `origin`: 101 when the node upgrades it, else the status it answered. */
function websocketHandshake(url: string, origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        origin,
        "sec-websocket-version": "13",
        "sec-websocket-key": Buffer.from("sixteen byte key").toString("base64"),
      },
    });
    req.once("upgrade", (response, socket) => (socket.destroy(), resolve(response.statusCode!)));
    req.once("response", (response) => (response.resume(), resolve(response.statusCode!)));
    req.once("error", reject);
    req.end();
  });
}

describe("the local chain's JSON-RPC from a browser", () => {
  let chain: LocalChain;
  let handle: string;

  beforeAll(async () => {
    chain = await startNode({
      port: await freePort(),
      root: ROOT,
      log: new ConsoleLog({ sink: () => undefined, color: false }),
      allowedOrigins: [WORKBENCH, "http://localhost:8787"],
    });
    // A device's encrypted reading: the mock keeps its plaintext, which fhevm_getClearText reveals.
    const provider = new JsonRpcProvider(chain.rpcUrl, Network.from(31337), { staticNetwork: true });
    try {
      const instance = await createFhevmInstance({ provider });
      const [batch] = await encryptReadings({ instance, market: Wallet.createRandom().address, appender: Wallet.createRandom().address, values: [SECRET] });
      handle = batch!.handles[0]!;
    } finally {
      provider.destroy();
    }
  }, 180_000);

  afterAll(async () => {
    await chain?.stop();
  });

  it("answers a program (no Origin header) with the plaintext and no CORS header", async () => {
    const answer = await rpc(chain.rpcUrl, "fhevm_getClearText", [[handle]]);
    expect(answer.status).toBe(200);
    expect((answer.body.result as string[]).map((hex) => BigInt(hex))).toEqual([SECRET]);
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers the workbench's own origin, naming that origin (not *) in Access-Control-Allow-Origin", async () => {
    const allowed = await preflight(chain.rpcUrl, WORKBENCH);
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(WORKBENCH);
    expect(allowed.headers.get("vary")).toMatch(/origin/i);

    const answer = await rpc(chain.rpcUrl, "fhevm_getClearText", [[handle]], WORKBENCH);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("access-control-allow-origin")).toBe(WORKBENCH);
    expect((answer.body.result as string[]).map((hex) => BigInt(hex))).toEqual([SECRET]);
    expect(await rpc(chain.rpcUrl, "eth_chainId", [], "http://localhost:8787")).toMatchObject({ status: 200, body: { result: "0x7a69" } });
    expect(await websocketHandshake(chain.rpcUrl, WORKBENCH)).toBe(101);
  });

  it("refuses a foreign web page: no plaintext, no permissive CORS header, on a POST, a preflight or a WebSocket", async () => {
    const answer = await rpc(chain.rpcUrl, "fhevm_getClearText", [[handle]], EVIL);
    expect(answer.status).toBe(403);
    expect(answer.body.result).toBeUndefined();
    expect(answer.text).not.toContain(SECRET.toString(16));
    expect(answer.body.error?.message).toContain(`origin ${EVIL} may not use this chain's JSON-RPC`);
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();

    const refused = await preflight(chain.rpcUrl, EVIL);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    expect(refused.headers.get("access-control-allow-headers")).toBeNull();

    for (const origin of [EVIL, "null", "http://127.0.0.1:8788", "http://localhost.evil.example:8787"]) {
      expect((await rpc(chain.rpcUrl, "eth_accounts", [], origin)).status, origin).toBe(403);
    }
    expect(await websocketHandshake(chain.rpcUrl, EVIL)).toBe(403);
  });
});
