/**
 * The executor's services, wired to the app: the service's run routes, the wallet, the chain and
 * the in-browser decryption.
 */
import { messageOf } from "../api/http";
import * as runs from "../api/runs-api";
import type { ChainState } from "../chain/chain.svelte";
import { marketFor } from "../chain/market";
import type { DatasetCatalogue } from "../datasets/catalogue.svelte";
import type { SessionState } from "../session/session.svelte";
import type { WalletState } from "../wallet/wallet.svelte";
import type { RunServices } from "./executor";
import { ResultsCache } from "./results-cache";

/** Whether this page has decrypted before: the first time also loads the fhevm library and makes a key pair. */
let decryptedBefore = false;

/** Builds the run services from the app's state. */
export function createRunServices(app: { chain: ChainState; wallet: WalletState; session: SessionState; datasets: DatasetCatalogue }): RunServices {
  return {
    async resolveDataset({ datasetId, reference }) {
      if (datasetId) return app.datasets.get(datasetId);
      if (!reference) return undefined;
      if (app.datasets.availability !== "ready") await app.datasets.load();
      const named = app.datasets.resolve(reference);
      if (named) return named;
      return /^\d+$/.test(reference) ? app.datasets.get(reference) : undefined;
    },
    async account() {
      // Opened moments ago, the page may still be bringing back the wallet and the session.
      await Promise.all([app.wallet.whenRestored(), app.session.whenLoaded()]);
      const connection = app.wallet.connection;
      if (!connection) return { missing: "Connect a wallet and sign in to run recipes." };
      if (app.wallet.wrongChain) return { missing: `Switch your wallet to chain ${app.chain.config?.chainId} to run recipes.` };
      const session = app.session.session;
      if (!session) return { missing: "Sign in with your wallet to run recipes." };
      if (session.address.toLowerCase() !== connection.address.toLowerCase()) {
        return { missing: "You are signed in with another account than the connected wallet; sign in again." };
      }
      return {
        address: connection.address,
        signTypedData: (domain, types, value) => connection.signer.signTypedData(domain, types, value),
      };
    },
    market: () => app.chain.config?.marketAddress ?? undefined,
    async accessExpiry(datasetId, buyer) {
      const market = app.chain.config?.marketAddress;
      return market ? marketFor(market, app.chain.provider).accessExpiry(datasetId, buyer) : undefined;
    },
    cache: new ResultsCache(),
    chainId: () => app.chain.config?.chainId,
    prepare: runs.prepareRun,
    submit: runs.submitRun,
    follow: runs.followRun,
    getRun: runs.getRun,
    async decrypt({ handles, contract }) {
      const { decryptHandles } = await import("../chain/fhevm");
      const config = app.chain.config;
      const connection = app.wallet.connection;
      if (!config) throw new Error("The chain configuration is not loaded.");
      if (!connection) throw new Error("Connect your wallet to decrypt results.");
      let values;
      try {
        values = await decryptHandles({ chainId: config.chainId, provider: app.chain.provider, signer: connection.signer, contract, handles });
      } catch (error) {
        throw new Error(decryptionProblem(error), { cause: error });
      }
      decryptedBefore = true;
      return values;
    },
    firstDecryption() {
      return !decryptedBefore;
    },
  };
}

/**
 * A failed user decryption in words. The fhevm relayer (and the mock) refuse a handle this account
 * may not decrypt with `User 0x… is not authorized to user decrypt handle 0x…`: on the local chain
 * that is nearly always a result of a previous chain, whose handles do not exist on this one.
 */
export function decryptionProblem(error: unknown): string {
  const message = messageOf(error);
  if (/not authorized to user decrypt/i.test(message)) {
    return "These results cannot be decrypted with this account: they were not made for it on the chain the workbench runs now (after a local chain restart, old results are gone for good). Run the recipe again.";
  }
  return message;
}
