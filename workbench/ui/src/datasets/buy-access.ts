/**
 * Buying access to a dataset from the browser: the wallet pays `periods` × the price to the market
 * (purchaseAccess), and the new expiry is read back from the chain. Shared by the dataset page and
 * a notebook cell refused for want of access.
 */
import type { Dataset } from "../api/datasets-api";
import type { ChainState } from "../chain/chain.svelte";
import { marketFor, toContractError } from "../chain/market";
import type { WalletState } from "../wallet/wallet.svelte";

/** What a purchase of `periods` costs, in wei; undefined when `periods` is not a whole number from 1. */
export function accessTotal(dataset: Pick<Dataset, "priceWei">, periods: number): bigint | undefined {
  return Number.isInteger(periods) && periods > 0 ? BigInt(dataset.priceWei) * BigInt(periods) : undefined;
}

/**
 * Buys `periods` access periods with the connected wallet; resolves with the access's new end (unix
 * seconds). Rejects with an Error whose message says what to do (connect, switch chain, the
 * contract's or the wallet's refusal in words).
 */
export async function buyAccess(options: { chain: ChainState; wallet: WalletState; dataset: Pick<Dataset, "id" | "priceWei">; periods: number }): Promise<number> {
  const { chain, wallet, dataset, periods } = options;
  const connection = wallet.connection;
  const market = chain.config?.marketAddress;
  if (!connection) throw new Error("Connect a wallet to buy access.");
  if (wallet.wrongChain) throw new Error(`Switch your wallet to chain ${chain.config?.chainId} first.`);
  if (!market) throw new Error("The workbench does not know the market contract, so access cannot be bought here.");
  if (accessTotal(dataset, periods) === undefined) throw new Error("Buy at least one whole period.");
  try {
    await marketFor(market, connection.signer).purchaseAccess(dataset.id, periods, BigInt(dataset.priceWei));
    return await marketFor(market, chain.provider).accessExpiry(dataset.id, connection.address);
  } catch (error) {
    throw toContractError(error);
  }
}
