/**
 * The connected account's market balance for pay per run (issue 15): what it deposited into the
 * market and no run holds locked. Read from the chain, refreshed after each deposit and withdrawal,
 * shown in the wallet menu and compared with a run's quote beside the Run button.
 */
import type { ChainState } from "../chain/chain.svelte";
import { marketFor, toContractError } from "../chain/market";
import type { WalletState } from "./wallet.svelte";

/** The balance of the connected wallet's account. */
export class MarketBalance {
  /** Wei; undefined while unknown (no wallet, not read yet, or the read failed). */
  wei = $state<bigint | undefined>(undefined);
  /** Why the balance could not be read. */
  error = $state<string | undefined>(undefined);
  /** Bumped when something asks for the deposit form (the Run button's "Deposit…"); the wallet menu opens it. */
  depositRequests = $state(0);

  readonly #chain: ChainState;
  readonly #wallet: WalletState;

  constructor(chain: ChainState, wallet: WalletState) {
    this.#chain = chain;
    this.#wallet = wallet;
  }

  /** Reads the balance again; an answer for an account no longer connected is dropped. */
  async refresh(): Promise<void> {
    const address = this.#wallet.connection?.address;
    const market = this.#chain.config?.marketAddress;
    if (!address || !market) {
      this.wei = undefined;
      return;
    }
    try {
      const wei = await marketFor(market, this.#chain.provider).balanceOf(address);
      if (this.#wallet.connection?.address !== address) return;
      this.wei = wei;
      this.error = undefined;
    } catch (error) {
      if (this.#wallet.connection?.address !== address) return;
      this.wei = undefined;
      this.error = toContractError(error).message;
    }
  }

  /** Deposits `wei` from the wallet; rejects with an Error in words; the balance is read again either way. */
  deposit(wei: bigint): Promise<void> {
    return this.#send((market) => market.deposit(wei));
  }

  /** Withdraws `wei` of the unlocked balance to the wallet; rejects with an Error in words. */
  withdraw(wei: bigint): Promise<void> {
    return this.#send((market) => market.withdrawBalance(wei));
  }

  /** Asks the wallet menu to open its deposit form. */
  requestDeposit(): void {
    this.depositRequests++;
  }

  async #send(action: (market: ReturnType<typeof marketFor>) => Promise<unknown>): Promise<void> {
    const connection = this.#wallet.connection;
    const market = this.#chain.config?.marketAddress;
    if (!connection) throw new Error("Connect a wallet first.");
    if (this.#wallet.wrongChain) throw new Error(`Switch your wallet to chain ${this.#chain.config?.chainId} first.`);
    if (!market) throw new Error("The workbench does not know the market contract.");
    try {
      await action(marketFor(market, connection.signer));
    } catch (error) {
      throw toContractError(error);
    } finally {
      await this.refresh();
    }
  }
}
