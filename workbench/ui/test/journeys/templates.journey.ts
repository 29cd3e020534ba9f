/**
 * Template journey, against the real service, a local chain and a worker: one account publishes a
 * recipe cell as a template; another finds it in the gallery, previews it, forks it with its own
 * parameter value and runs the fork on a dataset it bought.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, openPage, type WatchedPage } from "../harness/browser";
import { startLocalChain, type LocalChain } from "../harness/chain";
import { editorText, recipeEditor, signInWithDevWallet, typeRecipe } from "../harness/ui";
import { devSigner, seedDataset } from "../harness/seed";
import { journeyQueue, startWorker } from "../harness/worker";
import { startWorkbench, type Workbench } from "../harness/workbench";
import { connectMarket } from "@iotdm/contracts-client";

// 30 readings, 24 of them above 25 °C.
const READINGS = Array.from({ length: 30 }, (_, i) => (i < 6 ? 20 + i * 0.5 : 25.5 + (i % 5)));

const RECIPE = 'param hot = 30 "hot above (°C)"\nfrom "greenhouse" window all\ncount(value > hot) as "hot readings"';

describe("templates: publish, then another account forks with a parameter", () => {
  let chain: LocalChain;
  let workbench: Workbench;
  let browser: Browser;
  let alice: WatchedPage;
  let bob: WatchedPage;
  let queue: ReturnType<typeof journeyQueue>;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;

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
      approvedMask: 0b0000100001, // COUNT, COUNT_IF
      values: READINGS,
      startTime: Math.floor(Date.now() / 1000) - 3600,
      stepSeconds: 60,
    });
    // Bob (account #2) bought access.
    await (await connectMarket(chain.marketAddress, devSigner(chain, 2)).purchaseAccess(1, 1, { value: 10n ** 15n })).wait();
    queue = journeyQueue();
    workbench = await startWorkbench({ chainRpcUrl: chain.rpcUrl, marketAddress: chain.marketAddress, port: chain.workbenchPort, queue });
    worker = await startWorker(chain, queue.name);
    await workbench.app.indexer.whenCaughtUp();
    browser = await launchBrowser();
    alice = await openPage(browser, { baseURL: workbench.url });
    bob = await openPage(browser, { baseURL: workbench.url });
  });

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await browser?.close();
    await workbench?.stop();
    await worker?.close({ release: false });
    await queue?.dispose();
    await chain?.stop();
  });

  it("the author publishes a recipe cell as a template", async () => {
    const { page } = alice;
    await page.goto("/templates");
    // A fresh service already offers the built-in recipe library.
    await expect.poll(() => page.getByText("Built-in").first().isVisible()).toBe(true);
    await signInWithDevWallet(page, 1);
    await page.goto("/notebooks");
    await page.getByRole("button", { name: "New notebook" }).first().click();
    await page.getByLabel("Title").fill("Heat watch");
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByRole("button", { name: "Add a recipe cell" }).click();
    const editor = recipeEditor(page);
    await expect.poll(() => editor.locator(".monaco-editor").isVisible(), { timeout: 20_000 }).toBe(true);
    await typeRecipe(page, editor, RECIPE);
    await expect.poll(() => page.getByTestId("cell-problems").count(), { timeout: 10_000 }).toBe(0);

    await page.getByRole("button", { name: "Publish", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Publish as a template" });
    await expect.poll(() => dialog.getByText("hot above (°C)").isVisible()).toBe(true);
    await dialog.getByLabel("Title").fill("Hours above a threshold");
    await dialog.getByLabel(/^Description/).fill("Counts the readings **above** a temperature you choose.");
    await dialog.getByLabel("Tags").fill("temperature, comfort");
    await alice.screenshot("10-publish-template-dialog", { fullPage: false });
    await dialog.getByRole("button", { name: "Publish" }).click();
    await expect.poll(() => dialog.getByText("is published").isVisible(), { timeout: 10_000 }).toBe(true);
    await dialog.getByRole("link", { name: "Open the template" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Hours above a threshold" }).isVisible()).toBe(true);
    await expect.poll(() => editorText(recipeEditor(page)), { timeout: 20_000 }).toContain("count(value > hot)");
    await alice.screenshot("11-template-page-author");
  });

  it("another account finds it, previews it and forks it with its own value", async () => {
    const { page } = bob;
    await page.goto("/templates");
    await signInWithDevWallet(page, 2);
    await page.getByRole("searchbox", { name: "Search templates" }).fill("threshold");
    const card = page.getByRole("link", { name: "Hours above a threshold" });
    await expect.poll(() => card.isVisible(), { timeout: 10_000 }).toBe(true);
    const cardItem = page.getByRole("listitem").filter({ has: card });
    await expect.poll(() => cardItem.getByText("1 parameter · 0 forks").isVisible()).toBe(true);
    await bob.screenshot("12-template-gallery");
    await card.click();

    const form = page.getByRole("form", { name: "Fork this template" });
    const hot = form.getByRole("textbox", { name: /hot/ });
    await expect.poll(() => hot.inputValue()).toBe("30");
    await hot.fill("warm");
    await form.getByRole("button", { name: "Fork into notebook" }).click();
    await expect.poll(() => form.getByText("A decimal number such as 30 or -12.5.").isVisible()).toBe(true);
    await hot.fill("25");
    // Choosing a dataset says whether the fork would run there.
    const dataset = form.getByRole("combobox", { name: /Dataset/ });
    await dataset.selectOption({ label: "greenhouse (#1)" });
    await expect.poll(() => form.getByTestId("template-fit").textContent()).toContain("Runs on “greenhouse” as it is.");
    await dataset.selectOption("");
    await form.getByLabel("New notebook's title").fill("Greenhouse heat, 25 °C");
    await bob.screenshot("13-template-fork-form");
    await form.getByRole("button", { name: "Fork into notebook" }).click();

    await expect.poll(() => page.getByRole("heading", { name: "Greenhouse heat, 25 °C" }).isVisible(), { timeout: 15_000 }).toBe(true);
    const forked = recipeEditor(page);
    await expect.poll(() => editorText(forked), { timeout: 20_000 }).toContain('param hot = 25 "hot above (°C)"');
    await expect.poll(() => page.getByTestId("cell-problems").count()).toBe(0);
    await bob.screenshot("14-forked-notebook");
  });

  it("runs the fork on a dataset it bought", async () => {
    const { page } = bob;
    await page.getByRole("button", { name: "Run cell" }).first().click();
    const value = page.getByTestId("result-value").first();
    await expect.poll(() => value.isVisible(), { timeout: 180_000 }).toBe(true);
    const hot = READINGS.filter((v) => v > 25).length;
    expect(await value.textContent()).toContain(String(hot));
    await expect.poll(() => page.getByTestId("results").getByText("hot readings").isVisible()).toBe(true);
    await bob.screenshot("15-forked-notebook-run", { fullPage: false });
  });

  it("counts the fork", async () => {
    const { page } = alice;
    await page.reload();
    await expect.poll(() => page.getByText("forked 1 time").isVisible(), { timeout: 10_000 }).toBe(true);
  });

  it("logged no console errors", () => {
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });
});
