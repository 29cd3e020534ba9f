import { RecipeKind, type Program } from "./program";

/** A dataset's privacy mode (the Solidity `PrivacyMode`). */
export enum PrivacyMode {
  /** Exact results: a determined buyer can learn the values of each k-reading bucket, not their order. */
  EXACT = 0,
  /** Readings clamped into [lowerBound, upperBound], encrypted noise on every result, an ε budget per buyer. */
  PRIVATE = 1,
}

/** The Solidity `PrivacyParams`: ε values are in thousandths (1000 = ε 1), bounds in encoded units. */
export interface PrivacyParams {
  mode: PrivacyMode;
  lowerBound: bigint;
  upperBound: bigint;
  /** The most ε any one reading may spend on one buyer. */
  budget: number;
  minEpsilon: number;
  maxEpsilon: number;
}

/** An exact dataset's privacy setting (every other field zero, as the contract requires). */
export const EXACT_PRIVACY: PrivacyParams = Object.freeze({
  mode: PrivacyMode.EXACT,
  lowerBound: 0n,
  upperBound: 0n,
  budget: 0,
  minEpsilon: 0,
  maxEpsilon: 0,
});

/** Largest ε of one statistic, in thousandths (the contract's `PrivacyMode.MAX_EPSILON`). */
export const MAX_EPSILON = 5000;
/** Largest upper bound of a private range (`PrivacyMode.MAX_BOUND`). */
export const MAX_PRIVACY_BOUND = 2n ** 32n - 1n;

/** The tuple ethers encodes for a `PrivacyParams` parameter. */
export function encodePrivacy(p: PrivacyParams): [number, bigint, bigint, number, number, number] {
  return [p.mode, p.lowerBound, p.upperBound, p.budget, p.minEpsilon, p.maxEpsilon];
}

/** Plain params from an ethers `Result` of a `PrivacyParams` (a view's field or an event's argument). */
export function privacyFromResult(r: ArrayLike<unknown>): PrivacyParams {
  const [mode, lowerBound, upperBound, budget, minEpsilon, maxEpsilon] = Array.from(r);
  return {
    mode: Number(mode) as PrivacyMode,
    lowerBound: BigInt(lowerBound as bigint),
    upperBound: BigInt(upperBound as bigint),
    budget: Number(budget),
    minEpsilon: Number(minEpsilon),
    maxEpsilon: Number(maxEpsilon),
  };
}

/** Whether the setting makes results noisy. */
export const isPrivate = (p: Pick<PrivacyParams, "mode">): boolean => p.mode === PrivacyMode.PRIVATE;

/**
 * One noise draw of a private run, in the contract's order (`PrivacyNoise`): which op and result it noises, the ε it
 * spends and the sensitivity Δ it is calibrated for (`parts` draws share the op's ε).
 */
export interface NoiseUnit {
  opIndex: number;
  kind: RecipeKind;
  /** Which of the op's draws: a HISTOGRAM's bucket, VARIANCE's sum (0) or centred squares (1). */
  part: number;
  epsilon: number;
  sensitivity: bigint;
  parts: number;
}

/** The noise draws a program's results get on a dataset with range [lowerBound, upperBound] (PrivacyNoise's table). */
export function noiseUnits(ops: Program, privacy: Pick<PrivacyParams, "lowerBound" | "upperBound">): NoiseUnit[] {
  const { lowerBound: lo, upperBound: hi } = privacy;
  const centre = (lo + hi) / 2n;
  const units: NoiseUnit[] = [];
  ops.forEach((o, opIndex) => {
    const unit = (part: number, sensitivity: bigint, parts = 1) =>
      units.push({ opIndex, kind: o.kind, part, epsilon: o.epsilon, sensitivity, parts });
    switch (o.kind) {
      case RecipeKind.SUM:
      case RecipeKind.MEAN:
        return unit(0, hi - lo);
      case RecipeKind.COUNT_IF:
        return unit(0, 1n);
      case RecipeKind.SUM_IF:
        return unit(0, hi);
      case RecipeKind.HISTOGRAM:
        for (let bucket = 0; bucket <= o.bounds.length; bucket++) unit(bucket, 2n);
        return;
      case RecipeKind.VARIANCE:
        unit(0, hi - lo, 2);
        return unit(1, (hi - centre) ** 2n, 2);
      default:
        return; // COUNT is public; MIN, MAX and ALERT are refused
    }
  });
  return units;
}

/** HCU of one draw of `bits` random bits (NoiseSampler.drawHcu). */
export const noiseDrawHcu = (bits: number): bigint => BigInt(bits) * 142_032n + BigInt(bits - 1) * 68_000n + 74_063n;

/** HCU of one noise unit with a draw of `bits` bits (PrivacyNoise.unitHcu): the draw, its addition, casts, centring. */
export function noiseUnitHcu(unit: Pick<NoiseUnit, "kind" | "part">, bits: number): bigint {
  let hcu = noiseDrawHcu(bits) + 162_000n;
  if (unit.kind === RecipeKind.COUNT_IF || unit.kind === RecipeKind.HISTOGRAM) hcu += 32n;
  if (unit.kind === RecipeKind.VARIANCE && unit.part === 0) hcu += 660_000n;
  return hcu;
}
