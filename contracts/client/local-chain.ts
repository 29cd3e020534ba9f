import { spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { findRepositoryRoot } from "./repo-root";
import { CHAIN_ALLOWED_ORIGINS_VARIABLE } from "./rpc-origin-guard";

export interface LocalChain {
  /** http://127.0.0.1:<port> */
  rpcUrl: string;
  port: number;
  /** The node's process id (with `detached`, also its process group's id). */
  pid: number;
  /** Whether the node runs in its own process group (see {@link StartLocalChainOptions.detached}). */
  detached: boolean;
  /** Stops the node (SIGTERM, then SIGKILL after 5 s; the whole group when detached) and resolves once it has exited. */
  stop(): Promise<void>;
}

export interface StartLocalChainOptions {
  /** A port to listen on (it must be free on 127.0.0.1); a free one is picked when omitted. */
  port?: number;
  /** How long to wait for the node to answer (default 120 s). */
  timeoutMs?: number;
  /** The repository's root (node_modules/.bin/hardhat, hardhat.config.ts); found by {@link findRepositoryRoot} when omitted. */
  root?: string;
  /**
   * Starts the node in its own process group, so that a Ctrl-C in the terminal reaches only the
   * caller, which then stops the chain itself (in its own order). The caller must then make sure the
   * node does not outlive it (`stop()`, or kill `-pid` on its exit). Default false.
   */
  detached?: boolean;
  /**
   * The browser origins that may use the node's JSON-RPC (the workbench's own); programs, which
   * send no Origin header, always may. Default: none (see rpc-origin-guard.ts).
   */
  allowedOrigins?: readonly string[];
}

/** What the node prints once its JSON-RPC server listens (so that an answer on the port is ours). */
const LISTENING = "Started HTTP and WebSocket JSON-RPC server at";

/**
 * Starts `hardhat node` with the fhevm mock on 127.0.0.1 only (the mock answers `fhevm_getClearText`: anyone who
 * reaches its port reads every plaintext), open to programs and to the browser origins of `allowedOrigins` only
 * (hardhat.config.ts installs rpc-origin-guard.ts: a web page on any other origin is refused), waits until it answers JSON-RPC, and returns its URL. The binary is
 * started directly, not through npx, so that the pid held is the node's own. Node only.
 *
 * Refuses a port something already listens on (otherwise the readiness poll would take that other
 * node's answer for ours), and fails as soon as the node exits before it is ready.
 */
export async function startLocalChain(options: StartLocalChainOptions = {}): Promise<LocalChain> {
  const root = options.root ?? findRepositoryRoot();
  const detached = options.detached ?? false;
  const port = options.port ?? (await freePort());
  const rpcUrl = `http://127.0.0.1:${port}`;
  if (!(await portIsFree("127.0.0.1", port))) {
    throw new Error(
      `cannot start a local chain on 127.0.0.1:${port}: the port is already in use (another hardhat node or npm start?); ` +
        "stop it or choose another port",
    );
  }
  const child = spawn(
    path.join(root, "node_modules", ".bin", "hardhat"),
    ["node", "--hostname", "127.0.0.1", "--port", String(port)],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, [CHAIN_ALLOWED_ORIGINS_VARIABLE]: (options.allowedOrigins ?? []).join(",") }, detached },
  );
  let output = "";
  let listening = false;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    if (!listening && output.includes(LISTENING)) listening = true;
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let failure: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("error", (err) => {
      failure ??= new Error(`could not start hardhat node (${path.join(root, "node_modules", ".bin", "hardhat")}): ${err.message}`);
      resolve();
    });
    child.once("exit", (code, signal) => {
      failure ??= new Error(`hardhat node exited with ${code ?? signal} before it was ready:\n${output}`);
      resolve();
    });
  });
  const gone = () => failure !== undefined || child.exitCode !== null || child.signalCode !== null;

  const signal = (name: NodeJS.Signals) => {
    try {
      if (detached && child.pid) process.kill(-child.pid, name);
      else child.kill(name);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (gone()) {
      // The node is gone; with a group, take down anything it left behind.
      if (detached) signal("SIGKILL");
      return;
    }
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (gone()) {
      await exited;
      throw failure ?? new Error(`hardhat node exited before it was ready:\n${output}`);
    }
    if (listening && (await answers(rpcUrl)) && !gone()) {
      return { rpcUrl, port, pid: child.pid!, detached, stop };
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 250))]);
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

/** True when nothing listens on host:port (checked by binding it, exclusively, for a moment). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
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
