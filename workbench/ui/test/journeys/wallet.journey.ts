/**
 * Wallet journey (issue 15, pay per run): the wallet menu shows the buyer's market balance; a deposit
 * typed in ETH is refused in words when it is not an amount, sent through the wallet otherwise, and
 * the balance shown follows; a withdrawal above the balance is refused before any transaction, one
 * within it returns the ETH and the balance shown follows again. What the page shows is what the
 * market holds. Then a run with a price: the seller sets a price per run in the console; the buyer's
 * recipe shows the quote (relayer and seller) and that the balance is short, whose "Deposit…" opens
 * the wallet menu's form; once deposited the run is paid from the balance, and the seller console
 * shows what runs earned next to what access earned.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator } from "playwright-core";
import { Wallet } from "ethers";
import { connectMarket } from "@iotdm/contracts-client";
import { launchBrowser, openPage, type WatchedPage } from "../harness/browser";
import { RELAYER_KEY, startLocalChain, type LocalChain } from "../harness/chain";
import { devSigner, seedDataset } from "../harness/seed";
import { editorText, recipeEditor, signInWithDevWallet, typeRecipe } from "../harness/ui";
import { journeyQueue, startWorker } from "../harness/worker";
import { startWorkbench, type Workbench } from "../harness/workbench";

const BUYER_INDEX = 5;
const SELLER_INDEX = 0;
const VALUES = Array.from({ length: 40 }, (_, i) => 18 + (i % 8) * 0.5);

describe("wallet: market balance, deposit, withdraw", () => {
  let chain: LocalChain;
  let workbench: Workbench;
  let browser: Browser;
  let tab: WatchedPage;
  let seller: WatchedPage;
  let queue: ReturnType<typeof journeyQueue>;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;

  beforeAll(async () => {
    chain = await startLocalChain();
    await seedDataset({
      chain,
      seller: devSigner(chain, SELLER_INDEX),
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
    // The operator publishes the gas price its transactions are reimbursed at (before the worker holds the key's nonces).
    await (await connectMarket(chain.marketAddress, new Wallet(RELAYER_KEY, chain.provider)).setRunGasPrice(10n ** 9n)).wait();
    await (await connectMarket(chain.marketAddress, devSigner(chain, BUYER_INDEX)).purchaseAccess(1n, 1, { value: 10n ** 15n })).wait();
    queue = journeyQueue();
    workbench = await startWorkbench({ chainRpcUrl: chain.rpcUrl, marketAddress: chain.marketAddress, port: chain.workbenchPort, queue });
    worker = await startWorker(chain, queue.name);
    await workbench.app.indexer.whenCaughtUp();
    browser = await launchBrowser();
    tab = await openPage(browser, { baseURL: workbench.url });
    seller = await openPage(browser, { baseURL: workbench.url });
  });

  afterAll(async () => {
    await tab?.close();
    await seller?.close();
    await browser?.close();
    await workbench?.stop();
    await worker?.close({ release: false });
    await queue?.dispose();
    await chain?.stop();
  });

  const balanceOnChain = () => connectMarket(chain.marketAddress, chain.provider).balanceOf(devSigner(chain, BUYER_INDEX).address);
  const panel = () => tab.page.getByRole("dialog", { name: "Wallet" });
  const shownBalance = () => panel().getByTestId("market-balance").textContent();
  const form = (verb: "Deposit" | "Withdraw"): Locator => panel().getByRole("form", { name: `${verb} ETH` });

  it("shows the market balance in the wallet menu", async () => {
    const { page } = tab;
    await page.goto("/");
    await signInWithDevWallet(page, BUYER_INDEX);
    await page.getByRole("button", { name: "Wallet menu" }).click();
    await expect.poll(shownBalance, { timeout: 15_000 }).toBe("0 ETH");
    // Nothing to withdraw yet.
    expect(await panel().getByRole("button", { name: "Withdraw", exact: true }).isDisabled()).toBe(true);
  });

  it("deposits ETH typed in the menu, refusing what is not an amount, and shows the new balance", async () => {
    await panel().getByRole("button", { name: "Deposit", exact: true }).click();
    const deposit = form("Deposit");
    await deposit.getByLabel("Deposit (ETH)").fill("1e-3");
    await deposit.getByRole("button", { name: "Deposit", exact: true }).click();
    await expect.poll(() => deposit.getByRole("alert").textContent()).toContain("Enter a plain decimal amount in ETH, such as 0.01.");
    await deposit.getByLabel("Deposit (ETH)").fill("0.0000000000000000001");
    await deposit.getByRole("button", { name: "Deposit", exact: true }).click();
    await expect.poll(() => deposit.getByRole("alert").textContent()).toContain("at most 18 decimals");
    expect(await balanceOnChain()).toBe(0n);

    await deposit.getByLabel("Deposit (ETH)").fill("0.05");
    await deposit.getByRole("button", { name: "Deposit", exact: true }).click();
    await expect.poll(() => deposit.getByRole("status").textContent(), { timeout: 20_000 }).toContain("Confirmed Deposited 0.05 ETH.");
    await expect.poll(shownBalance).toBe("0.05 ETH");
    expect(await balanceOnChain()).toBe(5n * 10n ** 16n);
    await tab.screenshot("60-wallet-deposited", { fullPage: false });
  });

  it("withdraws part of the balance, refusing more than it holds before any transaction", async () => {
    await panel().getByRole("button", { name: "Withdraw", exact: true }).first().click();
    const withdraw = form("Withdraw");
    await withdraw.getByLabel("Withdraw (ETH)").fill("1");
    await withdraw.getByRole("button", { name: "Withdraw", exact: true }).click();
    await expect.poll(() => withdraw.getByRole("alert").textContent()).toContain("You can withdraw at most 0.05 ETH.");
    expect(await balanceOnChain()).toBe(5n * 10n ** 16n);

    await withdraw.getByLabel("Withdraw (ETH)").fill("0.02");
    await withdraw.getByRole("button", { name: "Withdraw", exact: true }).click();
    await expect.poll(() => withdraw.getByRole("status").textContent(), { timeout: 20_000 }).toContain("Withdrew 0.02 ETH to your wallet.");
    await expect.poll(shownBalance).toBe("0.03 ETH");
    expect(await balanceOnChain()).toBe(3n * 10n ** 16n);
    await tab.screenshot("61-wallet-withdrew", { fullPage: false });
  });

  it("lets the seller set a price per run on a dataset", async () => {
    const { page } = seller;
    await page.goto("/seller/datasets/1");
    await signInWithDevWallet(page, SELLER_INDEX);
    const field = page.getByLabel(/^Price per run \(ETH\)/);
    await expect.poll(() => field.inputValue(), { timeout: 15_000 }).toBe("0.0");
    await field.fill("0.05");
    await page.getByRole("button", { name: "Set price per run" }).click();
    await expect.poll(() => page.getByText("Price per run set to 0.05 ETH.").isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await connectMarket(chain.marketAddress, chain.provider).runPrice(1n)).toBe(5n * 10n ** 16n);
  });

  it("quotes a run before signing and says when the balance is short, with the way to deposit", async () => {
    const { page } = tab;
    await page.keyboard.press("Escape");
    await page.goto("/datasets/1");
    await page.getByRole("button", { name: "New notebook on greenhouse" }).click();
    const editor = recipeEditor(page);
    await expect.poll(() => editorText(editor), { timeout: 20_000 }).toContain("mean(temperature)");
    await editor.locator(".view-lines").click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await typeRecipe(page, editor, 'from "greenhouse" window all\nmean(temperature)', { click: false });
    const quote = page.getByTestId("run-quote");
    await expect.poll(() => quote.textContent(), { timeout: 20_000 }).toMatch(/^≈ 0\.05\d* ETH: 0\.\d+ relayer, 0\.05 seller$/);
    const short = page.getByTestId("quote-shortfall");
    await expect.poll(() => short.textContent()).toMatch(/Your market balance \(0\.03 ETH\) is 0\.02\d* ETH short of this run's quote/);
    await tab.screenshot("62-quote-balance-short", { fullPage: false });

    // Run anyway: the service refuses it before anything is enqueued, and the cell offers the deposit form.
    tab.expectFailure(/^\/api\/runs$/, 402);
    await page.getByRole("button", { name: "Run cell" }).first().click();
    const output = page.getByTestId("cell-output").first();
    await expect.poll(() => output.textContent(), { timeout: 20_000 }).toContain("Market balance short");
    await expect.poll(() => output.getByTestId("deposit-offer").isVisible()).toBe(true);

    await short.getByRole("button", { name: "Deposit…" }).click();
    const deposit = form("Deposit");
    await deposit.getByLabel("Deposit (ETH)").fill("0.05");
    await deposit.getByRole("button", { name: "Deposit", exact: true }).click();
    await expect.poll(shownBalance, { timeout: 20_000 }).toBe("0.08 ETH");
    await page.keyboard.press("Escape");
    await expect.poll(() => short.count(), { timeout: 10_000 }).toBe(0);
  });

  it("runs it paid from the balance, and the seller console shows what runs earned", async () => {
    const { page } = tab;
    await page.getByRole("button", { name: "Run cell" }).first().click();
    await expect.poll(() => page.getByTestId("result-value").first().isVisible(), { timeout: 180_000 }).toBe(true);
    // The seller's price went to the seller; the relayer took at most the rest of the quote; the buyer kept the rest.
    const left = await balanceOnChain();
    expect(left).toBeLessThan(3n * 10n ** 16n);
    expect(left).toBeGreaterThan(2n * 10n ** 16n);

    await seller.page.goto("/seller");
    await expect.poll(() => seller.page.getByTestId("run-earnings").first().textContent(), { timeout: 20_000 }).toBe("0.05 ETH from 1 run");
    await seller.screenshot("63-seller-run-earnings", { fullPage: false });
  });

  it("logged no error", () => {
    expect(tab.errors).toEqual([]);
    expect(seller.errors).toEqual([]);
  });
});
