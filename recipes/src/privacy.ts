/**
 * What recipes need to know about a dataset's privacy setting (the contract's `PrivacyParams`), and
 * the ε rules of the language: how `privacy 0.5` is read, which ε a statistic spends when the recipe
 * names none, and which statistics a private dataset does not offer.
 *
 * ε is written in recipes as a decimal (`privacy 0.5`) and travels to the contract in thousandths
 * (`Op.epsilon`, 500): every `…Milli` number here is thousandths of ε, as the contract counts them.
 */
import type { RecipeKindName } from "./catalogue";
import { compareDecimals, parseDecimal, toScaledInteger, type Decimal } from "./decimal";

/**
 * A dataset's privacy setting as recipes read it. The shape of the catalogue API's `privacy` field
 * (bounds may be decimal strings there) and of the contracts client's `PrivacyParams` in words.
 */
export type DatasetPrivacy =
  | { readonly mode: "exact" }
  | {
      readonly mode: "private";
      /** The declared value range [lowerBound, upperBound] in encoded units: readings are clamped into it. */
      readonly lowerBound: bigint | number | string;
      readonly upperBound: bigint | number | string;
      /** The most ε (thousandths) any one reading may spend on one buyer. */
      readonly budget: number;
      /** The ε (thousandths) a buyer may choose per statistic. */
      readonly minEpsilon: number;
      readonly maxEpsilon: number;
      /** The first reading a private run may read (the reading count when the dataset became private); 0 when omitted. */
      readonly privateFrom?: number;
    };

/** A private setting with its bounds as bigints. */
export interface PrivateSetting {
  readonly lowerBound: bigint;
  readonly upperBound: bigint;
  readonly budget: number;
  readonly minEpsilon: number;
  readonly maxEpsilon: number;
  readonly privateFrom: number;
}

/** The private setting of a dataset, with bigint bounds, or undefined when it is exact (or unknown). */
export function privateSetting(privacy: DatasetPrivacy | undefined): PrivateSetting | undefined {
  if (!privacy || privacy.mode !== "private") return undefined;
  return {
    lowerBound: BigInt(privacy.lowerBound),
    upperBound: BigInt(privacy.upperBound),
    budget: privacy.budget,
    minEpsilon: privacy.minEpsilon,
    maxEpsilon: privacy.maxEpsilon,
    privateFrom: privacy.privateFrom ?? 0,
  };
}

/** The largest ε one statistic may spend, in thousandths (the contract's limit: ε 5). */
export const MAX_STATISTIC_EPSILON_MILLI = 5000;

/**
 * The ε a statistic spends when neither it nor the recipe names one: ε 1 (a common middle ground
 * between accuracy and privacy), moved into the seller's [minEpsilon, maxEpsilon].
 */
export const DEFAULT_EPSILON_MILLI = 1000;

/** The ε (thousandths) a statistic spends on `setting` when the recipe names none. */
export function defaultEpsilonMilli(setting: Pick<PrivateSetting, "minEpsilon" | "maxEpsilon">): number {
  return Math.min(Math.max(DEFAULT_EPSILON_MILLI, setting.minEpsilon), setting.maxEpsilon);
}

/** Why a written ε is not one. */
export type EpsilonProblem = "not-positive" | "too-precise" | "too-large";

/** A written ε (a decimal such as `0.5`) in thousandths, or what is wrong with it. */
export function epsilonToMilli(epsilon: Decimal | string): { ok: true; milli: number } | { ok: false; problem: EpsilonProblem } {
  const value = typeof epsilon === "string" ? parseDecimal(epsilon) : epsilon;
  if (!value || compareDecimals(value, { units: 0n, decimals: 0 }) <= 0) return { ok: false, problem: "not-positive" };
  const milli = toScaledInteger(value, 3);
  if (milli === undefined) return { ok: false, problem: "too-precise" };
  if (milli > BigInt(MAX_STATISTIC_EPSILON_MILLI)) return { ok: false, problem: "too-large" };
  return { ok: true, milli: Number(milli) };
}

/** ε in thousandths as a decimal for people: 500 → "0.5", 2000 → "2". */
export function formatEpsilon(milli: number): string {
  const whole = Math.trunc(milli / 1000);
  const fraction = String(milli % 1000).padStart(3, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/**
 * Kinds a private dataset does not offer (the contract's `RecipeKindNotPrivate`): MIN and MAX give one
 * reading's exact value and ALERT a yes/no on single readings; no additive noise of a useful scale hides them.
 */
export const NOT_PRIVATE_KINDS: ReadonlySet<RecipeKindName> = new Set(["MIN", "MAX", "ALERT"]);

/** Kinds whose results are noised on a private dataset, so that their ops carry ε (COUNT is the public window length). */
export const isNoisedKind = (kind: RecipeKindName): boolean => kind !== "COUNT" && !NOT_PRIVATE_KINDS.has(kind);
