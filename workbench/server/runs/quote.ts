import { formatEther } from "ethers";
import type { MarketChain } from "../chain/market-chain";
import { createError } from "../errors";
import type { RecipePlan, RecipeQuote, RecipeTooling } from "../recipes/recipe-tooling";

/**
 * A run's price before it is signed (issue 15) and the checks of a signed maximum against it: the relayer's gas for
 * the plan's transactions at the operator's published gas price (recipes' gas model, with its one safety margin),
 * plus the seller's per-run price. The contract locks the signed maximum from the buyer's balance at the start, so a
 * maximum below the quote would leave the relayer unpaid and a balance below the maximum would make the start revert:
 * both are refused here, before anything is enqueued.
 */

/** The quote of `plan` for `buyer`, with the buyer's market balance, from the chain as it is now. */
export async function quotePlan(
  deps: { chain: MarketChain; recipes: RecipeTooling },
  input: { datasetId: string; buyer: string; plan: RecipePlan },
): Promise<{ quote: RecipeQuote; balanceWei: bigint }> {
  const terms = await deps.chain.runTerms(BigInt(input.datasetId), input.buyer, input.plan.programHash);
  const quote = deps.recipes.quote({
    plan: input.plan,
    programStored: terms.programStored,
    // ε already spent on the window means the buyer's ledger nodes exist: the cheaper charge.
    ledgerUsed: (input.plan.privacy?.budget.spentMilli ?? 0) > 0,
    gasPriceWei: terms.gasPriceWei,
    sellerWei: terms.runPriceWei,
  });
  return { quote, balanceWei: terms.balanceWei };
}

/** ETH for a sentence: "0.0021 ETH". */
export const eth = (wei: bigint | string): string => `${formatEther(BigInt(wei))} ETH`;

/**
 * Refuses a signed maximum below the quote (ERR_RUN_PAYMENT_BELOW_QUOTE / ERR_SCHEDULE_PAYMENT_BELOW_QUOTE) and a
 * balance below the signed maximum, which the contract would lock at the start (ERR_RUN_BALANCE_SHORT /
 * ERR_SCHEDULE_BALANCE_SHORT, saying how much to deposit).
 */
export function requirePayment(options: { kind: "run" | "schedule"; signedMaxWei: string; quote: RecipeQuote; balanceWei: bigint }): void {
  const { kind, quote, balanceWei } = options;
  const signed = BigInt(options.signedMaxWei);
  if (signed < BigInt(quote.totalWei)) {
    throw createError(kind === "run" ? "ERR_RUN_PAYMENT_BELOW_QUOTE" : "ERR_SCHEDULE_PAYMENT_BELOW_QUOTE", {
      params: { signed: eth(signed), quote: eth(quote.totalWei), relayer: eth(quote.relayerWei), seller: eth(quote.sellerWei) },
      details: { quote },
    });
  }
  if (balanceWei < signed) {
    throw createError(kind === "run" ? "ERR_RUN_BALANCE_SHORT" : "ERR_SCHEDULE_BALANCE_SHORT", {
      params: { balance: eth(balanceWei), locked: eth(signed), missing: eth(signed - balanceWei) },
      details: { balanceWei: balanceWei.toString(), lockedWei: signed.toString(), missingWei: (signed - balanceWei).toString() },
    });
  }
}
