/**
 * A local Hardhat node with Zama's fhevm mock for the browser journeys, and the market deployed on
 * it with contracts/client. Started as `node_modules/.bin/hardhat node` (not through npx) so that
 * the pid held is the node's own; bound to 127.0.0.1 only (the mock reveals plaintexts), and open to
 * one web page origin: the journey's workbench, whose port is chosen here (`workbenchPort`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import { freePort } from "@iotdm/contracts-client/local-chain";

const REPO = path.resolve(import.meta.dirname, "../../../..");
const DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"; // Hardhat account #0 (public)
/** Hardhat account #9 (public key): the relayer (worker) account, granted the market's OPERATOR_ROLE. */
export const RELAYER_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";

/** A running local chain. */
export interface LocalChain {
  rpcUrl: string;
  chainId: number;
  provider: JsonRpcProvider;
  marketAddress: string;
  /** The port the journey's workbench must listen on: the only web page origin the node answers. */
  workbenchPort: number;
  stop(): Promise<void>;
}

async function waitForRpc(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`hardhat node did not answer on ${url} within ${timeoutMs} ms`);
}

/** Starts a node and deploys the market (account #0 deploys; account #9 is the relayer/operator). */
export async function startLocalChain(): Promise<LocalChain> {
  const port = await freePort();
  const workbenchPort = await freePort();
  const child = spawn(path.join(REPO, "node_modules/.bin/hardhat"), ["node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: REPO,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "", CHAIN_ALLOWED_ORIGINS: `http://127.0.0.1:${workbenchPort}` },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const rpcUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForRpc(rpcUrl, child, 60_000);
  } catch (error) {
    child.kill("SIGTERM");
    throw new Error(`${(error as Error).message}\n${stderr.slice(-2000)}`);
  }
  const provider = new JsonRpcProvider(rpcUrl, 31_337, { staticNetwork: true, cacheTimeout: -1 });
  const deployer = new Wallet(DEPLOYER_KEY, provider);
  const { address } = await deployMarket({ signer: deployer, operator: new Wallet(RELAYER_KEY).address });
  return {
    rpcUrl,
    chainId: 31_337,
    provider,
    marketAddress: address,
    workbenchPort,
    async stop() {
      provider.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      }
    },
  };
}
