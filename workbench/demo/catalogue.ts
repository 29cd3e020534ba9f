/**
 * The demo catalogue `npm start` seeds: six sensors of two sellers, with realistic metadata,
 * prices and approvals. Approvals differ on purpose, so that the seller-approval rule is visible:
 * office-humidity has no HISTOGRAM approval (a histogram recipe on it is refused, with the
 * contract's reason), air-quality no VARIANCE (so no stddev either). Four are exact (the data is
 * not sensitive); the two in a home are private, so that noisy results and budgets can be tried:
 * what a home's temperature and power say about who is in it is what differential privacy protects.
 *
 * Names are what recipes write in `from "…"`; scale and offset are those of recipes/library's
 * templates for the same kind of sensor, so every built-in template forks onto them unchanged.
 */
import { parseEther } from "ethers";
import { ROLLUP } from "@iotdm/recipes/rollup-model";
import { ALL_RECIPE_KINDS, EXACT_PRIVACY, PrivacyMode, RecipeKind, type PrivacyParams } from "@iotdm/contracts-client";
import { encodeReading } from "../simulator/encoding";
import { SENSOR_PROFILES, type SensorKind, type SensorProfile } from "../simulator/signals";

/** One demo dataset. */
export interface DemoDataset {
  /** Dataset name on-chain; recipes refer to it as `from "<name>"`. */
  name: string;
  kind: SensorKind;
  /** Index into DEMO_ROLES.sellers. */
  seller: number;
  /** One line for the console and the README. */
  description: string;
  pricePerPeriod: bigint;
  periodSeconds: number;
  /** k: windows are aligned to buckets of this many readings. */
  bucketSize: number;
  /** How often the device reported in the seeded history (seconds). */
  intervalSeconds: number;
  /** Bit mask of the approved recipe kinds. */
  approvedKinds: number;
  /** Time zone of the site (hours east of UTC): the daily cycles follow it. */
  utcOffsetHours: number;
  /**
   * How its MQTT device talks to the gateway while `npm start` runs: `sealed` (mode a) encrypts on
   * the device and the gateway forwards the ciphertexts; `plain` (mode b) publishes readings in
   * clear to the seller's gateway, which encrypts them. Each seller has one of each.
   */
  deviceMode: "sealed" | "plain";
  /** The seller's price per run on top of the relayer's gas (issue 15, `setRunPrice`); none when absent. */
  runPrice?: bigint;
  /** Private datasets: the declared range in the sensor's unit, and ε as numbers (1 = ε 1). Exact when absent. */
  privacy?: { range: readonly [number, number]; budget: number; epsilon: readonly [number, number] };
}

const DAY = 86_400;
const without = (...kinds: RecipeKind[]) => kinds.reduce((mask, kind) => mask & ~(1 << kind), ALL_RECIPE_KINDS);

export const DEMO_DATASETS: readonly DemoDataset[] = [
  {
    name: "greenhouse",
    kind: "temperature",
    seller: 0,
    description: "air temperature in greenhouse 3, every 5 min; k = 12 (one hour); 0.0002 ETH per run",
    pricePerPeriod: parseEther("0.01"),
    runPrice: parseEther("0.0002"),
    periodSeconds: 30 * DAY,
    bucketSize: 12,
    intervalSeconds: 300,
    approvedKinds: ALL_RECIPE_KINDS,
    utcOffsetHours: 1,
    deviceMode: "plain",
  },
  {
    name: "office-humidity",
    kind: "humidity",
    seller: 1,
    description: "relative humidity on the 2nd floor, every 10 min; k = 6; no HISTOGRAM approval",
    pricePerPeriod: parseEther("0.005"),
    periodSeconds: 7 * DAY,
    bucketSize: 6,
    intervalSeconds: 600,
    approvedKinds: without(RecipeKind.HISTOGRAM),
    utcOffsetHours: 1,
    deviceMode: "sealed",
  },
  {
    name: "farmhouse-power",
    kind: "power",
    seller: 0,
    description: "the farmhouse's power meter, every 5 min; k = 12",
    pricePerPeriod: parseEther("0.02"),
    periodSeconds: 30 * DAY,
    bucketSize: 12,
    intervalSeconds: 300,
    approvedKinds: ALL_RECIPE_KINDS,
    utcOffsetHours: 1,
    deviceMode: "sealed",
  },
  {
    name: "air-quality",
    kind: "pm25",
    seller: 1,
    description: "PM2.5 at the street entrance, every 10 min; k = 6; no VARIANCE approval",
    pricePerPeriod: parseEther("0.002"),
    periodSeconds: DAY,
    bucketSize: 6,
    intervalSeconds: 600,
    approvedKinds: without(RecipeKind.VARIANCE),
    utcOffsetHours: 1,
    deviceMode: "plain",
  },
  {
    name: "home-temperature",
    kind: "temperature",
    seller: 1,
    description: "living-room temperature in a flat, every 10 min; k = 6; private: −10 to 40 °C, ε 0.1 to 2 a statistic, budget ε 10",
    pricePerPeriod: parseEther("0.004"),
    periodSeconds: 7 * DAY,
    bucketSize: 6,
    intervalSeconds: 600,
    // A private dataset offers no MIN, MAX or ALERT (the contract refuses them): approving them would only mislead.
    approvedKinds: without(RecipeKind.MIN, RecipeKind.MAX, RecipeKind.ALERT),
    utcOffsetHours: 1,
    deviceMode: "sealed",
    privacy: { range: [-10, 40], budget: 10, epsilon: [0.1, 2] },
  },
  {
    name: "household-power",
    kind: "power",
    seller: 0,
    description: "a household's smart meter, every 5 min; k = 12; private: 0 to 6,000 W, ε 0.1 to 2 a statistic, budget ε 5",
    pricePerPeriod: parseEther("0.01"),
    periodSeconds: 30 * DAY,
    bucketSize: 12,
    intervalSeconds: 300,
    approvedKinds: without(RecipeKind.MIN, RecipeKind.MAX, RecipeKind.ALERT),
    utcOffsetHours: 1,
    deviceMode: "plain",
    privacy: { range: [0, 6000], budget: 5, epsilon: [0.1, 2] },
  },
];

/** The on-chain parameters of `dataset` (`createDataset`'s DatasetParams). */
export function datasetParams(dataset: DemoDataset) {
  const profile = SENSOR_PROFILES[dataset.kind];
  return {
    name: dataset.name,
    field: profile.field,
    unit: profile.unit,
    scale: profile.scale,
    offset: profile.offset,
    pricePerPeriod: dataset.pricePerPeriod,
    periodSeconds: dataset.periodSeconds,
    bucketSize: BigInt(dataset.bucketSize),
    privacy: privacyParams(dataset, profile),
    // The sum rollup: a mean or sum over any k-aligned window is one step, whatever its length.
    rollups: ROLLUP.SUM,
  };
}

/** The contract's PrivacyParams of `dataset`: exact, or its private range encoded and ε in thousandths. */
function privacyParams(dataset: DemoDataset, profile: SensorProfile): PrivacyParams {
  if (!dataset.privacy) return EXACT_PRIVACY;
  const { range, budget, epsilon } = dataset.privacy;
  const encode = (value: number) => encodeReading({ value, scale: profile.scale, offset: profile.offset }).encoded;
  const milli = (value: number) => Math.round(value * 1000);
  return {
    mode: PrivacyMode.PRIVATE,
    lowerBound: encode(range[0]),
    upperBound: encode(range[1]),
    budget: milli(budget),
    minEpsilon: milli(epsilon[0]),
    maxEpsilon: milli(epsilon[1]),
  };
}
