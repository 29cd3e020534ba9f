/**
 * The seller's forms, as pure functions: a new dataset's fields checked and converted to the
 * contract's parameters (fixed-point scale and offset, price in wei), and the approval changes
 * between what the chain has and what the seller ticked.
 */
import { parseEther } from "ethers";
import { EXACT_PRIVACY, type DatasetParams } from "@iotdm/contracts-client";
import { maskFromKinds, RECIPE_KIND_NAMES, RecipeKind, ROLLUP, rollupHcuPerReading, type RecipeKindName, type RollupName } from "../lib/recipes";

/** What the create-dataset form holds (text as typed). */
export interface DatasetForm {
  name: string;
  field: string;
  unit: string;
  /** Decimals kept, 0..18. */
  scale: string;
  /** The lowest value a reading can have, in the unit (e.g. -50). */
  lowest: string;
  /** ETH per period. */
  price: string;
  periodValue: string;
  periodUnit: "hours" | "days";
  k: string;
}

/** The outcome of checking the form. */
export type DatasetFormResult = { ok: true; params: DatasetParams } | { ok: false; errors: Partial<Record<keyof DatasetForm, string>> };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT128_MAX = (1n << 128n) - 1n;

/** Checks the form and converts it to the contract's DatasetParams. */
export function checkDatasetForm(form: DatasetForm): DatasetFormResult {
  const errors: Partial<Record<keyof DatasetForm, string>> = {};
  const name = form.name.trim();
  if (!name) errors.name = "Give the dataset a name.";
  else if (name.length > 80) errors.name = "At most 80 characters.";
  const field = form.field.trim();
  if (!NAME.test(field)) errors.field = "One word, letters, digits and _ (e.g. temperature): recipes name it.";
  else if (field === "value") errors.field = "“value” is reserved (every dataset's field can be called value); choose the quantity's name.";
  const scale = Number(form.scale);
  if (!Number.isInteger(scale) || scale < 0 || scale > 18) errors.scale = "Decimals from 0 to 18.";
  let offset = 0n;
  const lowest = form.lowest.trim();
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(lowest);
  if (!m) errors.lowest = "A number such as -50 or 0.";
  else if (!errors.scale) {
    const fraction = m[3] ?? "";
    if (fraction.replace(/0+$/, "").length > scale) errors.lowest = `At most ${scale} decimals (the dataset's precision).`;
    else {
      offset = BigInt(`${m[1]}${m[2]}${fraction.padEnd(scale, "0").slice(0, scale)}`);
      if (offset < INT64_MIN || offset > INT64_MAX) errors.lowest = "Too far from zero for this precision.";
    }
  }
  let price = 0n;
  try {
    price = parseEther(form.price.trim() || "x");
    if (price < 0n || price > UINT128_MAX) errors.price = "A price from 0 ETH.";
  } catch {
    errors.price = "A price in ETH such as 0.01.";
  }
  const periodValue = Number(form.periodValue);
  const periodSeconds = periodValue * (form.periodUnit === "days" ? 86_400 : 3_600);
  if (!Number.isInteger(periodValue) || periodValue < 1 || periodSeconds > 0xffff_ffff) errors.periodValue = "A whole number of hours or days, at least 1.";
  const k = Number(form.k);
  if (!Number.isInteger(k) || k < 1) errors.k = "A whole number of readings, at least 1.";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  // The form creates exact datasets; private ones (range, budget, ε bounds) are not offered here yet. Every dataset
  // keeps the sum rollup (a mean over any k-aligned window in one step); choosing the others is not offered yet.
  return {
    ok: true,
    params: { name, field, unit: form.unit.trim(), scale, offset, pricePerPeriod: price, periodSeconds, bucketSize: BigInt(k), privacy: EXACT_PRIVACY, rollups: ROLLUP.SUM },
  };
}

/** The approve and revoke masks that turn `current` (the chain's mask) into `wanted`. */
export function approvalChanges(current: number, wanted: readonly RecipeKindName[]): { approve: number; revoke: number } {
  const target = maskFromKinds(wanted);
  const all = maskFromKinds(RECIPE_KIND_NAMES);
  return { approve: target & ~current & all, revoke: current & ~target & all };
}

/** Whether `next` is an allowed new bucket size given `smallest`, the smallest k the dataset ever had (a multiple or a divisor of it, as the contract requires). */
export function isCompatibleBucketSize(current: number, next: number): boolean {
  return Number.isInteger(next) && next >= 1 && (next % current === 0 || current % next === 0);
}

/** The kinds that make sense to approve together with a kind (range needs MIN and MAX…): none are forced; listed for hints. */
export const KIND_ORDER: readonly RecipeKindName[] = [...RECIPE_KIND_NAMES].sort((a, b) => RecipeKind[a] - RecipeKind[b]);

/** A rollup the seller may keep, what it serves and what it costs each reading at ingestion (the rollup model's HCU). */
export interface RollupChoice {
  name: RollupName;
  title: string;
  serves: string;
  hcuPerReading: number;
  /** The sum is kept whenever any rollup is: every other one builds on it. */
  required: boolean;
}

export const ROLLUP_CHOICES: readonly RollupChoice[] = [
  { name: "SUM", title: "Sum", serves: "sums and means over any whole-bucket window in one step", required: true },
  { name: "SQUARES", title: "Sum of squares", serves: "variance and standard deviation in one step", required: false },
  { name: "MIN", title: "Minimum", serves: "minimum in one step up to a million readings", required: false },
  { name: "MAX", title: "Maximum", serves: "maximum in one step up to a million readings", required: false },
].map((choice) => ({ ...choice, name: choice.name as RollupName, hcuPerReading: rollupHcuPerReading(choice.name as RollupName) }));

/**
 * The rollups a dataset keeps, in a few words for its pages: "Sum, minimum (blocks of 8 readings)", or why runs
 * read every reading when it keeps none.
 */
export function describeRollups(dataset: { rollups: number; rollupBlockSize: number | bigint }): string {
  const kept = ROLLUP_CHOICES.filter((choice) => (dataset.rollups & ROLLUP[choice.name]) !== 0).map((choice) => choice.title);
  if (kept.length === 0) return "None: every run reads each reading of its window";
  const names = kept.map((title, i) => (i === 0 ? title : title.toLowerCase())).join(", ");
  return `${names} (blocks of ${Number(dataset.rollupBlockSize)} readings)`;
}

/** The contract's rollup mask of the chosen rollups (the sum always). */
export function rollupMask(chosen: readonly RollupName[]): number {
  return chosen.reduce((mask, name) => mask | ROLLUP[name], ROLLUP.SUM as number);
}
