/**
 * A dataset's privacy mode in words, the one wording the catalogue API, the seller console and the
 * buyer's dataset page share: what a determined buyer who paid can learn from an exact dataset, and
 * what protects a private one. Pure, from the chain's `PrivacyParams`.
 */
import { PrivacyMode, type PrivacyParams } from "./privacy";

/** What the wording needs of a dataset: its mode, k and value encoding. */
export interface PrivacySubject {
  privacy: PrivacyParams;
  /** The bucket size k. */
  k: number;
  scale: number;
  offset: bigint | string;
  unit: string;
}

/** The mode's name, as a badge says it. */
export function privacyModeName(privacy: Pick<PrivacyParams, "mode">): "Exact" | "Private" {
  return privacy.mode === PrivacyMode.PRIVATE ? "Private" : "Exact";
}

/** What exact mode means, for a bucket size `k` (a number, or the letter k where none is chosen yet). */
export function exactMeaning(k: number | "k"): string {
  return `Exact results: a determined buyer who paid can learn the values of each ${k}-reading bucket, not their order.`;
}

/** What private mode means in general (before a range, budget and ε bounds are chosen). */
export const PRIVATE_MEANING =
  "Private: readings are clamped into a declared range and every result carries encrypted noise that nobody sees, not even you; each buyer has a privacy budget (ε) that limits what all of their runs together can reveal about any one reading.";

/** A value in encoded units as the dataset's unit reads it (`encoded + offset`, `scale` decimals). */
export function decodeBound(encoded: bigint, encoding: { scale: number; offset: bigint | string; unit: string }): string {
  const scaled = encoded + BigInt(encoding.offset);
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(encoding.scale + 1, "0");
  const whole = encoding.scale === 0 ? digits : digits.slice(0, -encoding.scale);
  const fraction = encoding.scale === 0 ? "" : digits.slice(-encoding.scale).replace(/0+$/, "");
  return `${negative ? "−" : ""}${whole}${fraction ? `.${fraction}` : ""}${encoding.unit ? ` ${encoding.unit}` : ""}`;
}

const epsilon = (milli: number) => `ε ${milli / 1000}`;

/** The dataset's mode in one sentence a buyer or seller understands. */
export function describePrivacy(subject: PrivacySubject): string {
  const { privacy } = subject;
  if (privacy.mode !== PrivacyMode.PRIVATE) return exactMeaning(subject.k);
  const range = `${decodeBound(privacy.lowerBound, subject)} to ${decodeBound(privacy.upperBound, subject)}`;
  return (
    `Private results: readings are clamped to ${range} and every result carries encrypted noise (${epsilon(privacy.minEpsilon)} to ${epsilon(privacy.maxEpsilon)} per statistic); ` +
    `each buyer may spend at most ${epsilon(privacy.budget)} on any one reading over all of their runs.`
  );
}
