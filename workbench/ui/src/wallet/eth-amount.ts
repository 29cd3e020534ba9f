/**
 * An amount of ETH typed by the user (the wallet menu's deposit and withdraw forms), read exactly:
 * decimal text to wei with no floating point, refused with a sentence that says what to type.
 */
import { parseEther } from "ethers";
import { formatEth } from "../lib/format";

/** The amount in wei, or why the text is not one. */
export type EthAmount = { ok: true; wei: bigint } | { ok: false; error: string };

/** At most 18 decimals (wei), no sign, no exponent: `0.05`, `1`, `.5`. */
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

/**
 * Reads `text` as a positive amount of ETH (or zero, with `allowZero`: a price that may be none) of
 * at most 18 decimals and, when `withdrawable` is given (the balance), not above it.
 */
export function parseEthAmount(text: string, options: { withdrawable?: bigint; allowZero?: boolean } = {}): EthAmount {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, error: "Enter an amount in ETH, such as 0.01." };
  if (!DECIMAL.test(trimmed)) return { ok: false, error: "Enter a plain decimal amount in ETH, such as 0.01." };
  const decimals = trimmed.split(".")[1]?.length ?? 0;
  if (decimals > 18) return { ok: false, error: "ETH has at most 18 decimals (1 wei = 0.000000000000000001 ETH)." };
  const wei = parseEther(trimmed.startsWith(".") ? `0${trimmed}` : trimmed);
  if (wei === 0n && !options.allowZero) return { ok: false, error: "Enter an amount above zero." };
  if (options.withdrawable !== undefined && wei > options.withdrawable) return { ok: false, error: `You can withdraw at most ${formatEth(options.withdrawable)}.` };
  return { ok: true, wei };
}
