/**
 * Client-side routing over the History API: the current route in state, link clicks inside the app
 * handled without a page load, back/forward followed. The service answers every page URL with
 * index.html (workbench/server/plugins/ui.ts), so deep links work.
 */
import { hrefOf, isPlainLeftClick, matchRoute, type Route } from "./routes";

/** The router of the app. */
export class Router {
  /** The current page; replaced whole on navigation. */
  route = $state.raw<Route>(matchRoute(location.pathname));
  /** The current query string. */
  query = $state.raw<URLSearchParams>(new URLSearchParams(location.search));

  #listening = false;

  /** Follows back/forward and intercepts same-origin link clicks. Returns a function that stops it. */
  start(): () => void {
    if (this.#listening) return () => {};
    this.#listening = true;
    const onPopState = () => this.#sync();
    const onClick = (event: MouseEvent) => {
      if (!isPlainLeftClick(event)) return;
      const anchor = (event.target as Element | null)?.closest?.("a");
      if (!anchor || anchor.target || anchor.hasAttribute("download") || anchor.dataset.native !== undefined) return;
      const url = new URL(anchor.href, location.href);
      if (url.origin !== location.origin || url.pathname.startsWith("/api/") || url.pathname.startsWith("/docs")) return;
      event.preventDefault();
      this.navigate(url.pathname + url.search + url.hash);
    };
    addEventListener("popstate", onPopState);
    document.addEventListener("click", onClick);
    return () => {
      removeEventListener("popstate", onPopState);
      document.removeEventListener("click", onClick);
      this.#listening = false;
    };
  }

  /** Goes to a URL or a route. */
  navigate(to: string | Route, options: { replace?: boolean } = {}): void {
    const href = typeof to === "string" ? to : hrefOf(to);
    if (href === location.pathname + location.search + location.hash) return;
    if (options.replace) history.replaceState(null, "", href);
    else history.pushState(null, "", href);
    this.#sync();
    if (!options.replace) window.scrollTo({ top: 0 });
  }

  /** Replaces the query string without a new history entry (filters, search boxes). */
  setQuery(values: Record<string, string | undefined>): void {
    const params = new URLSearchParams(location.search);
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined || value === "") params.delete(key);
      else params.set(key, value);
    }
    const search = params.toString();
    history.replaceState(null, "", `${location.pathname}${search ? `?${search}` : ""}`);
    this.query = params;
  }

  #sync(): void {
    this.route = matchRoute(location.pathname);
    this.query = new URLSearchParams(location.search);
  }
}
