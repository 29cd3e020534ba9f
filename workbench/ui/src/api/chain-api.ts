/**
 * Where the chain and the market are (workbench/server/chain/routes.ts, schemas.ts):
 *
 *     GET /api/chain → { chainId, rpcUrl, marketAddress | null, deploymentBlock | null, indexer }
 *
 * `rpcUrl` is the JSON-RPC endpoint the browser may use (the service's Content-Security-Policy
 * allows it). A service without the route (404) makes the UI fall back to the build's
 * VITE_CHAIN_ID / VITE_CHAIN_RPC_URL / VITE_MARKET_ADDRESS, else the local Hardhat chain.
 */
import type { z } from "zod";
import type { ChainInfo } from "../../../server/chain/schemas";
import { ApiError, request } from "./http";

/** `GET /api/chain` as the service sends it: the output of its schema. */
export type ChainInfoDto = z.output<typeof ChainInfo>;

/**
 * The chain the workbench runs on, from the service's {@link ChainInfoDto} or from the build: the
 * service's chain id, RPC URL and market, plus what the UI derives and where it came from.
 */
export interface ChainConfig extends Pick<ChainInfoDto, "chainId" | "rpcUrl" | "marketAddress"> {
  /** True on the local Hardhat chain (31337), where the fhevm is Zama's mock and the dev wallet is offered. */
  local: boolean;
  /** Where this configuration came from, for the settings panel. */
  source: "service" | "build";
}

/** The local Hardhat chain's id. */
export const LOCAL_CHAIN_ID = 31_337;

/** What the UI holds of the service's chain information (it reads neither the deployment block nor the indexer's status). */
export function chainConfigFromService(info: ChainInfoDto): ChainConfig {
  return { chainId: info.chainId, rpcUrl: info.rpcUrl, marketAddress: info.marketAddress, local: info.chainId === LOCAL_CHAIN_ID, source: "service" };
}

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
    return chainConfigFromService(await request<ChainInfoDto>("/chain"));
  } catch (error) {
    if (error instanceof ApiError && (error.isMissingRoute || error.status === 404)) return fromBuild();
    throw error;
  }
}
