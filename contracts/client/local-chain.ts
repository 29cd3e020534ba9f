import { spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

export interface LocalChain {
  /** http://127.0.0.1:<port> */
  rpcUrl: string;
  port: number;
  /** Stops the node (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. */
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Starts `hardhat node` with the fhevm mock on 127.0.0.1 only (the mock answers `fhevm_getClearText`: anyone who
 * reaches its port reads every plaintext), waits until it answers JSON-RPC, and returns its URL. The binary is
 * started directly, not through npx, so that the pid held is the node's own. Node only.
 * @param options.port A port to listen on; a free one is picked when omitted.
 */
export async function startLocalChain(options: { port?: number; timeoutMs?: number } = {}): Promise<LocalChain> {
  const port = options.port ?? (await freePort());
  const rpcUrl = `http://127.0.0.1:${port}`;
  const child = spawn(
    path.join(ROOT, "node_modules", ".bin", "hardhat"),
    ["node", "--hostname", "127.0.0.1", "--port", String(port)],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env } },
  );
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited with ${child.exitCode}:\n${output}`);
    if (await answers(rpcUrl)) return { rpcUrl, port, stop };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`hardhat node did not answer on ${rpcUrl} in time:\n${output}`);
}

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "fhevm_relayer_metadata", params: [] }),
    });
    const body = (await response.json()) as { result?: unknown };
    return response.ok && body.result !== undefined;
  } catch {
    return false;
  }
}

/** A TCP port free on 127.0.0.1 at the time of the call. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
