/**
 * A run's price before signing (issue 15), in words: what the plan's quote says the run may take
 * from the buyer's market balance — the relayer's gas at the operator's published price and the
 * seller's price per run. Amounts are rounded up, never down, so that the figure shown is never
 * below what may be charged.
 */
import { formatEther } from "ethers";
import type { z } from "zod";
import type { RunQuote as RunQuoteSchema } from "../../../server/runs/schemas";

/** The plan's quote as the service sends it (`quote` of POST /api/runs/plan): decimal wei strings. */
export type RunQuote = z.output<typeof RunQuoteSchema>;

/** Below this an amount is shown as "< 0.000001" (a millionth of an ETH). */
const SMALLEST_SHOWN = 10n ** 12n;

/** Wei as ETH rounded up to `significant` significant digits, without unit: `0.00013`, `< 0.000001`, `0`. */
export function formatEthUp(wei: bigint, significant = 2): string {
  if (wei <= 0n) return "0";
  if (wei < SMALLEST_SHOWN) return `< ${formatEther(SMALLEST_SHOWN).replace(/0+$/, "")}`;
  const digits = wei.toString().length;
  const unit = digits > significant ? 10n ** BigInt(digits - significant) : 1n;
  const up = ((wei + unit - 1n) / unit) * unit;
  return formatEther(up).replace(/\.?0+$/, "");
}

/** "≈ 0.0003 ETH: 0.0001 relayer, 0.0002 seller"; "no seller price" when the seller charges nothing per run. */
export function formatQuote(quote: RunQuote): string {
  const total = BigInt(quote.totalWei);
  const seller = BigInt(quote.sellerWei);
  if (total === 0n) return "No charge: neither a relayer gas price nor a seller price per run is set.";
  const sellerPart = seller === 0n ? "no seller price" : `${formatEthUp(seller)} seller`;
  return `≈ ${formatEthUp(total)} ETH: ${formatEthUp(BigInt(quote.relayerWei))} relayer, ${sellerPart}`;
}

/** How the relayer's part is priced, for a tooltip: "412,000 gas at 1.5 gwei". */
export function describeRelayerGas(quote: RunQuote): string {
  const gwei = Number(BigInt(quote.gasPriceWei)) / 1e9;
  return `${BigInt(quote.relayerGas).toLocaleString("en-US")} gas at ${gwei.toLocaleString("en-US", { maximumSignificantDigits: 4 })} gwei`;
}

/** What the balance lacks to cover the quote (wei), or 0 when it covers it. */
export function quoteShortfall(quote: RunQuote, balanceWei: bigint): bigint {
  const total = BigInt(quote.totalWei);
  return total > balanceWei ? total - balanceWei : 0n;
}
