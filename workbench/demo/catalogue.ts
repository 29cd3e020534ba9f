/**
 * The demo catalogue `npm start` seeds: four sensors of two sellers, with realistic metadata,
 * prices and approvals. Approvals differ on purpose, so that the seller-approval rule is visible:
 * office-humidity has no HISTOGRAM approval (a histogram recipe on it is refused, with the
 * contract's reason), air-quality no VARIANCE (so no stddev either).
 *
 * Names are what recipes write in `from "…"`; scale and offset are those of recipes/library's
 * templates for the same kind of sensor, so every built-in template forks onto them unchanged.
 */
import { parseEther } from "ethers";
import { ALL_RECIPE_KINDS, EXACT_PRIVACY, RecipeKind } from "@iotdm/contracts-client";
import { SENSOR_PROFILES, type SensorKind } from "../simulator/signals";

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
}

const DAY = 86_400;
const without = (...kinds: RecipeKind[]) => kinds.reduce((mask, kind) => mask & ~(1 << kind), ALL_RECIPE_KINDS);

export const DEMO_DATASETS: readonly DemoDataset[] = [
  {
    name: "greenhouse",
    kind: "temperature",
    seller: 0,
    description: "air temperature in greenhouse 3, every 5 min; k = 12 (one hour)",
    pricePerPeriod: parseEther("0.01"),
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
    // The demo's datasets are exact: a determined buyer who paid can learn the values of each
    // k-reading bucket, not their order (the datasets are not sensitive).
    privacy: EXACT_PRIVACY,
  };
}
