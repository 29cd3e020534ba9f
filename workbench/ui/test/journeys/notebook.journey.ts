/**
 * Buyer's first steps, against the real service and a local chain: connect the development wallet,
 * sign in with Ethereum, create a notebook, write a recipe — the checker flags a typo as you type
 * and the mark goes away when it is fixed — and use the keyboard as in JupyterLab.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, openPage, type WatchedPage } from "../harness/browser";
import { startLocalChain, type LocalChain } from "../harness/chain";
import { errorSquiggles, recipeEditor, signInWithDevWallet, typeRecipe } from "../harness/ui";
import { startWorkbench, type Workbench } from "../harness/workbench";

describe("buyer: sign in, notebook, recipe diagnostics", () => {
  let chain: LocalChain;
  let workbench: Workbench;
  let browser: Browser;
  let tab: WatchedPage;

  beforeAll(async () => {
    chain = await startLocalChain();
    workbench = await startWorkbench({ chainRpcUrl: chain.rpcUrl, marketAddress: chain.marketAddress, port: chain.workbenchPort });
    browser = await launchBrowser();
    tab = await openPage(browser, { baseURL: workbench.url });
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await workbench?.stop();
    await chain?.stop();
  });

  it("signs in with a development account, shown as DEV ONLY", async () => {
    await tab.page.goto("/notebooks");
    await expect.poll(() => tab.page.getByRole("heading", { name: "Sign in to see your notebooks" }).isVisible()).toBe(true);
    await tab.screenshot("01-signed-out-notebooks");
    const chip = await signInWithDevWallet(tab.page, 1);
    expect(chip).toContain("0x7099");
    await tab.page.getByRole("button", { name: "Wallet menu" }).click();
    await tab.screenshot("02-wallet-menu-dev-account", { fullPage: false });
    await tab.page.keyboard.press("Escape");
  });

  it("creates a notebook", async () => {
    const { page } = tab;
    await expect.poll(() => page.getByText("No notebooks yet").isVisible()).toBe(true);
    await tab.screenshot("03-notebooks-empty");
    await page.getByRole("button", { name: "New notebook" }).first().click();
    await page.getByLabel("Title").fill("Greenhouse, week 47");
    await page.getByRole("button", { name: "Create" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Greenhouse, week 47" }).isVisible()).toBe(true);
    expect(page.url()).toMatch(/\/notebooks\/[0-9a-f-]{36}$/);
  });

  it("flags a typo in a recipe as you type and clears the mark once it is fixed", async () => {
    const { page } = tab;
    await page.getByRole("button", { name: "Add a recipe cell" }).click();
    const editor = recipeEditor(page);
    await expect.poll(() => editor.locator(".monaco-editor").isVisible(), { timeout: 20_000 }).toBe(true);
    await typeRecipe(page, editor, 'from "greenhouse" window last 24h\nmaen(value)');
    await expect.poll(() => page.getByTestId("cell-problems").textContent(), { timeout: 10_000 }).toBe("1 error");
    await expect.poll(() => errorSquiggles(editor).count()).toBeGreaterThan(0);
    // The marker's message is the shared checker's, with its suggestion.
    await editor.locator(".view-lines span span", { hasText: /^maen$/ }).hover();
    await expect.poll(() => page.locator(".monaco-hover").filter({ hasText: "unknown statistic 'maen'" }).first().isVisible(), { timeout: 10_000 }).toBe(true);
    await tab.screenshot("04-recipe-typo-diagnostic", { fullPage: false });

    // Fix it: replace "maen" with "mean".
    await page.keyboard.press("Escape");
    await editor.locator(".view-lines").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+End");
    await page.keyboard.type("mean(value)");
    await expect.poll(() => errorSquiggles(editor).count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.getByTestId("cell-problems").count()).toBe(0);
    await expect.poll(() => page.getByTestId("save-state").textContent(), { timeout: 10_000 }).toContain("All changes saved");
    await tab.screenshot("05-recipe-fixed", { fullPage: false });
  });

  it("completes statistics from the catalogue", async () => {
    const { page } = tab;
    const editor = recipeEditor(page);
    await editor.locator(".view-lines").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Home");
    await page.keyboard.type("hist");
    const suggestions = page.locator(".suggest-widget.visible");
    await expect.poll(() => suggestions.isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => suggestions.textContent()).toContain("histogram(field, [b1, b2, …])");
    await tab.screenshot("06-recipe-completion", { fullPage: false });
    await page.keyboard.press("Escape");
    // Remove the partial word again.
    for (let i = 0; i < 5; i++) await page.keyboard.press("Backspace");
  });

  it("adds, moves and deletes cells with JupyterLab's keys", async () => {
    const { page } = tab;
    await page.keyboard.press("Escape"); // command mode
    await expect.poll(() => page.getByText("Command mode").isVisible()).toBe(true);
    await page.keyboard.press("a"); // insert above
    await expect.poll(() => page.getByTestId("cell").count()).toBe(2);
    await page.keyboard.press("Escape");
    await page.keyboard.press("m"); // to markdown
    await expect.poll(() => page.getByTestId("cell").first().getAttribute("data-kind")).toBe("markdown");
    await page.keyboard.press("Enter");
    await page.keyboard.type("# Week 47\nComfort of the **greenhouse**.");
    await page.keyboard.press("Shift+Enter"); // render, go to the recipe
    await expect.poll(() => page.getByRole("heading", { name: "Week 47", exact: true }).isVisible()).toBe(true);
    await page.keyboard.press("Escape");
    await page.keyboard.press("b"); // insert below the recipe
    await expect.poll(() => page.getByTestId("cell").count()).toBe(3);
    await page.keyboard.press("Escape");
    await page.keyboard.press("d");
    await page.keyboard.press("d");
    await expect.poll(() => page.getByTestId("cell").count()).toBe(2);
    await expect.poll(() => page.getByTestId("save-state").textContent(), { timeout: 10_000 }).toContain("All changes saved");
    await tab.screenshot("07-notebook");

    // The notebook as the service has it.
    await page.reload();
    await expect.poll(() => page.getByRole("heading", { name: "Week 47", exact: true }).isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.getByTestId("cell").count()).toBe(2);
  });

  it("logged no console errors", () => {
    expect(tab.errors).toEqual([]);
  });
});
