/**
 * Test support (not part of the public API): sample datasets and a plaintext reference of what
 * the contract computes, so that planner and interpreter tests can run a plan end to end.
 */
import { evaluatePlan } from "./cleartext";
import { parseDecimal, toScaledInteger } from "./decimal";
import type { PlanDataset } from "./planner";
import type { Plan } from "./planner";

/** A dataset with one reading every `interval` seconds, the last one at `end`. */
export function sampleDataset(options: {
  readingCount: number;
  k?: number;
  scale?: number;
  offset?: bigint | number;
  interval?: number;
  end?: number;
  unit?: string;
}): PlanDataset & { timestamps: number[] } {
  const { readingCount, k = 10, scale = 2, offset = -5000, interval = 10, end = 1_800_000_000, unit } = options;
  const timestamps = Array.from({ length: readingCount }, (_, i) => end - (readingCount - 1 - i) * interval);
  return { id: 1n, scale, offset, k, readingCount, timestamps, ...(unit ? { unit } : {}) };
}

/** Encodes a reading as the device does: round(v × 10^scale) − offset (here: exact). */
export function encodeReading(value: string, plan: Pick<Plan, "encoding">): bigint {
  const scaled = toScaledInteger(parseDecimal(value)!, plan.encoding.scale);
  if (scaled === undefined) throw new Error(`${value} is finer than scale ${plan.encoding.scale}`);
  const encoded = scaled - plan.encoding.offset;
  if (encoded < 0n) throw new Error(`${value} is below the offset`);
  return encoded;
}

/**
 * What the contract's result handles decrypt to after running `plan` over the window's readings
 * (given as decimals in the dataset's unit), in the plan's handle order.
 */
export function simulateRun(plan: Plan, readings: readonly string[]): (bigint | boolean)[] {
  if (readings.length !== plan.window.length) throw new Error(`the window holds ${plan.window.length} readings`);
  return evaluatePlan(plan, readings.map((r) => encodeReading(r, plan)));
}
