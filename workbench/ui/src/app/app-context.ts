/**
 * The app's shared services, handed to every component through Svelte context under one symbol
 * key: `setAppContext` in App.svelte, `getAppContext` everywhere below it.
 */
import { getContext, setContext } from "svelte";
import type { ChainState } from "../chain/chain.svelte";
import type { DatasetCatalogue } from "../datasets/catalogue.svelte";
import type { RecipeEditorRegistry } from "../editor/recipe-host";
import type { SessionState } from "../session/session.svelte";
import type { MarketBalance } from "../wallet/market-balance.svelte";
import type { WalletState } from "../wallet/wallet.svelte";
import type { Router } from "./router.svelte";
import type { Toasts } from "./toasts.svelte";

/** What every page can use. */
export interface AppContext {
  router: Router;
  chain: ChainState;
  wallet: WalletState;
  /** The connected account's market balance for pay per run. */
  balance: MarketBalance;
  session: SessionState;
  datasets: DatasetCatalogue;
  toasts: Toasts;
  /** Per-editor facts for the recipe language (dataset, diagnostics). */
  editors: RecipeEditorRegistry;
}

const KEY = Symbol("workbench.app");

/** Provides the services to the component tree (call once, in App.svelte). */
export function setAppContext(context: AppContext): AppContext {
  return setContext(KEY, context);
}

/** The services; throws when called outside the app's tree (a programming error). */
export function getAppContext(): AppContext {
  const context = getContext<AppContext | undefined>(KEY);
  if (!context) throw new Error("getAppContext() called outside <App>");
  return context;
}
