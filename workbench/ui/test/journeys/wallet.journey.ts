/**
 * Wallet journey (issue 15, pay per run): the wallet menu shows the buyer's market balance; a deposit
 * typed in ETH is refused in words when it is not an amount, sent through the wallet otherwise, and
 * the balance shown follows; a withdrawal above the balance is refused before any transaction, one
 * within it returns the ETH and the balance shown follows again. What the page shows is what the
 * market holds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator } from "playwright-core";
import { connectMarket } from "@iotdm/contracts-client";
import { launchBrowser, openPage, type WatchedPage } from "../harness/browser";
import { startLocalChain, type LocalChain } from "../harness/chain";
import { devSigner } from "../harness/seed";
import { signInWithDevWallet } from "../harness/ui";
import { journeyQueue } from "../harness/worker";
import { startWorkbench, type Workbench } from "../harness/workbench";

const BUYER_INDEX = 5;

describe("wallet: market balance, deposit, withdraw", () => {
  let chain: LocalChain;
  let workbench: Workbench;
  let browser: Browser;
  let tab: WatchedPage;
  let queue: ReturnType<typeof journeyQueue>;

  beforeAll(async () => {
    chain = await startLocalChain();
    queue = journeyQueue();
    workbench = await startWorkbench({ chainRpcUrl: chain.rpcUrl, marketAddress: chain.marketAddress, port: chain.workbenchPort, queue });
    browser = await launchBrowser();
    tab = await openPage(browser, { baseURL: workbench.url });
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await workbench?.stop();
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

  it("logged no error", () => {
    expect(tab.errors).toEqual([]);
  });
});
