/**
 * Which fhevm the device encrypts for, selected by one variable, FHEVM_NETWORK:
 *
 * - `local` (default): the Hardhat node with Zama's fhevm **mock** (chain 31337). The node itself
 *   plays the relayer; "ciphertexts" are computed on cleartext, so there is no confidentiality.
 * - `sepolia`: Zama's testnet through the relayer SDK (`@zama-fhe/relayer-sdk`), with Zama's
 *   Sepolia configuration; RELAYER_URL overrides its relayer.
 *
 * The same selection is used by the launcher and the simulator CLI. Only the local path can be
 * tested on these machines (no Internet): the Sepolia path is configuration, not verified here.
 */
import type { JsonRpcProvider } from "ethers";
import { LOCAL_CHAIN_ID, createFhevmInstance, type FhevmClient } from "@iotdm/contracts-client";

/** The fhevm networks the product can target. */
export const FHEVM_NETWORKS = ["local", "sepolia"] as const;
export type FhevmNetworkName = (typeof FHEVM_NETWORKS)[number];

/** Sepolia's chain id. */
export const SEPOLIA_CHAIN_ID = 11_155_111n;

/** The selected network and its relayer. */
export interface FhevmNetwork {
  name: FhevmNetworkName;
  /** Real networks: the relayer URL, when not Zama's default for the network. */
  relayerUrl?: string;
}

/** The fhevm network an environment selects (FHEVM_NETWORK, RELAYER_URL); throws on an unknown name. */
export function fhevmNetworkFromEnv(env: Record<string, string | undefined> = process.env): FhevmNetwork {
  const name = (env.FHEVM_NETWORK ?? "local").trim().toLowerCase();
  if (!(FHEVM_NETWORKS as readonly string[]).includes(name)) {
    throw new Error(`FHEVM_NETWORK must be one of ${FHEVM_NETWORKS.join(", ")}; got "${env.FHEVM_NETWORK}"`);
  }
  const relayerUrl = env.RELAYER_URL?.trim();
  return { name: name as FhevmNetworkName, ...(relayerUrl ? { relayerUrl } : {}) };
}

/**
 * An fhevm client for `provider`'s chain, checked against the selected network: the mock on the
 * local chain, the relayer SDK on Sepolia. A mismatch (FHEVM_NETWORK=local against a chain that is
 * not 31337, or the other way round) is an error that says which variable to change.
 */
export async function createNetworkFhevm(options: {
  provider: JsonRpcProvider;
  network: FhevmNetwork;
  rpcUrl: string;
}): Promise<FhevmClient> {
  const { provider, network, rpcUrl } = options;
  const { chainId } = await provider.getNetwork();
  if (network.name === "local" && chainId !== LOCAL_CHAIN_ID) {
    throw new Error(
      `FHEVM_NETWORK=local expects the local Hardhat chain (id ${LOCAL_CHAIN_ID}), but ${rpcUrl} is chain ${chainId}; set FHEVM_NETWORK=sepolia for Zama's testnet`,
    );
  }
  if (network.name === "sepolia" && chainId !== SEPOLIA_CHAIN_ID) {
    throw new Error(`FHEVM_NETWORK=sepolia expects chain ${SEPOLIA_CHAIN_ID}, but ${rpcUrl} is chain ${chainId}`);
  }
  if (network.name === "local") return createFhevmInstance({ provider });

  // Loaded only here: the relayer SDK's Node entry loads its WebAssembly when imported.
  const { SepoliaConfig } = await import("@zama-fhe/relayer-sdk/node");
  return createFhevmInstance({
    provider,
    rpcUrl,
    network: network.relayerUrl ? { ...SepoliaConfig, relayerUrl: network.relayerUrl } : "sepolia",
  });
}
