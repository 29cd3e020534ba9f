/**
 * The privacy part of the seller's forms (create a dataset, change a dataset's mode), as pure
 * functions: sensible defaults from the sensor's kind, the fields checked and converted to the
 * contract's `PrivacyParams` (range in encoded units, ε in thousandths), and what a mode change
 * does, in sentences the seller reads before confirming (contracts/README.md, "Changing the mode
 * or the range").
 */
import { decodeBound, EXACT_PRIVACY, MAX_EPSILON, MAX_PRIVACY_BOUND, PrivacyMode, type PrivacyParams } from "@iotdm/contracts-client";
import { encodeValue, epsilonToMilli, parseDecimal, type ValueEncoding } from "../lib/recipes";

/** What the privacy fields hold (text as typed; values in the sensor's unit, ε as decimals). */
export interface PrivacyForm {
  mode: "exact" | "private";
  /** The declared range's ends, in the unit: readings are clamped into it. */
  lower: string;
  upper: string;
  /** The most ε any one reading may spend on one buyer. */
  budget: string;
  /** The ε a buyer may choose per statistic. */
  minEpsilon: string;
  maxEpsilon: string;
}

/** The outcome of checking the fields. */
export type PrivacyFormResult = { ok: true; privacy: PrivacyParams } | { ok: false; errors: Partial<Record<keyof PrivacyForm, string>> };

/** Typical ranges of common sensors, by unit (then by the quantity's name), in the unit. */
const TYPICAL_RANGES: readonly { units: readonly string[]; fields: RegExp; range: readonly [string, string] }[] = [
  { units: ["°C", "C", "degC"], fields: /temp/i, range: ["-40", "60"] },
  { units: ["°F", "F", "degF"], fields: /^$/, range: ["-40", "140"] },
  { units: ["%", "%RH", "% RH"], fields: /humid/i, range: ["0", "100"] },
  { units: ["ppm"], fields: /co2|carbon/i, range: ["400", "5000"] },
  { units: ["hPa", "mbar"], fields: /press/i, range: ["900", "1100"] },
  { units: ["lx", "lux"], fields: /light|lux|illum/i, range: ["0", "100000"] },
  { units: ["dB", "dBA", "dB(A)"], fields: /noise|sound/i, range: ["0", "130"] },
];

/** The seller's starting point: the demo's settings (budget ε 10, ε 0.1 to 2 per statistic), a range typical of the sensor. */
export function defaultPrivacyForm(sensor: { field: string; unit: string; lowest: string }): PrivacyForm {
  const unit = sensor.unit.trim();
  const typical = TYPICAL_RANGES.find((t) => t.units.includes(unit)) ?? TYPICAL_RANGES.find((t) => t.fields.test(sensor.field.trim()));
  const lowest = parseDecimal(sensor.lowest.trim()) ? sensor.lowest.trim() : "0";
  let [lower, upper] = typical?.range ?? [lowest, String(Number(lowest) + 100)];
  // The range cannot start below the lowest value the dataset stores (encoded 0).
  if (Number(lower) < Number(lowest)) lower = lowest;
  if (Number(upper) <= Number(lower)) upper = String(Number(lower) + 100);
  return { mode: "exact", lower, upper, budget: "10", minEpsilon: "0.1", maxEpsilon: "2" };
}

/** A budget as typed ("10") in thousandths, or undefined when it is not a positive decimal with at most 3 decimals (it may exceed one statistic's ε 5). */
export function parseEpsilon(text: string): number | undefined {
  const d = parseDecimal(text.trim());
  if (!d || d.units <= 0n || d.decimals > 3) return undefined;
  const milli = Number(d.units * 10n ** BigInt(3 - d.decimals));
  return Number.isSafeInteger(milli) ? milli : undefined;
}

/** Checks the fields against the contract's rules and converts them to its `PrivacyParams` (exact: all zero). */
export function checkPrivacyForm(form: PrivacyForm, encoding: ValueEncoding): PrivacyFormResult {
  if (form.mode === "exact") return { ok: true, privacy: EXACT_PRIVACY };
  const errors: Partial<Record<keyof PrivacyForm, string>> = {};
  const bound = (key: "lower" | "upper"): bigint | undefined => {
    const d = parseDecimal(form[key].trim());
    if (!d) return void (errors[key] = "A number in the unit, such as -40 or 60.");
    const encoded = encodeValue(d, encoding);
    if (encoded.ok && encoded.encoded <= MAX_PRIVACY_BOUND) return encoded.encoded;
    if (!encoded.ok && encoded.reason === "too-precise") errors[key] = `At most ${encoding.scale} decimals (the dataset's precision).`;
    else if (!encoded.ok && encoded.reason === "below-range") errors[key] = `Not below the lowest value the dataset stores (${decodeBound(0n, { ...encoding, unit: "" })}).`;
    else errors[key] = `At most ${decodeBound(MAX_PRIVACY_BOUND, { ...encoding, unit: "" })} (the contract's largest bound at this precision).`;
    return undefined;
  };
  const lowerBound = bound("lower");
  const upperBound = bound("upper");
  if (lowerBound !== undefined && upperBound !== undefined && upperBound <= lowerBound) errors.upper = "Above the lower end of the range.";

  const budget = parseEpsilon(form.budget);
  const perStatistic = (text: string) => {
    const milli = epsilonToMilli(text.trim());
    return milli.ok ? milli.milli : undefined;
  };
  const minEpsilon = perStatistic(form.minEpsilon);
  const maxEpsilon = perStatistic(form.maxEpsilon);
  if (budget === undefined || budget > 0xffff_ffff) errors.budget = "An ε above 0 with at most 3 decimals, such as 10.";
  if (minEpsilon === undefined) errors.minEpsilon = `An ε from 0.001 to ${MAX_EPSILON / 1000}.`;
  if (maxEpsilon === undefined) errors.maxEpsilon = `An ε from 0.001 to ${MAX_EPSILON / 1000}.`;
  else if (minEpsilon !== undefined && maxEpsilon < minEpsilon) errors.maxEpsilon = "At least the smallest ε per statistic.";
  else if (budget !== undefined && maxEpsilon > budget) errors.maxEpsilon = "At most the budget: one statistic cannot spend more than a reading's whole budget.";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, privacy: { mode: PrivacyMode.PRIVATE, lowerBound: lowerBound!, upperBound: upperBound!, budget: budget!, minEpsilon: minEpsilon!, maxEpsilon: maxEpsilon! } };
}

