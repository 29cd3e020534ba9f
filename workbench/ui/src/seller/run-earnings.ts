/** A dataset's per-run earnings (pay per run, issue 15) in words, for the seller console. */
import type { RunEarnings } from "../api/datasets-api";
import { formatEth } from "../lib/format";

/** "0.0006 ETH from 2 runs"; "no settled run yet"; "—" when unknown (the service could not be asked). */
export function formatRunEarnings(earnings: RunEarnings | undefined): string {
  if (!earnings) return "—";
  const { settledRuns, sellerWei } = earnings;
  if (settledRuns === 0) return "no settled run yet";
  return `${formatEth(sellerWei)} from ${settledRuns.toLocaleString("en-US")} run${settledRuns === 1 ? "" : "s"}`;
}
