import type { JsonRpcProvider } from "ethers";

/**
 * Small JSON-RPC helpers for a device that must live through its chain going away: a raw probe that
 * never makes ethers retry in the background, and a test for "the node is unreachable" errors.
 */

/** One JSON-RPC call over HTTP with a timeout; throws on transport errors and on JSON-RPC errors. */
export async function rpcCall<T>(options: { url: string; method: string; params?: unknown[]; timeoutMs?: number }): Promise<T> {
  const response = await fetch(options.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: options.method, params: options.params ?? [] }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
  });
  if (!response.ok) throw new Error(`${options.url} answered HTTP ${response.status} to ${options.method}`);
  const body = (await response.json()) as { result?: T; error?: { message?: string } };
  if (body.error) throw new Error(`${options.method} failed: ${body.error.message ?? JSON.stringify(body.error)}`);
  return body.result as T;
}

/** A chain's identity: its id and the hash of its genesis block (a restarted dev chain has a new one). */
export interface ChainIdentity {
  chainId: bigint;
  genesisHash: string;
}

/** Reads the chain id and genesis block hash at `url`. */
export async function readChainIdentity(options: { url: string; timeoutMs?: number }): Promise<ChainIdentity> {
  const [chainId, genesis] = await Promise.all([
    rpcCall<string>({ url: options.url, method: "eth_chainId", timeoutMs: options.timeoutMs }),
    rpcCall<{ hash: string } | null>({ url: options.url, method: "eth_getBlockByNumber", params: ["0x0", false], timeoutMs: options.timeoutMs }),
  ]);
  if (!genesis) throw new Error(`${options.url} has no genesis block`);
  return { chainId: BigInt(chainId), genesisHash: genesis.hash };
}

const TRANSPORT_CODES = new Set(["NETWORK_ERROR", "TIMEOUT", "SERVER_ERROR", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "UND_ERR_SOCKET"]);
const TRANSPORT_TEXT = /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|fetch failed|network|timeout|timed out|other side closed/i;

/** True when `err` says the node could not be reached (rather than that it rejected something). */
export function isTransportError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    if (typeof e !== "object") break;
    const record = e as { code?: unknown; message?: unknown; cause?: unknown; error?: unknown; name?: unknown };
    if (typeof record.code === "string" && TRANSPORT_CODES.has(record.code)) return true;
    if (record.name === "TimeoutError" || record.name === "AbortError") return true;
    if (typeof record.message === "string" && TRANSPORT_TEXT.test(record.message) && !/revert/i.test(record.message)) return true;
    e = record.cause ?? record.error;
  }
  return false;
}

/**
 * The chain's clock, unix seconds: the pending block's time, which the block that will carry the
 * next transaction has at least (a Hardhat node mints it with the current time even while no block
 * is being mined), else the latest block's. A reading stamped no later than it is never "from the
 * future" for the market.
 */
export async function chainClock(provider: JsonRpcProvider): Promise<bigint> {
  try {
    const pending = (await provider.send("eth_getBlockByNumber", ["pending", false])) as { timestamp?: string } | null;
    if (pending?.timestamp) return BigInt(pending.timestamp);
  } catch (err) {
    if (isTransportError(err)) throw err;
    // A node without pending blocks: the latest one below.
  }
  const latest = await provider.getBlock("latest");
  if (!latest) throw new Error("the node has no latest block");
  return BigInt(latest.timestamp);
}
