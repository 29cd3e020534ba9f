/**
 * Where the chain and the market are (workbench/server/chain/routes.ts):
 *
 *     GET /api/chain → { chainId, rpcUrl, marketAddress | null, deploymentBlock | null, indexer }
 *
 * `rpcUrl` is the JSON-RPC endpoint the browser may use (the service's Content-Security-Policy
 * allows it). A service without the route (404) makes the UI fall back to the build's
 * VITE_CHAIN_ID / VITE_CHAIN_RPC_URL / VITE_MARKET_ADDRESS, else the local Hardhat chain.
 */
import { ApiError, request } from "./http";

/** The chain the workbench runs on. */
export interface ChainConfig {
  chainId: number;
  rpcUrl: string;
  /** The IoTDataMarket contract; null when the service does not know it (no market deployed yet). */
  marketAddress: string | null;
  /** True on the local Hardhat chain (31337), where the fhevm is Zama's mock and the dev wallet is offered. */
  local: boolean;
  /** Where this configuration came from, for the settings panel. */
  source: "service" | "build";
}

/** The local Hardhat chain's id. */
export const LOCAL_CHAIN_ID = 31_337;

function fromBuild(): ChainConfig {
  const env = (import.meta as { env?: Record<string, string | undefined> }).env ?? {};
  const chainId = Number(env.VITE_CHAIN_ID ?? LOCAL_CHAIN_ID);
  return {
    chainId,
    rpcUrl: env.VITE_CHAIN_RPC_URL ?? "http://127.0.0.1:8545",
    marketAddress: env.VITE_MARKET_ADDRESS ?? null,
    local: chainId === LOCAL_CHAIN_ID,
    source: "build",
  };
}

/** The chain configuration: from the service when it serves it, else from the build. */
export async function loadChainConfig(): Promise<ChainConfig> {
  try {
    const config = await request<{ chainId: number; rpcUrl: string; marketAddress: string | null }>("/chain");
    return { ...config, local: config.chainId === LOCAL_CHAIN_ID, source: "service" };
  } catch (error) {
    if (error instanceof ApiError && (error.isMissingRoute || error.status === 404)) return fromBuild();
    throw error;
  }
}
