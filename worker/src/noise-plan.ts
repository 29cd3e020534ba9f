/**
 * How the worker spreads a private run's noise over `addNoise` transactions. A run on a private
 * dataset is released only after every one of its noise units (one encrypted discrete-Laplace draw
 * added to one result) was added, and one transaction holds as many units as fit the fhevm
 * per-transaction HCU limit. This mirrors the contract's own count (`PrivacyNoise._fitting`), so
 * that progress can say "step i of n" from the start; the contract stays the authority: when it
 * answers `NoiseOutOfRange(count, remaining, maxFit)` the worker sends `maxFit` instead.
 */
import { noiseUnitHcu, noiseUnits, type Op } from "@iotdm/contracts-client";
import { noiseParameters } from "@iotdm/recipes/noise-model";
import type { ProgramOp } from "./chain/market-gateway";

/** The per-transaction HCU limit the contract measures noise against (RecipeProgram.HCU_LIMIT). */
const HCU_LIMIT = 20_000_000;

/**
 * The noise units of a program on a private dataset, in the order the contract adds them, with
 * their HCU: the contracts client's table of units (`noiseUnits`, `noiseUnitHcu`) with each draw's
 * bit count from the noise model the contract's sampler follows bit for bit.
 */
export function noiseUnitCosts(options: { ops: readonly ProgramOp[]; lowerBound: bigint; upperBound: bigint }): number[] {
  return noiseUnits(options.ops as readonly Op[], options).map((unit) => {
    const { bitCount } = noiseParameters({ epsilonMilli: unit.epsilon, sensitivity: unit.sensitivity, parts: unit.parts });
    return Number(noiseUnitHcu(unit, bitCount));
  });
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
