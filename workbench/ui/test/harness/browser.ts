/**
 * Chromium through playwright-core (TOOLCHAIN.md: the system's /usr/bin/chromium with the flags
 * that work on these machines), a page that records every console error and uncaught exception,
 * and screenshots saved to test-artifacts/ui/.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Where screenshots go. */
export const ARTIFACTS = path.resolve(import.meta.dirname, "../../../../test-artifacts/ui");

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: FLAGS, headless: true });
}

/** A page and what went wrong in it. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /**
   * Console errors, uncaught exceptions and failed requests, in order. Chromium logs every failed
   * request as a console error without its URL; those are replaced by the request itself, and the
   * refusals a journey provokes on purpose ({@link expectFailure}) are left out.
   */
  errors: string[];
  /** Declares a failed request the journey provokes on purpose (a refusal it checks is explained). */
  expectFailure(path: RegExp, status: number): void;
  /** Saves a full-page screenshot as test-artifacts/ui/<name>.png and returns its path. */
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

/** Opens a page on `baseURL` that records console errors. */
export async function openPage(browser: Browser, options: { baseURL: string; viewport?: { width: number; height: number } }): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL: options.baseURL, viewport: options.viewport ?? { width: 1360, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  const expected: { path: RegExp; status: number }[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    if (message.text().startsWith("Failed to load resource: the server responded with a status of")) return; // see "response"
    errors.push(`console: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() < 400) return;
    const url = new URL(response.url());
    if (expected.some((e) => e.status === response.status() && e.path.test(url.pathname))) return;
    errors.push(`request: ${response.request().method()} ${url.pathname} → ${response.status()}`);
  });
  page.on("requestfailed", (request) => {
    // Closing an EventSource once its run ended aborts the stream's request: that is the UI's doing, not a failure.
    if (request.failure()?.errorText === "net::ERR_ABORTED" && new URL(request.url()).pathname.endsWith("/events")) return;
    errors.push(`request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText})`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    page,
    context,
    errors,
    expectFailure: (path, status) => expected.push({ path, status }),
    async screenshot(name, shotOptions = {}) {
      const file = path.join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: shotOptions.fullPage ?? true });
      return file;
    },
    close: () => context.close(),
  };
}
