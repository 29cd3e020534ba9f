/**
 * What a person does in the workbench, as steps the journeys share: connect the development
 * wallet and sign in, type into a Monaco recipe editor, wait for the checker's verdict.
 */
import { expect } from "vitest";
import type { Locator, Page } from "playwright-core";

/** Connects development account `index` and signs in with it. */
export async function signInWithDevWallet(page: Page, index: number): Promise<string> {
  await page.getByRole("button", { name: "Connect wallet" }).click();
  const panel = page.getByRole("dialog", { name: "Wallet" });
  await expect.poll(() => panel.getByText("DEV ONLY").isVisible()).toBe(true);
  await panel.getByLabel("Development account").selectOption(String(index));
  await panel.getByRole("button", { name: "Use dev account" }).click();
  await page.getByRole("banner").getByRole("button", { name: "Sign in" }).first().click();
  await expect.poll(() => page.getByText("Signed in.").isVisible(), { timeout: 15_000 }).toBe(true);
  const chip = page.getByRole("button", { name: "Wallet menu" });
  await expect.poll(() => chip.textContent()).toContain("DEV ONLY");
  return (await chip.textContent()) ?? "";
}

/** The editor of the n-th recipe editor on the page. */
export function recipeEditor(page: Page, index = 0): Locator {
  return page.getByTestId("recipe-editor").nth(index);
}

/**
 * Types into a Monaco editor as a person would. Enter after a complete word starts a new line even
 * while suggestions show (the editor accepts a suggestion with Enter only when it changes the text).
 */
export async function typeRecipe(page: Page, editor: Locator, text: string, options: { click?: boolean } = {}): Promise<void> {
  if (options.click ?? true) await editor.locator(".view-lines").click();
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    await page.keyboard.type(line, { delay: 8 });
    if (i < lines.length - 1) await page.keyboard.press("Enter");
  }
}

/** The error squiggles Monaco shows in an editor. */
export function errorSquiggles(editor: Locator): Locator {
  return editor.locator(".squiggly-error");
}

/** The text an editor shows (Monaco renders spaces as no-break spaces). */
export async function editorText(editor: Locator): Promise<string> {
  return ((await editor.locator(".view-lines").first().textContent()) ?? "").replace(/\u00a0/g, " ");
}
