/**
 * Waiting and outputs, as a buyer meets them, against a seeded local chain, the real service and
 * a real worker: Preview runs a recipe at once on synthetic readings (labelled so, with the real
 * run's cost), parameters are controls that re-plan, a run's numbers show at the data's precision
 * and download as CSV, a queued run shows its place and an estimate and can be cancelled, a
 * reopened notebook shows its results again from this browser's cache, and a fresh browser
 * decrypts every cell at once with "Decrypt all"; a cell's runs compare side by side.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, openPage, type WatchedPage } from "../harness/browser";
import { startLocalChain, type LocalChain } from "../harness/chain";
import { devSigner, seedDataset } from "../harness/seed";
import { editorText, recipeEditor, signInWithDevWallet, typeRecipe } from "../harness/ui";
import { journeyQueue, startWorker } from "../harness/worker";
import { startWorkbench, type Workbench } from "../harness/workbench";

const VALUES = Array.from({ length: 60 }, (_, i) => Math.round((18 + 6 * Math.sin(i / 5) + (i % 7) * 0.13) * 100) / 100);
const RECIPE = 'param hot = 20 "Hot above (°C)"\nfrom "greenhouse" window all\nmean(temperature)\ncount(temperature > hot)';

describe("buyer: preview, parameters, waiting, outputs that last", () => {
  let chain: LocalChain;
  let workbench: Workbench;
  let browser: Browser;
  let tab: WatchedPage;
  let queue: ReturnType<typeof journeyQueue>;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  let notebookUrl = "";

  beforeAll(async () => {
    chain = await startLocalChain();
    await seedDataset({
      chain,
      seller: devSigner(chain, 0),
      device: devSigner(chain, 3),
      name: "greenhouse",
      field: "temperature",
      unit: "°C",
      scale: 2,
      lowest: -50,
      k: 10,
      priceWei: 10n ** 15n,
      periodSeconds: 30 * 86_400,
      approvedMask: 0b1111111111,
      values: VALUES,
      startTime: Math.floor(Date.now() / 1000) - VALUES.length * 600,
      stepSeconds: 600,
    });
    queue = journeyQueue();
    workbench = await startWorkbench({ chainRpcUrl: chain.rpcUrl, marketAddress: chain.marketAddress, port: chain.workbenchPort, queue });
    worker = await startWorker(chain, queue.name);
    await workbench.app.indexer.whenCaughtUp();
    browser = await launchBrowser();
    tab = await openPage(browser, { baseURL: workbench.url });
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await workbench?.stop();
    await worker?.close({ release: false });
    await queue?.dispose();
    await chain?.stop();
  });

  it("starts a notebook with a parameterised recipe, before buying access", async () => {
    const { page } = tab;
    await page.goto("/datasets/1");
    await signInWithDevWallet(page, 4);
    await page.getByRole("button", { name: "New notebook on greenhouse" }).click();
    const editor = recipeEditor(page);
    await expect.poll(() => editorText(editor), { timeout: 20_000 }).toContain("mean(temperature)");
    notebookUrl = new URL(page.url()).pathname;
    await editor.locator(".view-lines").click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await typeRecipe(page, editor, RECIPE, { click: false });
    await expect.poll(() => page.getByTestId("save-state").textContent(), { timeout: 10_000 }).toContain("All changes saved");
    await expect.poll(() => page.getByTestId("param-controls").isVisible(), { timeout: 10_000 }).toBe(true);
  });

  it("previews the recipe at once on synthetic readings, labelled so, with the real run's cost", async () => {
    const { page } = tab;
    await page.getByRole("button", { name: "Preview", exact: true }).click();
    const preview = page.getByTestId("preview");
    await expect.poll(() => preview.getByTestId("synthetic-label").textContent()).toBe("SYNTHETIC");
    await expect.poll(() => preview.getByTestId("result-value").count()).toBe(2);
    // The data's precision: 0.01 °C readings give a mean with two decimals.
    expect(await preview.getByTestId("result-value").first().textContent()).toMatch(/^-?\d+\.\d{2}\s*°C$/);
    await expect.poll(async () => ((await preview.getByTestId("preview-cost").textContent()) ?? "").replace(/\s+/g, " ")).toMatch(/The real run: \d+ transactions? \(.* M HCU\)/);
    await expect.poll(() => preview.getByText("not the dataset's data").isVisible()).toBe(true);
    await tab.screenshot("50-preview-synthetic", { fullPage: false });
  });

  it("shows parameters as controls; changing one rewrites the recipe and re-plans the preview", async () => {
    const { page } = tab;
    const preview = page.getByTestId("preview");
    const hotCount = async () => (await preview.getByTestId("result-value").nth(1).textContent()) ?? "";
    const before = await hotCount();
    const input = page.getByRole("textbox", { name: "Hot above (°C) (parameter hot)" });
    await input.fill("25");
    await input.press("Enter");
    await expect.poll(() => editorText(recipeEditor(page)), { timeout: 10_000 }).toContain("param hot = 25");
    await expect.poll(() => page.getByTestId("save-state").textContent(), { timeout: 10_000 }).toContain("All changes saved");
    await expect.poll(async () => Number.parseInt(await hotCount(), 10)).toBeLessThanOrEqual(Number.parseInt(before, 10));
    await tab.screenshot("51-param-controls", { fullPage: false });
    await preview.getByRole("button", { name: "Close the preview" }).click();
  });

  it("is refused for want of access with the dataset named and a purchase offered there, confirmed with its amount", async () => {
    const { page } = tab;
    // The browser reads the access from the chain before the wallet signs: no request is refused.
    await page.getByRole("button", { name: "Run cell" }).first().click();
    const output = page.getByTestId("cell-output").first();
    await expect.poll(() => output.textContent(), { timeout: 20_000 }).toContain("You have no access to greenhouse (dataset #1) yet; buy an access period to run recipes on it.");
    const offer = page.getByTestId("buy-access-offer");
    await expect.poll(() => offer.textContent()).toContain("0.001 ETH per 1 month");
    await tab.screenshot("52a-no-access-offer", { fullPage: false });
    await offer.getByRole("button", { name: "Buy access" }).click();
    const confirm = page.getByRole("dialog", { name: "Buy access to greenhouse?" });
    await expect.poll(() => confirm.getByTestId("confirm-amount").textContent()).toBe("0.001 ETH");
    await tab.screenshot("52b-no-access-confirm", { fullPage: false });
    await confirm.getByRole("button", { name: "Pay 0.001 ETH" }).click();
    await expect.poll(() => page.getByText(/^Access to greenhouse until/).isVisible(), { timeout: 20_000 }).toBe(true);
  });

  it("runs it once bought: numbers at the data's precision, downloadable as CSV", async () => {
    const { page } = tab;
    // Buying ran the cell again.
    const value = page.getByTestId("result-value").first();
    await expect.poll(() => value.isVisible(), { timeout: 180_000 }).toBe(true);
    const mean = VALUES.reduce((s, v) => s + v, 0) / VALUES.length;
    const text = (await value.textContent()) ?? "";
    expect(text).toMatch(/^\d+\.\d{2}\s*°C$/);
    expect(Number.parseFloat(text)).toBeCloseTo(mean, 2);
    await expect.poll(() => page.getByTestId("result-value").nth(1).textContent()).toContain(String(VALUES.filter((v) => v > 25).length));
    const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    const csv = readFileSync((await file.path())!, "utf8");
    expect(csv.split("\r\n")[0]).toBe("statistic,label,value,unit,detail");
    expect(csv).toContain(`mean(temperature),mean(temperature),${text.replace(/\s*°C$/, "")},°C,`);
    await tab.screenshot("52-run-done-precision");
  });

  it("shows a queued run's place and estimate, and cancels it", async () => {
    const { page } = tab;
    // No worker takes jobs for a while: the next run waits in the queue.
    await worker?.close({ release: false });
    worker = undefined;
    await page.getByRole("button", { name: "Run cell" }).first().click();
    await expect.poll(() => page.getByTestId("queue-place").textContent(), { timeout: 30_000 }).toMatch(/Next in the queue · starts in .*, then takes (about|a few)/);
    await tab.screenshot("53-queued-place-estimate", { fullPage: false });
    await page.getByRole("button", { name: "Cancel run" }).click();
    await expect.poll(() => page.getByTestId("run-cancelled").textContent(), { timeout: 15_000 }).toContain("You cancelled the run before it started; nothing was sent.");
    await tab.screenshot("54-run-cancelled", { fullPage: false });
    worker = await startWorker(chain, queue.name);
  });

  it("compares the cell's runs side by side", async () => {
    const { page } = tab;
    await page.getByRole("button", { name: "History" }).click();
    const table = page.getByRole("table", { name: "Runs compared" });
    await expect.poll(() => table.isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => table.textContent()).toContain("Latest");
    await expect.poll(() => table.textContent()).toMatch(/mean\(temperature\)\d+\.\d{2} °C/);
    await tab.screenshot("55-run-history", { fullPage: false });
  });

  it("shows the results again after a reload, from this browser's cache, without a click", async () => {
    const { page } = tab;
    await page.reload();
    await expect.poll(() => page.getByTestId("result-value").first().isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByRole("button", { name: /Decrypt all/ }).count()).toBe(0);
    await tab.screenshot("56-reopened-from-cache", { fullPage: false });
  });

  it("decrypts every cell at once in a fresh browser with Decrypt all", async () => {
    const fresh = await openPage(browser, { baseURL: workbench.url });
    const { page } = fresh;
    await page.goto(notebookUrl);
    await signInWithDevWallet(page, 4);
    const all = page.getByRole("button", { name: /Decrypt all \(1\)/ });
    await expect.poll(() => all.isVisible(), { timeout: 20_000 }).toBe(true);
    await fresh.screenshot("57-decrypt-all-offered", { fullPage: false });
    await all.click();
    await expect.poll(() => page.getByTestId("result-value").first().isVisible(), { timeout: 180_000 }).toBe(true);
    await fresh.screenshot("58-decrypt-all-done", { fullPage: false });
    expect(fresh.errors).toEqual([]);
    await fresh.close();
  });

  it("logged no console errors", () => {
    expect(tab.errors).toEqual([]);
  });
});
