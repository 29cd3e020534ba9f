/**
 * Buyer journey on a local chain with seeded demo data, a real worker and the real service: connect
 * the dev wallet → sign in → find the dataset in the catalogue → purchase access → new notebook on
 * it → the editor flags a typo, then a statistic the seller has not approved, and clears both once
 * fixed → run (the wallet signs the RunRequest) with live progress → the number decrypted in the
 * browser equals the statistic of the seeded readings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, openPage, type WatchedPage } from "../harness/browser";
import { startLocalChain, type LocalChain } from "../harness/chain";
import { appendReadings, devSigner, seedDataset, type SeededDataset } from "../harness/seed";
import { editorText, errorSquiggles, recipeEditor, signInWithDevWallet, typeRecipe } from "../harness/ui";
import { journeyQueue, startWorker, tickSchedule } from "../harness/worker";
import { startWorkbench, type Workbench } from "../harness/workbench";

// COUNT, SUM, MEAN, MIN, MAX, COUNT_IF approved; HISTOGRAM (7) is not.
const APPROVED = 0b0000111111;
const VALUES = Array.from({ length: 60 }, (_, i) => Math.round((18 + 6 * Math.sin(i / 5) + (i % 7) * 0.13) * 100) / 100);

describe("buyer: purchase, recipe diagnostics, run and decrypt", () => {
  let chain: LocalChain;
  let workbench: Workbench;
  let browser: Browser;
  let tab: WatchedPage;
  let greenhouse: SeededDataset;
  let queue: ReturnType<typeof journeyQueue>;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;

  beforeAll(async () => {
    chain = await startLocalChain();
    greenhouse = await seedDataset({
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
      approvedMask: APPROVED,
      values: VALUES,
      startTime: Math.floor(Date.now() / 1000) - VALUES.length * 600,
      stepSeconds: 600,
    });
    await seedDataset({
      chain,
      seller: devSigner(chain, 0),
      device: devSigner(chain, 3),
      name: "office humidity",
      field: "humidity",
      unit: "%",
      scale: 1,
      lowest: 0,
      k: 20,
      priceWei: 5n * 10n ** 14n,
      periodSeconds: 7 * 86_400,
      approvedMask: 0b1110000111,
      values: Array.from({ length: 40 }, (_, i) => 40 + (i % 9)),
      startTime: Math.floor(Date.now() / 1000) - 40 * 900,
      stepSeconds: 900,
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

  it("finds the dataset in the catalogue", async () => {
    const { page } = tab;
    await page.goto("/");
    await signInWithDevWallet(page, 1);
    const card = page.getByRole("link", { name: "greenhouse, dataset 1" });
    await expect.poll(() => card.isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.getByRole("link", { name: "office humidity, dataset 2" }).isVisible()).toBe(true);
    // Each card names the dataset's privacy mode (from the service's catalogue).
    await expect.poll(() => page.getByTestId("catalogue-privacy").allTextContents()).toEqual(["Exact", "Exact"]);
    await tab.screenshot("20-catalogue");
    await page.getByRole("combobox", { name: "Allows" }).selectOption("HISTOGRAM");
    await expect.poll(() => card.isVisible()).toBe(false);
    await tab.screenshot("21-catalogue-filtered", { fullPage: false });
    await page.getByRole("combobox", { name: "Allows" }).selectOption("");
    await card.click();
    await expect.poll(() => page.getByRole("heading", { name: "greenhouse" }).isVisible()).toBe(true);
    // The dataset's privacy mode, read from the chain, in words.
    await expect
      .poll(() => page.getByTestId("privacy-mode").textContent(), { timeout: 10_000 })
      .toContain("Exact results: a determined buyer who paid can learn the values of each 10-reading bucket, not their order.");
  });

  it("purchases access with the wallet, after confirming the amount", async () => {
    const { page } = tab;
    await expect.poll(() => page.getByText("You have no access to this dataset yet.").isVisible()).toBe(true);
    await tab.screenshot("22-dataset-page");
    await page.getByRole("spinbutton", { name: /Periods of/ }).fill("0");
    await expect.poll(() => page.getByRole("button", { name: "Buy access" }).isDisabled()).toBe(true);
    await page.getByRole("spinbutton", { name: /Periods of/ }).fill("2");
    await page.getByRole("button", { name: "Buy access" }).click();
    const confirm = page.getByRole("dialog", { name: "Buy access to greenhouse?" });
    await expect.poll(() => confirm.getByTestId("confirm-amount").textContent()).toBe("0.002 ETH");
    await expect.poll(() => confirm.textContent()).toContain("2 periods of 1 month at 0.001 ETH each");
    await tab.screenshot("22b-buy-access-confirm", { fullPage: false });
    // Cancelling pays nothing.
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => confirm.isVisible()).toBe(false);
    expect(await page.getByText("You have no access to this dataset yet.").isVisible()).toBe(true);
    await page.getByRole("button", { name: "Buy access" }).click();
    await confirm.getByRole("button", { name: "Pay 0.002 ETH" }).click();
    await expect.poll(() => page.getByText("Active").first().isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => confirm.isVisible()).toBe(false);
    await tab.screenshot("23-dataset-purchased");
  });

  it("starts a notebook on the dataset; the editor flags a typo and an unapproved statistic", async () => {
    const { page } = tab;
    await page.getByRole("button", { name: "New notebook on greenhouse" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "greenhouse analysis" }).isVisible(), { timeout: 15_000 }).toBe(true);
    const editor = recipeEditor(page);
    await expect.poll(() => editorText(editor), { timeout: 20_000 }).toContain("mean(temperature)");

    // A typo, then the fix.
    await editor.locator(".view-lines").click();
    await page.keyboard.press("Control+End");
    await typeRecipe(page, editor, "maen(temperature)", { click: false });
    await expect.poll(() => page.getByTestId("cell-problems").textContent(), { timeout: 10_000 }).toBe("1 error");
    await tab.screenshot("24-notebook-typo", { fullPage: false });
    await page.keyboard.press("Shift+Home");
    await page.keyboard.press("Backspace");
    await expect.poll(() => page.getByTestId("cell-problems").count(), { timeout: 10_000 }).toBe(0);

    // A statistic the seller did not approve on this dataset.
    await typeRecipe(page, editor, "histogram(temperature, [15, 20, 25])", { click: false });
    await expect.poll(() => errorSquiggles(editor).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await editor.locator(".view-lines span span", { hasText: /^histogram$/ }).hover();
    const hover = page.locator(".monaco-hover").filter({ hasText: "the seller has not approved histogram on this dataset" });
    await expect.poll(() => hover.first().isVisible(), { timeout: 10_000 }).toBe(true);
    await tab.screenshot("25-notebook-not-approved", { fullPage: false });
    await page.mouse.move(0, 0);
    await editor.locator(".view-lines span span", { hasText: /^histogram$/ }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Shift+Home");
    await page.keyboard.press("Backspace");
    await expect.poll(() => page.getByTestId("cell-problems").count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.getByTestId("save-state").textContent(), { timeout: 10_000 }).toContain("All changes saved");
  });

  it("runs the recipe and shows the decrypted mean of the seeded readings", async () => {
    const { page } = tab;
    await page.getByRole("button", { name: "Run cell" }).first().click();
    await expect.poll(() => page.getByTestId("cell-progress").textContent(), { timeout: 30_000 }).toMatch(/Running — step \d+ of \d+|Decrypting/);
    await tab.screenshot("26-notebook-running", { fullPage: false });
    const value = page.getByTestId("result-value").first();
    await expect.poll(() => value.isVisible(), { timeout: 180_000 }).toBe(true);
    // `last 100 readings` of a 60-reading dataset with k = 10: all 60 (the plan notes the clamp).
    const mean = VALUES.reduce((s, v) => s + v, 0) / VALUES.length;
    // At the data's precision (0.01 °C).
    expect(Number.parseFloat((await value.textContent()) ?? "")).toBeCloseTo(mean, 2);
    await expect.poll(() => page.getByTestId("result-value").nth(1).textContent()).toContain(String(VALUES.length));
    await expect.poll(() => page.getByText("Decrypted in this browser with your key").isVisible()).toBe(true);
    await tab.screenshot("27-notebook-decrypted");
    expect(greenhouse.values).toEqual(VALUES);
  });

  it("shows the run again after a reload, from what this browser decrypted", async () => {
    const { page } = tab;
    await page.reload();
    const mean = VALUES.reduce((s, v) => s + v, 0) / VALUES.length;
    await expect.poll(async () => Number.parseFloat((await page.getByTestId("result-value").first().textContent({ timeout: 1_000 }).catch(() => "")) ?? ""), { timeout: 30_000 }).toBeCloseTo(mean, 2);
    expect(await page.getByRole("button", { name: "Decrypt results" }).count()).toBe(0);
    await tab.screenshot("27b-notebook-reopened", { fullPage: false });
  });

  it("turns the cell into a recurring report, signed once, listed in the schedules panel", async () => {
    const { page } = tab;
    // A first comment names the report.
    const editor = recipeEditor(page);
    await editor.locator(".view-lines").click();
    await page.keyboard.press("Control+Home");
    await page.keyboard.type("# Greenhouse mean\n");
    await expect.poll(() => page.getByTestId("save-state").textContent(), { timeout: 10_000 }).toContain("All changes saved");
    await page.getByRole("button", { name: "Schedule", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Schedule a recurring report" });
    await expect.poll(() => dialog.getByTestId("schedule-title").textContent()).toContain("Greenhouse mean");
    // The time zone is never blank: the browser's own by default, UTC always offered.
    const zone = dialog.getByRole("combobox", { name: "Time zone" });
    const browserZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(await zone.inputValue()).toBe(browserZone);
    expect(await zone.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.textContent)).toBe(browserZone);
    await zone.selectOption("UTC");
    // A very frequent cadence is warned about, with numbers grouped by thousands.
    await dialog.getByRole("combobox", { name: "How often" }).selectOption("minutes");
    await dialog.getByRole("spinbutton", { name: "Minutes" }).fill("5");
    const warning = dialog.getByTestId("schedule-frequency-warning");
    await expect.poll(() => warning.textContent()).toMatch(/Every 5 minutes is very frequent: up to \d{1,3},\d{3} reports/);
    await expect.poll(() => warning.textContent()).toContain("A report needs 10 new readings");
    await expect.poll(() => dialog.textContent()).toMatch(/at most \d{1,3},\d{3} reports/);
    expect(await dialog.textContent()).not.toContain("`");
    await tab.screenshot("37a-schedule-frequent-warning", { fullPage: false });
    await dialog.getByRole("combobox", { name: "How often" }).selectOption("daily");
    await dialog.getByLabel("At", { exact: true }).fill("08:30");
    await expect.poll(() => warning.count()).toBe(0);
    await expect.poll(() => dialog.getByText(/Every day at 08:30 \(UTC\)/).isVisible()).toBe(true);
    await tab.screenshot("37-schedule-dialog", { fullPage: false });
    await dialog.getByRole("button", { name: "Sign and schedule" }).click();
    await expect.poll(() => dialog.getByText(/^Scheduled: Every day at 08:30/).isVisible(), { timeout: 15_000 }).toBe(true);
    // The first report: the next 08:30 UTC, over the readings from now until then.
    const next = new Date();
    next.setUTCHours(8, 30, 0, 0);
    if (next.getTime() <= Date.now()) next.setUTCDate(next.getUTCDate() + 1);
    const expected = next.toLocaleString("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
    await expect.poll(() => dialog.getByTestId("schedule-first-run").textContent()).toContain(`The first report runs ${expected}`);
    await tab.screenshot("37b-schedule-created", { fullPage: false });
    await dialog.getByRole("link", { name: "Schedules" }).click();
    const item = page.getByRole("list", { name: "Schedules" }).getByRole("listitem").first();
    await expect.poll(() => item.textContent(), { timeout: 10_000 }).toContain("Every day at 08:30 (UTC)");
    await expect.poll(() => item.getByTestId("schedule-title").textContent()).toBe("Greenhouse mean");
    await expect.poll(() => item.getByText("active").isVisible()).toBe(true);
    // The next report, in the list too.
    await expect.poll(() => item.getByTestId("schedule-next-run").textContent(), { timeout: 10_000 }).toContain(`Next report ${expected}`);
    await tab.screenshot("38-schedules");
    await item.getByRole("button", { name: "Pause" }).click();
    await expect.poll(() => item.getByText("paused").isVisible(), { timeout: 10_000 }).toBe(true);
    await item.getByRole("button", { name: "Resume" }).click();
    await expect.poll(() => item.getByText("active").isVisible(), { timeout: 10_000 }).toBe(true);
  });

  it("shows each report's values in the reports table and charts them, one tick per report", async () => {
    const { page } = tab;
    const api = <T>(path: string) => page.evaluate(async (url) => (await fetch(url)).json(), path) as Promise<T>;
    const { items } = await api<{ items: { id: string; authorizationDigest: string }[] }>("/api/schedules");
    // The service's id, and the worker's (the standing authorization's digest).
    const { id: scheduleId, authorizationDigest } = items[0]!;
    // Two days' reports without waiting two days: a whole bucket of new readings, a tick, then the
    // chain's clock a cadence later, another bucket and another tick.
    const chainNow = async () => (await chain.provider.getBlock("latest"))!.timestamp;
    const reportsDone = async (count: number) => {
      await expect
        .poll(async () => (await api<{ items: { run: { status: string } | null }[] }>(`/api/schedules/${scheduleId}/reports`)).items.filter((r) => r.run?.status === "done").length, { timeout: 60_000 })
        .toBe(count);
    };
    const device = devSigner(chain, 3);
    for (const [day, value] of [[1, 21], [2, 23]] as const) {
      if (day === 2) {
        await chain.provider.send("evm_increaseTime", [86_400 + 60]);
        await chain.provider.send("evm_mine", []);
      }
      await appendReadings({ chain, datasetId: greenhouse.id, device, scale: 2, offset: -5000n, values: Array(10).fill(value), startTime: (await chainNow()) - 10, stepSeconds: 1 });
      await tickSchedule(queue.name, authorizationDigest.toLowerCase());
      await reportsDone(day);
    }
    await page.goto("/schedules");
    await page.getByRole("button", { name: "Decrypt reports" }).click();
    const values = page.getByTestId("report-value");
    // Newest first: count and mean of the second day's readings, then the first day's.
    // The page's first decryption loads the fhevm library and makes a key pair: slow on a busy machine.
    // A refusal shows as an alert: polled with the values, so a failure says why.
    const shown = async () => [...(await values.allTextContents()), ...(await page.getByRole("alert").allTextContents())];
    await expect.poll(shown, { timeout: 150_000 }).toEqual(["23.00 °C", "10 readings", "21.00 °C", "10 readings"]);
    await expect.poll(() => page.getByRole("table").first().textContent()).toContain("mean(temperature)");
    // The first report covers the readings from the schedule's start (60–69), not the manual run's 0–59 again.
    const rows = page.getByRole("table").first().getByRole("row");
    expect(await rows.nth(2).textContent()).toContain("60–69");
    expect(await rows.nth(1).textContent()).toContain("70–79");
    await expect.poll(() => page.getByRole("img", { name: /Reports over time: mean\(temperature\), count\(\)/ }).isVisible()).toBe(true);
    await tab.screenshot("39-schedule-reports");
  });

  it("is usable on a phone-sized screen", async () => {
    const phone = await openPage(browser, { baseURL: workbench.url, viewport: { width: 390, height: 844 } });
    await phone.page.goto("/");
    await expect.poll(() => phone.page.getByRole("link", { name: "greenhouse, dataset 1" }).isVisible(), { timeout: 15_000 }).toBe(true);
    await phone.screenshot("28-mobile-catalogue");
    await phone.page.goto("/datasets/1");
    await expect.poll(() => phone.page.getByRole("heading", { name: "What buyers may compute" }).isVisible()).toBe(true);
    await phone.screenshot("29-mobile-dataset");
    expect(phone.errors).toEqual([]);
    await phone.close();
  });

  it("logged no console errors", () => {
    expect(tab.errors).toEqual([]);
  });
});
