/// <reference types="svelte" />
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Chain id when the service does not serve /api/chain. */
  readonly VITE_CHAIN_ID?: string;
  readonly VITE_CHAIN_RPC_URL?: string;
  readonly VITE_MARKET_ADDRESS?: string;
}
