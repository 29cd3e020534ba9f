/**
 * Synthetic readings shaped like a dataset's sensor, for the notebook's Preview: the simulator's
 * realistic signal of the sensor kind (its unit, range, typical daily cycle; workbench/simulator),
 * at the dataset's cadence and precision, ending now. Made in the browser from public metadata
 * only; they are not the dataset's readings and are labelled *synthetic* wherever shown.
 */
import type { Dataset } from "../api/datasets-api";
import { createSignal, sensorKindOf, SENSOR_PROFILES, type SensorKind } from "../../../simulator/signals";

/** The readings of a preview: timestamps (unix seconds) and values in the dataset's unit. */
export interface SyntheticReadings {
  readonly kind: SensorKind;
  readonly timestamps: number[];
  readonly values: number[];
  /** Seconds between readings. */
  readonly interval: number;
}

/** The most readings a preview makes (a month of 5-minute readings is 8,640). */
export const MAX_PREVIEW_READINGS = 10_000;

/** When the dataset says nothing about its cadence. */
const DEFAULT_INTERVAL_SECONDS = 300;

const KIND_BY_UNIT: Record<string, SensorKind> = { "°C": "temperature", "%": "humidity", W: "power", "µg/m³": "pm25" };

/** The sensor kind that fits a dataset: by its field, else by its unit, else temperature. */
export function sensorKindFor(dataset: Pick<Dataset, "field" | "unit">): SensorKind {
  return (dataset.field ? sensorKindOf(dataset.field) : undefined) ?? KIND_BY_UNIT[dataset.unit.trim()] ?? "temperature";
}

/** The dataset's typical seconds between readings, from its first and last reading. */
export function cadenceOf(dataset: Pick<Dataset, "readingCount" | "firstTimestamp" | "lastTimestamp">): number {
  const { readingCount, firstTimestamp, lastTimestamp } = dataset;
  if (readingCount < 2 || firstTimestamp === null || lastTimestamp === null || lastTimestamp <= firstTimestamp) return DEFAULT_INTERVAL_SECONDS;
  return Math.max(1, Math.round((lastTimestamp - firstTimestamp) / (readingCount - 1)));
}

/**
 * Readings like the dataset's: as many as it holds (at most {@link MAX_PREVIEW_READINGS}, at
 * least a day's worth), one every {@link cadenceOf} seconds up to `now`, rounded to the dataset's
 * scale and kept inside what its encoding can hold. Deterministic for a seed.
 */
export function syntheticReadings(options: {
  dataset: Pick<Dataset, "id" | "field" | "unit" | "scale" | "offset" | "readingCount" | "firstTimestamp" | "lastTimestamp">;
  now: number;
  seed?: string;
}): SyntheticReadings {
  const { dataset, now } = options;
  const kind = sensorKindFor(dataset);
  const interval = cadenceOf(dataset);
  const day = Math.ceil(86_400 / interval);
  const count = Math.min(MAX_PREVIEW_READINGS, Math.max(dataset.readingCount, day));
  const signal = createSignal({ kind, seed: options.seed ?? `preview:${dataset.id}` });
  const factor = 10 ** dataset.scale;
  // The lowest value the encoding holds is offset / 10^scale (encoded 0).
  const lowest = Number(BigInt(dataset.offset)) / factor;
  const [min, max] = SENSOR_PROFILES[kind].range;
  const timestamps: number[] = [];
  const values: number[] = [];
  const start = Math.floor(now) - (count - 1) * interval;
  for (let i = 0; i < count; i++) {
    const timestamp = start + i * interval;
    const sample = signal.next(timestamp);
    const value = Math.max(lowest, min, Math.min(max, sample.value));
    timestamps.push(timestamp);
    values.push(Math.round(value * factor) / factor);
  }
  return { kind, timestamps, values, interval };
}
