/**
 * How the worker spreads a private run's noise over `addNoise` transactions. A run on a private
 * dataset is released only after every one of its noise units (one encrypted discrete-Laplace draw
 * added to one result) was added, and one transaction holds as many units as fit the fhevm
 * per-transaction HCU limit. This mirrors the contract's own count (`PrivacyNoise._fitting`), so
 * that progress can say "step i of n" from the start; the contract stays the authority: when it
 * answers `NoiseOutOfRange(count, remaining, maxFit)` the worker sends `maxFit` instead.
 */
import { noiseParameters } from "@iotdm/recipes/noise-model";
import { RecipeKind } from "@iotdm/recipes";
import type { ProgramOp } from "./chain/market-gateway";

/** The per-transaction HCU limit the contract measures noise against (RecipeProgram.HCU_LIMIT). */
const HCU_LIMIT = 20_000_000;
/** HCU of adding a draw to a euint64 result (PrivacyNoise.ADD64). */
const ADD64 = 162_000;
/** HCU of VARIANCE's centring of its sum of squares (PrivacyNoise.CENTRE). */
const CENTRE = 660_000;
/** HCU of casting a euint32 count to euint64 (RecipeProgram.CAST). */
const CAST = 32;

/** HCU of one draw of `bits` random bits (NoiseSampler.drawHcu). */
const drawHcu = (bits: number) => bits * 142_032 + (bits - 1) * 68_000 + 74_063;

/** The noise units of a program on a private dataset, in the order the contract adds them, with their HCU. */
export function noiseUnitCosts(options: { ops: readonly ProgramOp[]; lowerBound: bigint; upperBound: bigint }): number[] {
  const { lowerBound: lo, upperBound: hi } = options;
  const centre = (lo + hi) / 2n;
  const costs: number[] = [];
  for (const op of options.ops) {
    const units = op.kind === RecipeKind.COUNT ? 0 : op.kind === RecipeKind.HISTOGRAM ? op.bounds.length + 1 : op.kind === RecipeKind.VARIANCE ? 2 : 1;
    for (let part = 0; part < units; part++) {
      const [sensitivity, parts] = unitSensitivity(op.kind, part, lo, hi, centre);
      const { bitCount } = noiseParameters({ epsilonMilli: op.epsilon, sensitivity, parts });
      let hcu = drawHcu(bitCount) + ADD64;
      if (op.kind === RecipeKind.COUNT_IF || op.kind === RecipeKind.HISTOGRAM) hcu += CAST;
      if (op.kind === RecipeKind.VARIANCE && part === 0) hcu += CENTRE;
      costs.push(hcu);
    }
  }
  return costs;
}

function unitSensitivity(kind: number, part: number, lo: bigint, hi: bigint, centre: bigint): [bigint, number] {
  switch (kind) {
    case RecipeKind.COUNT_IF:
      return [1n, 1];
    case RecipeKind.SUM_IF:
      return [hi, 1];
    case RecipeKind.HISTOGRAM:
      return [2n, 1];
    case RecipeKind.VARIANCE:
      return part === 0 ? [hi - lo, 2] : [(hi - centre) * (hi - centre), 2];
    default:
      return [hi - lo, 1]; // SUM, MEAN
  }
}

/**
 * The sizes of the `addNoise` calls that add units `[from, costs.length)`: each as many units as
 * stay under the HCU limit, in order.
 */
export function planNoiseCalls(options: { costs: readonly number[]; from: number }): number[] {
  const sizes: number[] = [];
  let size = 0;
  let hcu = 0;
  for (let unit = options.from; unit < options.costs.length; unit++) {
    const cost = options.costs[unit]!;
    if (size > 0 && hcu + cost >= HCU_LIMIT) {
      sizes.push(size);
      size = 0;
      hcu = 0;
    }
    hcu += cost;
    size++;
  }
  if (size > 0) sizes.push(size);
  return sizes;
}
