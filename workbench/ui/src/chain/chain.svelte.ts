/**
 * The chain the workbench runs on: its configuration, a read-only JSON-RPC provider (created on
 * first use, with a static network so that an unreachable node does not make ethers retry and log),
 * and whether the node answers.
 */
import { JsonRpcProvider } from "ethers";
import { loadChainConfig, type ChainConfig } from "../api/chain-api";

/** State of the chain connection. */
export class ChainState {
  /** Undefined while loading. */
  config = $state.raw<ChainConfig | undefined>(undefined);
  /** Whether the node answered the last probe (undefined: not probed yet). */
  reachable = $state<boolean | undefined>(undefined);
  /** Why the configuration could not be loaded. */
  error = $state<string | undefined>(undefined);

  #provider: JsonRpcProvider | undefined;

  async load(): Promise<ChainConfig | undefined> {
    try {
      this.config = await loadChainConfig();
      this.error = undefined;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
    return this.config;
  }

  /** A read-only provider for the configured chain. */
  get provider(): JsonRpcProvider {
    if (!this.config) throw new Error("the chain configuration is not loaded yet");
    this.#provider ??= new JsonRpcProvider(this.config.rpcUrl, this.config.chainId, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
    return this.#provider;
  }

  /** Asks the node for its block number; records whether it answered. */
  async probe(): Promise<boolean> {
    if (!this.config) return false;
    try {
      await this.provider.getBlockNumber();
      this.reachable = true;
    } catch {
      this.reachable = false;
    }
    return this.reachable;
  }
}
