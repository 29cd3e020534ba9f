/**
 * The local chain of `npm start`: compiles the contracts when their sources changed, checks that the port is free (so that nobody else's node is mistaken for ours),
 * and starts `hardhat node` with the fhevm mock through contracts/client's `startLocalChain`, which
 * binds it to 127.0.0.1 only: the mock answers `fhevm_getClearText`, so anyone who could reach the
 * port would read every plaintext. Binding to loopback does not stop the user's own browser, so the
 * node's JSON-RPC also refuses every web page but the workbench's own origins (rpc-origin-guard.ts
 * in contracts/client, installed by hardhat.config.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { MARKET_LIBRARIES } from "@iotdm/contracts-client/deploy";
import { portIsFree, startLocalChain, type LocalChain } from "@iotdm/contracts-client/local-chain";
import { ManagedProcess } from "./child-process";
import type { ConsoleLog } from "./console-log";
import { LauncherError } from "./launcher-error";

/** The artifacts `deployMarket` reads: the market and each library linked into it. */
const ARTIFACTS = [
  "artifacts/contracts/src/IoTDataMarket.sol/IoTDataMarket.json",
  ...MARKET_LIBRARIES.map((name) => `artifacts/contracts/src/libraries/${name}.sol/${name}.json`),
];

/** True when nothing listens on host:port. */
export { portIsFree };

/** Newest modification time (ms) of the files under `dir` whose name passes `filter`; 0 if none. */
export function newestMtime(dir: string, filter: (name: string) => boolean = () => true): number {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (entry.name === "node_modules" || entry.name === "dist" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, filter));
    else if (filter(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * True when Hardhat's compilation cache covers every Solidity source as it is now (same content
 * hash) and the market's artifacts exist: `hardhat compile` would have nothing to do. Hardhat
 * rewrites only the artifacts of what changed, so artifact dates alone cannot tell.
 */
export function isCompiled(root: string): boolean {
  if (!ARTIFACTS.every((file) => existsSync(path.join(root, file)))) return false;
  let cache: { files?: Record<string, { contentHash?: string }> };
  try {
    cache = JSON.parse(readFileSync(path.join(root, "cache", "solidity-files-cache.json"), "utf8"));
  } catch {
    return false;
  }
  const cached = new Map(Object.entries(cache.files ?? {}).map(([file, entry]) => [path.resolve(root, file), entry.contentHash]));
  return solidityFiles(path.join(root, "contracts", "src")).every(
    (file) => cached.get(file) === createHash("md5").update(readFileSync(file)).digest("hex"),
  );
}

function solidityFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return solidityFiles(full);
    return entry.name.endsWith(".sol") ? [full] : [];
  });
}

/** Runs `hardhat compile` unless {@link isCompiled}. */
export async function ensureCompiled(options: { root: string; log: ConsoleLog }): Promise<void> {
  if (isCompiled(options.root)) return;
  options.log.info("compile", "compiling the contracts (sources changed since the last compilation)…");
  const compile = new ManagedProcess({
    name: "compile",
    command: path.join(options.root, "node_modules", ".bin", "hardhat"),
    args: ["compile", "--quiet"],
    env: process.env,
    cwd: options.root,
    log: options.log,
  });
  const { code } = await compile.exited;
  if (code !== 0) throw new LauncherError(`compiling the contracts failed (hardhat compile exited with ${code}); see the lines above`);
}

/**
 * Starts the local node on 127.0.0.1:`port`, in its own process group (`detached`): a Ctrl-C in the
 * terminal reaches the launcher alone, which stops the chain after the processes that use it. If the
 * launcher exits without stopping it, its `exit` takes the node's group down with it. Browsers may
 * use its JSON-RPC from `allowedOrigins` only (the workbench's); programs always may.
 */
export async function startNode(options: { port: number; root: string; log: ConsoleLog; allowedOrigins: readonly string[] }): Promise<LocalChain> {
  if (!(await portIsFree("127.0.0.1", options.port))) {
    throw new LauncherError(
      `port ${options.port} on 127.0.0.1 is in use (another npm start, or a hardhat node?); stop it or choose another with CHAIN_PORT=…`,
    );
  }
  await ensureCompiled(options);
  const started = performance.now();
  const chain = await startLocalChain({ port: options.port, root: options.root, detached: true, allowedOrigins: options.allowedOrigins });
  const killGroup = () => {
    try {
      process.kill(-chain.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.on("exit", killGroup);
  options.log.info("chain", `Hardhat node with the fhevm mock on ${chain.rpcUrl} (127.0.0.1 only) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  options.log.info("chain", `its JSON-RPC answers programs and the web pages of ${options.allowedOrigins.join(", ") || "no origin"}; every other web page is refused`);
  return {
    ...chain,
    async stop() {
      await chain.stop();
      process.off("exit", killGroup);
    },
  };
}
