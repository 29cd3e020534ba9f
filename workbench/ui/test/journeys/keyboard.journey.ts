/**
 * The notebook's keyboard as a JupyterLab user expects it, and the problems list, against the real
 * service: A / B insert a cell and stay in command mode (the next M is a command, not text typed
 * into the editor), C / X / V copy, cut and paste cells, D D deletes and Z brings the cell back,
 * Shift+M merges, Ctrl+S saves instead of the browser's "Save page as", H lists every key; the
 * "1 error" badge opens the problems list, a row puts the cursor on the problem and its quick fix
 * repairs it; a new empty cell shows no errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, openPage, type WatchedPage } from "../harness/browser";
import { startLocalChain, type LocalChain } from "../harness/chain";
import { editorText, errorSquiggles, recipeEditor, signInWithDevWallet, typeRecipe } from "../harness/ui";
import { startWorkbench, type Workbench } from "../harness/workbench";

describe("notebook keyboard and problems list", () => {
  let chain: LocalChain;
  let workbench: Workbench;
  let browser: Browser;
  let tab: WatchedPage;

  const cells = (page: Page) => page.getByTestId("cell");
  const kinds = async (page: Page) => Promise.all((await cells(page).all()).map((c) => c.getAttribute("data-kind")));
  const commandMode = (page: Page) => page.getByText("Command mode").isVisible();

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

  it("starts a notebook as the demo buyer", async () => {
    const { page } = tab;
    await page.goto("/notebooks");
    await signInWithDevWallet(page, 4);
    await page.getByRole("button", { name: "New notebook" }).first().click();
    await page.getByLabel("Title").fill("Keys");
    await page.getByRole("button", { name: "Create" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Keys" }).isVisible(), { timeout: 15_000 }).toBe(true);
  });

  it("greets a new empty recipe cell without errors", async () => {
    const { page } = tab;
    await page.getByRole("button", { name: "Add a recipe cell" }).click();
    const editor = recipeEditor(page);
    await expect.poll(() => editor.locator(".monaco-editor").isVisible(), { timeout: 20_000 }).toBe(true);
    // The checker has answered (the editor shows its placeholder) and found nothing to say yet.
    await page.waitForTimeout(500);
    expect(await page.getByTestId("cell-problems").count()).toBe(0);
    expect(await errorSquiggles(editor).count()).toBe(0);
    await tab.screenshot("40-new-cell-no-errors", { fullPage: false });
  });

  it("opens the problems list from the badge; a row moves the cursor, the quick fix repairs", async () => {
    const { page } = tab;
    const editor = recipeEditor(page);
    await typeRecipe(page, editor, 'from "greenhouse" window last 24h\nmaen(value)');
    const badge = page.getByTestId("cell-problems");
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe("1 error");
    await badge.click();
    const list = page.getByRole("list", { name: "Problems" });
    await expect.poll(() => list.isVisible()).toBe(true);
    const row = list.getByRole("listitem").first();
    await expect.poll(() => row.textContent()).toMatch(/Unknown statistic 'maen'.*'mean'\?\s*Line 2, column 1/);
    await tab.screenshot("41-problems-list", { fullPage: false });

    // A click on the row selects the problem in the editor: typing replaces it.
    await row.getByRole("button", { name: /Unknown statistic/ }).click();
    await page.keyboard.type("max");
    await expect.poll(() => editorText(editor)).toContain("max(value)");
    await expect.poll(() => badge.count(), { timeout: 10_000 }).toBe(0);

    // The quick fix, offered in the list.
    await page.keyboard.press("Control+End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("maen(value)", { delay: 8 });
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe("1 error");
    if ((await badge.getAttribute("aria-expanded")) !== "true") await badge.click();
    await list.getByRole("button", { name: "Quick fix: Change to 'mean'" }).click();
    await expect.poll(() => editorText(editor)).toContain("mean(value)");
    await expect.poll(() => badge.count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.getByTestId("save-state").textContent(), { timeout: 10_000 }).toContain("All changes saved");
  });

  it("saves with Ctrl+S, in the editor as in command mode", async () => {
    const { page } = tab;
    const editor = recipeEditor(page);
    await editor.locator(".view-lines").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("# keep");
    await page.keyboard.press("Control+s");
    await expect.poll(() => page.getByText("Notebook saved.").isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.getByTestId("save-state").textContent()).toContain("All changes saved");
    await tab.screenshot("42-saved-with-ctrl-s", { fullPage: false });
  });

  it("inserts with A and B and stays in command mode, so M makes the new cell markdown", async () => {
    const { page } = tab;
    const before = await editorText(recipeEditor(page));
    await page.keyboard.press("Escape");
    await expect.poll(() => commandMode(page)).toBe(true);
    await page.keyboard.press("a");
    await expect.poll(() => cells(page).count()).toBe(2);
    expect(await commandMode(page)).toBe(true);
    await page.keyboard.press("m");
    await expect.poll(() => kinds(page)).toEqual(["markdown", "recipe"]);
    // Nothing was typed into an editor.
    expect(await editorText(recipeEditor(page))).toBe(before);
    await page.keyboard.press("j");
    await page.keyboard.press("b");
    await expect.poll(() => cells(page).count()).toBe(3);
    expect(await commandMode(page)).toBe(true);
    await expect.poll(() => kinds(page)).toEqual(["markdown", "recipe", "recipe"]);
    await tab.screenshot("43-inserted-in-command-mode", { fullPage: false });
  });

  it("copies, cuts and pastes cells with C, X and V", async () => {
    const { page } = tab;
    // Select the recipe (second cell) and copy it below the empty third one.
    await page.keyboard.press("k");
    await page.keyboard.press("c");
    await page.keyboard.press("j");
    await page.keyboard.press("v");
    await expect.poll(() => cells(page).count()).toBe(4);
    await expect.poll(() => editorText(recipeEditor(page, 2))).toContain("mean(value)");
    // Cut the empty recipe (third cell) and paste it above the first.
    await page.keyboard.press("k");
    await page.keyboard.press("x");
    await expect.poll(() => cells(page).count()).toBe(3);
    await page.keyboard.press("k");
    await page.keyboard.press("k");
    await page.keyboard.press("Shift+V");
    await expect.poll(() => cells(page).count()).toBe(4);
    await expect.poll(() => kinds(page)).toEqual(["recipe", "markdown", "recipe", "recipe"]);
    await expect.poll(() => editorText(recipeEditor(page, 0))).toBe("");
  });

  it("deletes with D D and undoes the deletion with Z", async () => {
    const { page } = tab;
    await page.keyboard.press("j");
    await page.keyboard.press("j"); // the first recipe with text
    await page.keyboard.press("d");
    await page.keyboard.press("d");
    await expect.poll(() => cells(page).count()).toBe(3);
    await page.keyboard.press("z");
    await expect.poll(() => cells(page).count()).toBe(4);
    await expect.poll(() => editorText(recipeEditor(page, 1))).toContain("mean(value)");
    expect(await commandMode(page)).toBe(true);
  });

  it("merges a cell with the one below with Shift+M", async () => {
    const { page } = tab;
    // The restored recipe is selected; merge it with its copy below.
    await page.keyboard.press("Shift+M");
    await expect.poll(() => cells(page).count()).toBe(3);
    const merged = await editorText(recipeEditor(page, 1));
    expect(merged.match(/mean\(value\)/g)?.length).toBe(2);
    await expect.poll(() => page.getByTestId("save-state").textContent(), { timeout: 10_000 }).toContain("All changes saved");
    await tab.screenshot("44-merged", { fullPage: false });
  });

  it("lists every key in the shortcuts dialog", async () => {
    const { page } = tab;
    await page.keyboard.press("h");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    for (const does of ["Copy the selected cell", "Cut the selected cell", "Paste the copied cell", "Undo the last cell deletion", "Merge the selected cell", "Save the notebook now"]) {
      expect(await dialog.getByText(does).count(), does).toBe(1);
    }
    await tab.screenshot("45-shortcuts-dialog", { fullPage: false });
    await page.keyboard.press("Escape");
  });

  it("kept the cells on the service", async () => {
    const { page } = tab;
    await page.reload();
    await expect.poll(() => cells(page).count(), { timeout: 15_000 }).toBe(3);
    await expect.poll(() => kinds(page)).toEqual(["recipe", "markdown", "recipe"]);
  });

  it("logged no console errors", () => {
    expect(tab.errors).toEqual([]);
  });
});
