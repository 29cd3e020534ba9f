/**
 * Injected wallets (EIP-1193 providers): discovered through EIP-6963 announcements, with the legacy
 * `window.ethereum` as a fallback, and connected through ethers' BrowserProvider.
 */
import { BrowserProvider, type Eip1193Provider, type Signer } from "ethers";

/** EIP-6963 provider info. */
export interface ProviderInfo {
  uuid: string;
  name: string;
  /** A data: URI. */
  icon: string;
  rdns: string;
}

/** An injected wallet the page can connect to. */
export interface InjectedWallet {
  info: ProviderInfo;
  provider: Eip1193Provider & {
    on?(event: string, listener: (...args: unknown[]) => void): void;
    removeListener?(event: string, listener: (...args: unknown[]) => void): void;
  };
}

/**
 * The injected wallets of the page: EIP-6963 announcements collected for `waitMs`, or
 * `window.ethereum` when none announced itself.
 */
export async function discoverInjectedWallets(waitMs = 150): Promise<InjectedWallet[]> {
  const found = new Map<string, InjectedWallet>();
  const onAnnounce = (event: Event) => {
    const detail = (event as CustomEvent<InjectedWallet>).detail;
    if (detail?.info?.uuid && detail.provider) found.set(detail.info.uuid, detail);
  };
  window.addEventListener("eip6963:announceProvider", onAnnounce);
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  window.removeEventListener("eip6963:announceProvider", onAnnounce);
  if (found.size === 0) {
    const legacy = (window as { ethereum?: InjectedWallet["provider"] }).ethereum;
    if (legacy) found.set("window.ethereum", { info: { uuid: "window.ethereum", name: "Browser wallet", icon: "", rdns: "" }, provider: legacy });
  }
  return [...found.values()];
}

/** A connected injected wallet. */
export interface InjectedConnection {
  address: string;
  chainId: number;
  signer: Signer;
  browserProvider: BrowserProvider;
}

/** Asks the wallet for an account (the user approves in the wallet) and returns its signer. */
export async function connectInjected(wallet: InjectedWallet): Promise<InjectedConnection> {
  await wallet.provider.request({ method: "eth_requestAccounts" });
  const browserProvider = new BrowserProvider(wallet.provider);
  const signer = await browserProvider.getSigner();
  const network = await browserProvider.getNetwork();
  return { address: await signer.getAddress(), chainId: Number(network.chainId), signer, browserProvider };
}

/** Asks the wallet to switch to (or add) the workbench's chain. */
export async function switchChain(wallet: InjectedWallet, chain: { chainId: number; rpcUrl: string; name?: string }): Promise<void> {
  const chainIdHex = `0x${chain.chainId.toString(16)}`;
  try {
    await wallet.provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: chainIdHex }] });
  } catch (error) {
    // 4902: the wallet does not know the chain yet.
    if ((error as { code?: number }).code !== 4902) throw error;
    await wallet.provider.request({
      method: "wallet_addEthereumChain",
      params: [
        {
          chainId: chainIdHex,
          chainName: chain.name ?? `Chain ${chain.chainId}`,
          rpcUrls: [chain.rpcUrl],
          nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        },
      ],
    });
  }
}
