/**
 * The wallet the user acts with: an injected EIP-1193 wallet, or on the local chain the built-in
 * development wallet (a Hardhat account whose key is public: DEV ONLY). Everything that signs or
 * sends a transaction goes through `connection.signer`.
 */
import type { Signer } from "ethers";
import type { ChainState } from "../chain/chain.svelte";
import { devAccount } from "./dev-accounts";
import { connectInjected, discoverInjectedWallets, switchChain, type InjectedWallet } from "./eip1193";

/** A connected wallet. */
export interface WalletConnection {
  kind: "injected" | "dev";
  /** What to call it on screen: the wallet's name, or "Dev account #1". */
  label: string;
  /** EIP-55 checksum address. */
  address: string;
  /** The chain the wallet is on. */
  chainId: number;
  signer: Signer;
  /** The dev account's index. */
  devIndex?: number;
  /** The injected wallet, for chain switching. */
  injected?: InjectedWallet;
}

const STORAGE_KEY = "workbench.wallet";

/** Wallet connection state. */
export class WalletState {
  connection = $state.raw<WalletConnection | null>(null);
  /** Injected wallets found on the page. */
  injected = $state.raw<InjectedWallet[]>([]);
  busy = $state(false);
  error = $state<string | undefined>(undefined);
  #markRestored: () => void = () => {};
  readonly #restored = new Promise<void>((resolve) => (this.#markRestored = resolve));

  /** Whether the wallet is on another chain than the workbench. */
  readonly wrongChain = $derived.by(() => {
    const config = this.chain.config;
    return this.connection !== null && config !== undefined && this.connection.chainId !== config.chainId;
  });

  #unsubscribe: (() => void) | undefined;
  readonly chain: ChainState;

  constructor(chain: ChainState) {
    this.chain = chain;
  }

  /** Finds injected wallets and restores the previous connection when it needs no prompt. */
  async restore(): Promise<void> {
    try {
      this.injected = await discoverInjectedWallets();
      const saved = readSaved();
      if (saved?.kind === "dev" && this.chain.config?.local) {
        this.connectDev(saved.index);
      } else if (saved?.kind === "injected") {
        const wallet = this.injected.find((w) => w.info.uuid === saved.uuid) ?? this.injected[0];
        if (!wallet) return;
        // eth_accounts never prompts: only reconnect when the site is still authorised.
        const accounts = (await wallet.provider.request({ method: "eth_accounts" }).catch(() => [])) as string[];
        if (accounts.length > 0) await this.connectInjected(wallet);
      }
    } finally {
      this.#markRestored();
    }
  }

  /**
   * Resolves once `restore` has run: an action that needs the wallet right after the page opens
   * (a click while the previous connection is still coming back) waits for it instead of
   * reporting "connect a wallet" to a user whose wallet is connected.
   */
  whenRestored(): Promise<void> {
    return this.#restored;
  }

  /** Connects dev account `index` (local chain only). */
  connectDev(index: number): void {
    const config = this.chain.config;
    if (!config?.local) {
      this.error = "The development wallet is only available on the local chain (31337).";
      return;
    }
    this.#teardown();
    const wallet = devAccount(index).connect(this.chain.provider);
    this.connection = { kind: "dev", label: `Dev account #${index}`, address: wallet.address, chainId: config.chainId, signer: wallet, devIndex: index };
    this.error = undefined;
    save({ kind: "dev", index });
  }

  /** Connects an injected wallet (the wallet asks the user). */
  async connectInjected(wallet: InjectedWallet): Promise<void> {
    this.busy = true;
    this.error = undefined;
    try {
      const connected = await connectInjected(wallet);
      this.#teardown();
      this.connection = {
        kind: "injected",
        label: wallet.info.name,
        address: connected.address,
        chainId: connected.chainId,
        signer: connected.signer,
        injected: wallet,
      };
      this.#subscribe(wallet);
      save({ kind: "injected", uuid: wallet.info.uuid });
    } catch (error) {
      this.error = (error as { code?: unknown }).code === 4001 ? "You declined the connection in your wallet." : describe(error);
    } finally {
      this.busy = false;
    }
  }

  /** Asks the injected wallet to move to the workbench's chain. */
  async switchToWorkbenchChain(): Promise<void> {
    const wallet = this.connection?.injected;
    const config = this.chain.config;
    if (!wallet || !config) return;
    try {
      await switchChain(wallet, { chainId: config.chainId, rpcUrl: config.rpcUrl, name: config.local ? "Hardhat (local)" : undefined });
      await this.connectInjected(wallet);
    } catch (error) {
      this.error = describe(error);
    }
  }

  disconnect(): void {
    this.#teardown();
    this.connection = null;
    save(undefined);
  }

  #subscribe(wallet: InjectedWallet): void {
    const onAccounts = (accounts: unknown) => {
      if (!Array.isArray(accounts) || accounts.length === 0) this.disconnect();
      else void this.connectInjected(wallet);
    };
    const onChain = () => void this.connectInjected(wallet);
    wallet.provider.on?.("accountsChanged", onAccounts);
    wallet.provider.on?.("chainChanged", onChain);
    this.#unsubscribe = () => {
      wallet.provider.removeListener?.("accountsChanged", onAccounts);
      wallet.provider.removeListener?.("chainChanged", onChain);
    };
  }

  #teardown(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}

type Saved = { kind: "dev"; index: number } | { kind: "injected"; uuid: string };

function readSaved(): Saved | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as Saved | null;
    return value ?? undefined;
  } catch {
    return undefined;
  }
}

function save(value: Saved | undefined): void {
  try {
    if (value) localStorage.setItem(STORAGE_KEY, JSON.stringify(value));
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage may be unavailable (private mode); the choice is simply not remembered.
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0]!;
  return String(error);
}
