/**
 * Seller journey on a local chain, every change a transaction the seller's wallet signs from the
 * browser: create a dataset, register and revoke a device, change k (a non-multiple is refused with
 * the reason), revoke a recipe type — the buyer's view lists it as not approved and the buyer's run
 * of it is refused with the explanation — approve it again and the buyer's run succeeds; withdraw
 * the earnings of the sale. Private datasets (issue 11): create one with the accuracy preview; switch
 * the exact one with its consequences spelled out; a buyer runs a mean on the private one, reads
 * "≈ … °C ± … (95 %)", is warned before the run that uses up the budget, and the next run is refused
 * in a sentence; the schedule dialog says what the budget allows reports; the dataset page's budget
 * picture says the budget is used up; a private histogram's noisy counts carry error bars.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { connectMarket } from "@iotdm/contracts-client";
import { launchBrowser, openPage, type WatchedPage } from "../harness/browser";
import { startLocalChain, type LocalChain } from "../harness/chain";
import { appendReadings, devSigner } from "../harness/seed";
import { editorText, recipeEditor, signInWithDevWallet, typeRecipe } from "../harness/ui";
import { journeyQueue, startWorker } from "../harness/worker";
import { startWorkbench, type Workbench } from "../harness/workbench";

const READINGS = Array.from({ length: 40 }, (_, i) => -18 + (i % 8) * 0.5);

describe("seller: dataset, devices, approvals, k, earnings, private datasets", () => {
  let chain: LocalChain;
  let workbench: Workbench;
  let browser: Browser;
  let tab: WatchedPage;
  let buyer: WatchedPage;
  let datasetPath = "";
  let vaultNotebook = "";
  let queue: ReturnType<typeof journeyQueue>;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;

  beforeAll(async () => {
    chain = await startLocalChain();
    queue = journeyQueue();
    workbench = await startWorkbench({ chainRpcUrl: chain.rpcUrl, marketAddress: chain.marketAddress, port: chain.workbenchPort, queue });
    worker = await startWorker(chain, queue.name);
    browser = await launchBrowser();
    tab = await openPage(browser, { baseURL: workbench.url });
    buyer = await openPage(browser, { baseURL: workbench.url });
  });

  afterAll(async () => {
    await tab?.close();
    await buyer?.close();
    await browser?.close();
    await workbench?.stop();
    await worker?.close({ release: false });
    await queue?.dispose();
    await chain?.stop();
  });

  it("creates a dataset, with each wrong field explained", async () => {
    const { page } = tab;
    await page.goto("/seller");
    await expect.poll(() => page.getByRole("heading", { name: "Connect a wallet to manage your datasets" }).isVisible()).toBe(true);
    await signInWithDevWallet(page, 4);
    await expect.poll(() => page.getByText("You sell no dataset yet").isVisible(), { timeout: 15_000 }).toBe(true);
    await tab.screenshot("30-seller-empty");
    await page.getByRole("link", { name: "Create dataset" }).first().click();
    await page.getByLabel("Name", { exact: true }).fill("cold room");
    await page.getByLabel(/^Quantity measured/).fill("room temp");
    await page.getByLabel(/^Unit/).fill("°C");
    await page.getByLabel(/^Lowest possible reading/).fill("-40.125");
    await page.getByRole("button", { name: "Create dataset" }).click();
    await expect.poll(() => page.getByText("One word, letters, digits and _").isVisible()).toBe(true);
    await expect.poll(() => page.getByText("At most 2 decimals").isVisible()).toBe(true);
    await tab.screenshot("31-seller-create-errors");
    await page.getByLabel(/^Quantity measured/).fill("temperature");
    await page.getByLabel(/^Lowest possible reading/).fill("-40");
    await page.getByLabel(/histogram/).check();
    // The form says in words what each privacy mode means; it creates exact datasets.
    const modes = page.getByTestId("privacy-modes");
    expect(await modes.textContent()).toContain("Exact — Exact results: a determined buyer who paid can learn the values of each 10-reading bucket, not their order.");
    expect(await modes.textContent()).toContain("Private — Private: readings are clamped into a declared range");
    await page.getByRole("button", { name: "Create dataset" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "cold room" }).isVisible(), { timeout: 20_000 }).toBe(true);
    datasetPath = new URL(page.url()).pathname;
    expect(datasetPath).toBe("/seller/datasets/1");
    await expect.poll(() => page.getByTestId("seller-privacy-mode").textContent()).toContain("Exact — Exact results: a determined buyer who paid can learn");
    await tab.screenshot("32-seller-manage");
  });

  it("registers a device, refuses a malformed address, revokes the device", async () => {
    const { page } = tab;
    const device = devSigner(chain, 5).address;
    await page.getByLabel("Device address").fill("0x1234");
    await page.getByRole("button", { name: "Register" }).click();
    await expect.poll(() => page.getByText("Give the device's 0x… address").isVisible()).toBe(true);
    await page.getByLabel("Device address").fill(device);
    await page.getByRole("button", { name: "Register" }).click();
    await expect.poll(() => page.getByText("Device registered.").isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.locator(`[title="${device}"]`).isVisible()).toBe(true);
    await page.getByRole("button", { name: "Revoke" }).click();
    await expect.poll(() => page.getByText("No device registered yet.").isVisible(), { timeout: 15_000 }).toBe(true);
  });

  it("changes k only to a multiple or a divisor", async () => {
    const { page } = tab;
    const k = page.getByRole("spinbutton", { name: /^k/ });
    await k.fill("15");
    await page.getByRole("button", { name: "Set k" }).click();
    await expect.poll(() => page.getByText("k can only change to a multiple or a divisor of 10").isVisible()).toBe(true);
    await k.fill("20");
    await page.getByRole("button", { name: "Set k" }).click();
    await expect.poll(() => page.getByText("Bucket size set to 20.").isVisible(), { timeout: 15_000 }).toBe(true);
  });

  it("revokes a recipe type, and the buyer's view says it is not approved", async () => {
    const { page } = tab;
    await page.getByRole("checkbox", { name: /^mean/ }).uncheck();
    await expect.poll(() => page.getByText("0 to approve, 1 to revoke").isVisible()).toBe(true);
    await page.getByRole("button", { name: "Save approvals" }).click();
    await expect.poll(() => page.getByText("Approvals saved.").isVisible(), { timeout: 15_000 }).toBe(true);
    await tab.screenshot("33-seller-approvals-saved");
    await page.getByRole("link", { name: "Buyer's view" }).click();
    const mean = page.locator("li", { has: page.getByText("mean", { exact: true }) });
    await expect.poll(() => mean.getByText("Not approved").isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.locator("li", { has: page.getByText("histogram", { exact: true }) }).getByText("Approved").isVisible()).toBe(true);
  });

  it("the buyer's run of the revoked type is refused with the explanation, and succeeds once approved", async () => {
    // Readings for the run: the seller registers a device, which appends encrypted readings.
    const device = devSigner(chain, 5);
    await (await connectMarket(chain.marketAddress, devSigner(chain, 4)).registerDevice(1, device.address)).wait();
    await appendReadings({ chain, datasetId: "1", device, scale: 2, offset: -4000n, values: READINGS, startTime: Math.floor(Date.now() / 1000) - 4000, stepSeconds: 60 });
    await (await connectMarket(chain.marketAddress, devSigner(chain, 6)).purchaseAccess(1, 2, { value: 2n * 10n ** 15n })).wait();
    await workbench.app.indexer.whenCaughtUp();

    const { page } = buyer;
    await page.goto("/notebooks");
    await signInWithDevWallet(page, 6);
    await page.getByRole("button", { name: "New notebook" }).first().click();
    await page.getByLabel("Title").fill("Cold room check");
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByRole("button", { name: "Add a recipe cell" }).click();
    const editor = recipeEditor(page);
    await expect.poll(() => editor.locator(".monaco-editor").isVisible(), { timeout: 20_000 }).toBe(true);
    await typeRecipe(page, editor, 'from "cold room" window all\nmean(temperature)');
    await expect.poll(() => page.getByTestId("cell-problems").textContent(), { timeout: 10_000 }).toBe("1 error");
    await page.getByRole("button", { name: "Run cell" }).click();
    const output = page.getByTestId("cell-output");
    await expect.poll(() => output.textContent(), { timeout: 10_000 }).toMatch(/the seller has not approved mean on this dataset/i);
    await buyer.screenshot("35-buyer-run-refused", { fullPage: false });

    // The seller approves mean again; the buyer's editor clears the mark and the run goes through.
    await tab.page.goto(datasetPath);
    await tab.page.getByRole("checkbox", { name: /^mean/ }).check();
    await tab.page.getByRole("button", { name: "Save approvals" }).click();
    await expect.poll(() => tab.page.getByText("Approvals saved.").isVisible(), { timeout: 15_000 }).toBe(true);
    await workbench.app.indexer.whenCaughtUp();
    await page.reload();
    await expect.poll(() => editorText(recipeEditor(page)), { timeout: 20_000 }).toContain("mean(temperature)");
    await expect.poll(() => page.getByTestId("cell-problems").count(), { timeout: 15_000 }).toBe(0);
    await page.getByRole("button", { name: "Run cell" }).click();
    const value = page.getByTestId("result-value").first();
    await expect.poll(() => value.isVisible(), { timeout: 180_000 }).toBe(true);
    const mean = READINGS.reduce((sum, v) => sum + v, 0) / READINGS.length;
    expect(Number.parseFloat((await value.textContent()) ?? "")).toBeCloseTo(mean, 3);
    await buyer.screenshot("36-buyer-run-after-approval", { fullPage: false });
    expect(buyer.errors).toEqual([]);
  });

  it("shows the sale and withdraws the earnings", async () => {
    const { page } = tab;
    await page.goto("/seller");
    await expect.poll(() => page.getByTestId("pending-earnings").textContent(), { timeout: 15_000 }).toBe("0.002 ETH");
    await expect.poll(() => page.getByRole("row", { name: /cold room/ }).textContent()).toContain("0.002 ETH");
    await tab.screenshot("34-seller-console");
    await page.getByRole("button", { name: "Withdraw" }).click();
    const confirm = page.getByRole("dialog", { name: "Withdraw your earnings?" });
    await expect.poll(() => confirm.getByTestId("confirm-amount").textContent()).toBe("0.002 ETH");
    await tab.screenshot("34b-withdraw-confirm", { fullPage: false });
    await confirm.getByRole("button", { name: "Withdraw 0.002 ETH" }).click();
    await expect.poll(() => page.getByTestId("pending-earnings").textContent(), { timeout: 15_000 }).toBe("0 ETH");
  });

  it("creates a private dataset, with the accuracy a buyer would get before creating it", async () => {
    const { page } = tab;
    await page.goto("/seller/new");
    await page.getByLabel("Name", { exact: true }).fill("vault");
    await page.getByLabel(/^Quantity measured/).fill("temperature");
    await page.getByLabel(/^Unit/).fill("°C");
    await page.getByLabel(/^Lowest possible reading/).fill("-50");
    await page.getByRole("radio", { name: /^Private/ }).check();
    // The range starts from the sensor's kind (°C); the preview follows the fields.
    await expect.poll(() => page.getByLabel(/^Lowest value kept/).inputValue()).toBe("-40");
    expect(await page.getByLabel(/^Highest value kept/).inputValue()).toBe("60");
    const preview = page.getByTestId("accuracy-preview");
    await expect.poll(() => preview.getByRole("row", { name: /^1 day/ }).textContent()).toBe("1 day280± 11 °C± 0.53 °C");
    await page.getByLabel(/^Largest ε per statistic/).fill("20");
    await page.getByRole("button", { name: "Create dataset" }).click();
    await expect.poll(() => page.getByText("An ε from 0.001 to 5.").isVisible()).toBe(true);
    await page.getByLabel(/^Budget per buyer/).fill("1");
    await page.getByLabel(/^Largest ε per statistic/).fill("1");
    await page.getByLabel(/^Smallest ε per statistic/).fill("0.5");
    await expect.poll(() => preview.getByRole("row", { name: /^1 week/ }).textContent()).toBe("1 week2,010± 0.3 °C± 0.15 °C");
    await tab.screenshot("37-seller-create-private");
    await page.getByRole("button", { name: "Create dataset" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "vault" }).isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => page.getByTestId("seller-privacy-mode").textContent()).toContain(
      "Private — Private results: readings are clamped to −40 °C to 60 °C and every result carries encrypted noise (ε 0.5 to ε 1 per statistic); each buyer may spend at most ε 1 on any one reading",
    );
  });

  it("switches the exact dataset to private, with the consequences spelled out before confirming", async () => {
    const { page } = tab;
    await page.goto(datasetPath);
    await page.getByRole("button", { name: "Make private…" }).click();
    const consequences = page.getByTestId("privacy-consequences");
    await expect.poll(() => consequences.textContent()).toContain(`the ${READINGS.length} readings appended so far were not clamped into the range, so no private result will include them`);
    const confirm = page.getByRole("dialog").getByRole("button", { name: "Make private" });
    expect(await confirm.isDisabled()).toBe(true);
    await consequences.getByRole("checkbox").check();
    await tab.screenshot("38-seller-make-private");
    await confirm.click();
    await expect.poll(() => page.getByTestId("seller-privacy-mode").textContent(), { timeout: 20_000 }).toContain("Private — Private results: readings are clamped to −40 °C to 60 °C");
    // The buyer's view states the range and the budget; no reading has been appended since the switch.
    await workbench.app.indexer.whenCaughtUp();
    await page.getByRole("link", { name: "Buyer's view" }).click();
    await expect.poll(() => page.getByTestId("privacy-range").textContent(), { timeout: 10_000 }).toBe("−40 °C to 60 °C");
    await expect.poll(() => page.getByTestId("budget-summary").textContent(), { timeout: 10_000 }).toBe("No private readings yet: your whole budget of ε 10 per reading is left.");
  });

  it("a buyer runs a mean on the private dataset, sees ±, and spends the budget down to a refusal", async () => {
    // vault (#2): clamped to [−40, 60] °C, budget ε 1, ε 0.5 to 1 per statistic; a device appends readings since its creation.
    const device = devSigner(chain, 5);
    await (await connectMarket(chain.marketAddress, devSigner(chain, 4)).registerDevice(2, device.address)).wait();
    await appendReadings({ chain, datasetId: "2", device, scale: 2, offset: -5000n, values: READINGS, startTime: Math.floor(Date.now() / 1000) - 4000, stepSeconds: 60 });
    await (await connectMarket(chain.marketAddress, devSigner(chain, 6)).purchaseAccess(2, 1, { value: 10n ** 15n })).wait();
    await workbench.app.indexer.whenCaughtUp();

    const { page } = buyer;
    await page.goto("/datasets/2");
    await expect.poll(() => page.getByTestId("budget-summary").textContent(), { timeout: 15_000 }).toBe("You have spent nothing yet: ε 1 is left on every reading.");
    // The dataset page's notebook reads the last 100 readings (here all 40): a mean at the default ε 1, and count().
    await page.getByRole("button", { name: "New notebook on vault" }).click();
    await expect.poll(() => editorText(recipeEditor(page)), { timeout: 20_000 }).toContain("mean(temperature)");
    // Before the run, the cell header says it would use up the budget on these readings.
    await expect.poll(async () => (await page.getByTestId("budget-warning").textContent())?.trim(), { timeout: 20_000 }).toBe(
      "This run spends ε 1 on readings 0 to 39; ε 0 of your budget of ε 1 will be left on them (0 more runs like this one). Later runs over these readings will be refused.",
    );
    await page.getByRole("button", { name: "Run cell" }).click();
    const value = page.getByTestId("result-value").first();
    await expect.poll(() => value.isVisible(), { timeout: 180_000 }).toBe(true);
    expect(await value.textContent()).toMatch(/^≈ −?\d+(\.\d+)? °C ± [\d.,]+ \(95 %\)$/);
    await buyer.screenshot("39-buyer-private-mean", { fullPage: false });

    // The budget is spent: the header says the next run would be refused, and running it is refused in a sentence.
    const refusal = "This run needs ε 1 but nothing is left of your budget of ε 1 on readings 0 to 39: the contract will refuse it. Choose a smaller ε, fewer statistics or other readings.";
    await expect.poll(async () => (await page.getByTestId("budget-warning").textContent())?.trim(), { timeout: 20_000 }).toBe(refusal);
    await page.getByRole("button", { name: "Run cell" }).click();
    await expect.poll(() => page.getByTestId("cell-output").textContent(), { timeout: 20_000 }).toContain(refusal);
    await buyer.screenshot("40-buyer-budget-refusal", { fullPage: false });
    // A schedule's reports read consecutive new readings: the dialog says what the budget allows them.
    await page.getByRole("button", { name: "Schedule", exact: true }).click();
    await expect.poll(() => page.getByTestId("schedule-budget").textContent(), { timeout: 20_000 }).toContain(
      "Each report spends ε 1 on its own new readings only (reports never overlap), so the budget of ε 1 allows every report",
    );
    await page.keyboard.press("Escape");

    vaultNotebook = new URL(page.url()).pathname;
    await page.goto("/datasets/2");
    await expect.poll(() => page.getByTestId("budget-summary").textContent(), { timeout: 15_000 }).toBe("Your budget is used up on every reading: runs that read them are refused.");
    expect(buyer.errors).toEqual([]);
  });

  it("draws a private histogram's noisy counts with error bars", async () => {
    // cold room (#1) became private at reading 40 with budget ε 10: 20 readings (one bucket of k = 20) appended since.
    await appendReadings({ chain, datasetId: "1", device: devSigner(chain, 5), scale: 2, offset: -4000n, values: READINGS.slice(0, 20), startTime: Math.floor(Date.now() / 1000) - 1000, stepSeconds: 30 });
    await workbench.app.indexer.whenCaughtUp();
    const { page } = buyer;
    // Back to the notebook, loaded afresh: the catalogue it keeps was read before cold room became private.
    await page.goto(vaultNotebook);
    await page.getByRole("button", { name: "Add a recipe cell after cell 2" }).click();
    const editor = recipeEditor(page, 1);
    await expect.poll(() => editor.locator(".monaco-editor").isVisible(), { timeout: 20_000 }).toBe(true);
    await typeRecipe(page, editor, 'from "cold room" window all\nhistogram(temperature, [-17, -16])');
    await expect.poll(async () => (await page.getByTestId("budget-notice").textContent())?.trim(), { timeout: 20_000 }).toMatch(/^This run spends ε 1 on readings 40 to 59; ε 9 of your budget/);
    await page.getByRole("button", { name: "Run cell" }).nth(1).click();
    const output = page.getByTestId("cell-output").nth(1);
    await expect.poll(() => output.locator("canvas").isVisible(), { timeout: 180_000 }).toBe(true);
    expect(await output.textContent()).toMatch(/20 readings in 3 ranges; noisy counts, each ± [\d.]+ readings \(95 %\), drawn as error bars/);
    await output.scrollIntoViewIfNeeded();
    await buyer.screenshot("41-buyer-private-histogram", { fullPage: false });
    expect(buyer.errors).toEqual([]);
  });

  it("logged no console errors", () => {
    expect(tab.errors).toEqual([]);
  });
});