/** The fields showing a dataset's current setting (a private one's; an exact one's defaults from its sensor). */
export function privacyFormOf(dataset: { privacy: PrivacyParams; field: string; unit: string } & ValueEncoding): PrivacyForm {
  const { privacy } = dataset;
  const lowest = decodeBound(0n, { ...dataset, unit: "" }).replace("−", "-");
  if (privacy.mode !== PrivacyMode.PRIVATE) return defaultPrivacyForm({ field: dataset.field, unit: dataset.unit, lowest });
  const inUnit = (encoded: bigint) => decodeBound(encoded, { ...dataset, unit: "" }).replace("−", "-");
  const eps = (milli: number) => String(milli / 1000);
  return { mode: "private", lower: inUnit(privacy.lowerBound), upper: inUnit(privacy.upperBound), budget: eps(privacy.budget), minEpsilon: eps(privacy.minEpsilon), maxEpsilon: eps(privacy.maxEpsilon) };
}

/** What a change of a dataset's privacy setting does, one sentence each, for the seller to read before confirming. */
export function privacyChangeConsequences(options: { from: PrivacyParams; to: PrivacyParams; readingCount: number; unit: string } & ValueEncoding): string[] {
  const { from, to, readingCount } = options;
  const fromPrivate = from.mode === PrivacyMode.PRIVATE;
  const toPrivate = to.mode === PrivacyMode.PRIVATE;
  const value = (encoded: bigint) => decodeBound(encoded, options);
  const readings = `${readingCount.toLocaleString("en-US")} reading${readingCount === 1 ? "" : "s"}`;
  if (!fromPrivate && toPrivate) {
    return [
      `Private runs will read only readings appended from now on: the ${readings} appended so far were not clamped into the range, so no private result will include them.`,
      "What buyers' exact runs already revealed about those readings stays revealed; the switch protects new readings, not old ones.",
      `New readings are clamped into ${value(to.lowerBound)} to ${value(to.upperBound)}: a reading outside it counts as the nearest end.`,
      "Every result becomes noisy; MIN, MAX and ALERT recipes are refused, and buyers' scheduled reports of them fail from the next one on.",
      `Each buyer may spend at most ε ${to.budget / 1000} on any one reading, starting from nothing.`,
    ];
  }
  if (fromPrivate && !toPrivate) {
    return [
      "Every reading becomes exact again, for every buyer, including the ones appended while the dataset was private: you give up the protection.",
      "A determined buyer who paid can then learn the values of each bucket, not their order.",
      "Buyers' spent budgets no longer limit anything.",
    ];
  }
  if (!fromPrivate) return [];
  const sentences: string[] = [];
  if (to.lowerBound > from.lowerBound || to.upperBound < from.upperBound) {
    sentences.push(`The range can only widen: earlier readings were clamped into ${value(from.lowerBound)} to ${value(from.upperBound)}, which a narrower range would not cover.`);
  } else if (to.lowerBound !== from.lowerBound || to.upperBound !== from.upperBound) {
    sentences.push(`Readings from now on are clamped into ${value(to.lowerBound)} to ${value(to.upperBound)}; a wider range means more noise on every result for the same ε.`);
  }
  if (to.budget > from.budget) sentences.push(`Buyers may spend up to ε ${to.budget / 1000} per reading instead of ε ${from.budget / 1000}: what they already spent stays spent, and they can learn more about every reading.`);
  if (to.budget < from.budget) sentences.push(`Buyers may spend up to ε ${to.budget / 1000} per reading instead of ε ${from.budget / 1000}; a buyer who already spent more can run nothing more on those readings.`);
  if (to.minEpsilon !== from.minEpsilon || to.maxEpsilon !== from.maxEpsilon) {
    sentences.push(`Each statistic may spend ε ${to.minEpsilon / 1000} to ${to.maxEpsilon / 1000} (was ${from.minEpsilon / 1000} to ${from.maxEpsilon / 1000}); signed recipes outside it are refused.`);
  }
  return sentences;
}

/** Whether a private → private change only narrows the range, which the contract refuses (`PrivacyRangeNarrowed`). */
export function narrowsRange(from: PrivacyParams, to: PrivacyParams): boolean {
  return from.mode === PrivacyMode.PRIVATE && to.mode === PrivacyMode.PRIVATE && (to.lowerBound > from.lowerBound || to.upperBound < from.upperBound);
}
