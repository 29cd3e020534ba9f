/**
 * Realistic sensor signals for the device simulator and the demo history: a daily (and, where it
 * matters, weekly) cycle, day-to-day weather, correlated noise, the normal events of the place
 * (a kettle, a rush hour) and occasional anomalies (a stuck vent, a smoke episode) that recipes
 * such as `alert(...)` and `count(... > ...)` should find.
 *
 * Deterministic: the same seed and the same sequence of timestamps give the same samples, so tests
 * and the demo seed are reproducible. Everything random comes from one seeded stream, except the
 * per-day weather, which is derived from (seed, day) so that it does not depend on the sampling rate.
 */
import { createRandom, hashSeed, type Random } from "./random";

/** The sensor kinds the simulator knows. */
export type SensorKind = "temperature" | "humidity" | "power" | "pm25";

/** A sensor kind with the dataset metadata that suits it (the same as recipes/library's examples). */
export interface SensorProfile {
  kind: SensorKind;
  /** The dataset's field: what recipes call the value. */
  field: string;
  unit: string;
  /** Decimals of the fixed-point encoding (`round(value × 10^scale) − offset`). */
  scale: number;
  /** Offset of the encoding, in scaled units (negative lets negative values encode as unsigned). */
  offset: bigint;
  /** What the sensor can report; readings are clamped to it, as a real sensor saturates. */
  range: readonly [min: number, max: number];
  /** One line for help texts. */
  description: string;
}

/** Every kind with its realistic metadata. */
export const SENSOR_PROFILES: Readonly<Record<SensorKind, SensorProfile>> = {
  temperature: {
    kind: "temperature",
    field: "temperature",
    unit: "°C",
    scale: 2,
    offset: -5000n,
    range: [-40, 60],
    description: "greenhouse air temperature: sun-driven daily cycle, night heating, vent and heater faults",
  },
  humidity: {
    kind: "humidity",
    field: "humidity",
    unit: "%",
    scale: 1,
    offset: 0n,
    range: [5, 100],
    description: "office relative humidity: occupancy on weekdays, weather, a humidifier that sometimes sticks",
  },
  power: {
    kind: "power",
    field: "power",
    unit: "W",
    scale: 1,
    offset: 0n,
    range: [0, 12_000],
    description: "household power meter: standby and fridge cycles, morning and evening peaks, appliances",
  },
  pm25: {
    kind: "pm25",
    field: "pm25",
    unit: "µg/m³",
    scale: 1,
    offset: 0n,
    range: [0, 999.9],
    description: "street PM2.5 sensor: rush hours, night inversions, smoke and dust episodes",
  },
};

/** The kinds, in a stable order. */
export const SENSOR_KINDS = Object.keys(SENSOR_PROFILES) as SensorKind[];

/** The kind whose field or kind name is `field` (e.g. a dataset's field), if any. */
export function sensorKindOf(field: string): SensorKind | undefined {
  const name = field.trim().toLowerCase();
  return SENSOR_KINDS.find((kind) => kind === name || SENSOR_PROFILES[kind].field === name);
}

/** One reading as the sensor reports it. */
export interface Sample {
  /** Unix seconds. */
  timestamp: number;
  /** In the profile's unit, rounded to its resolution (10^-scale) and clamped to its range. */
  value: number;
  /** The anomaly under way when the sample was taken, or null. */
  anomaly: string | null;
}

/** A stateful signal: call `next` with non-decreasing timestamps. */
export interface SensorSignal {
  readonly profile: SensorProfile;
  /** The sample at `timestamp` (unix seconds). Throws a RangeError if time goes backwards. */
  next(timestamp: number): Sample;
}

/** Options of {@link createSignal}. */
export interface CreateSignalOptions {
  kind: SensorKind;
  /** Same seed, same timestamps: same samples. */
  seed: string | number;
  /** Hours east of UTC of the sensor's site: daily cycles follow local time. Default 0 (UTC). */
  utcOffsetHours?: number;
  /** Average anomalies per day; the kind's own rate (about one every two days) by default, 0 for none. */
  anomaliesPerDay?: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Local calendar position of a timestamp. */
interface LocalTime {
  /** Fractional hour of the day, 0 ≤ hour < 24. */
  hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  weekend: boolean;
  /** Smooth weather anomaly of the day, about N(0, 1) (two independent components). */
  weather: readonly [number, number];
}

/** Something that lasts a while: an anomaly, or a normal event such as an appliance running. */
interface EpisodeKind {
  name: string;
  /** Relative frequency among its siblings. */
  weight: number;
  /** Duration range in hours. */
  hours: readonly [number, number];
  /** Ramp in and out (a room warming up) rather than switch (a glitch). */
  ramp: boolean;
  /** The reading under the episode; `strength` is 0..1 along the ramp times a random 0.7..1.3. */
  apply(value: number, strength: number): number;
}

interface Episode {
  kind: EpisodeKind;
  start: number;
  end: number;
  magnitude: number;
}

/** What differs between kinds. */
interface KindModel {
  /** The expected value at a local time, before noise and episodes. */
  baseline(time: LocalTime, timestamp: number, phase: number): number;
  /** Correlated noise: standard deviation and correlation time (s) of an Ornstein-Uhlenbeck process. */
  drift: { sigma: number; tauSeconds: number; multiplicative: boolean };
  /** White measurement noise (standard deviation, in the unit). */
  measurementSigma: number;
  /** Normal events of the place (not anomalies): rate per day as a function of local time, and kinds. */
  events?: { perDay(time: LocalTime): number; kinds: readonly EpisodeKind[] };
  anomaliesPerDay: number;
  anomalies: readonly EpisodeKind[];
}

/** A smooth bump: 1 at the middle of [from, to] (hours), 0 outside, cosine-shaped. */
function bump(hour: number, from: number, to: number): number {
  if (hour <= from || hour >= to) return 0;
  return 0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - from)) / (to - from));
}

/** Daylight: 0 at night, rising from 06:30 to a peak at 13:00 and setting at 19:30. */
function daylight(hour: number): number {
  if (hour <= 6.5 || hour >= 19.5) return 0;
  return Math.sin((Math.PI * (hour - 6.5)) / 13) ** 1.5;
}

const clampTo = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

const MODELS: Record<SensorKind, KindModel> = {
  temperature: {
    // Night setpoint of the greenhouse heating ~17 °C; the sun adds up to ~9 °C on a clear day.
    baseline: ({ hour, weather: [warm, cloud] }) =>
      17 + 1.5 * warm + 9 * daylight(hour) * clampTo(1 - 0.3 * cloud, 0.25, 1.4),
    drift: { sigma: 0.35, tauSeconds: 20 * 60, multiplicative: false },
    measurementSigma: 0.05,
    anomaliesPerDay: 0.5,
    anomalies: [
      { name: "vent stuck closed", weight: 3, hours: [1, 3], ramp: true, apply: (v, s) => v + 9 * s },
      { name: "heating failure", weight: 2, hours: [2, 5], ramp: true, apply: (v, s) => v - 6 * s },
      { name: "sensor glitch", weight: 1, hours: [0.05, 0.2], ramp: false, apply: (v, s) => v + 30 * Math.min(1, s) },
    ],
  },
  humidity: {
    // People and plants add moisture during office hours; the afternoon sun dries the air a little.
    baseline: ({ hour, weekend, weather: [wet] }) =>
      41 + 4 * wet + (weekend ? 1 : 10) * bump(hour, 7.5, 18.5) - 2.5 * daylight(hour),
    drift: { sigma: 1.2, tauSeconds: 30 * 60, multiplicative: false },
    measurementSigma: 0.3,
    anomaliesPerDay: 0.4,
    anomalies: [
      { name: "humidifier stuck on", weight: 3, hours: [2, 4], ramp: true, apply: (v, s) => v + 35 * s },
      { name: "window open in the rain", weight: 2, hours: [1, 2], ramp: true, apply: (v, s) => v + 18 * s },
      { name: "air conditioning dry-out", weight: 1, hours: [2, 6], ramp: true, apply: (v, s) => v - 15 * s },
    ],
  },
  power: {
    // Standby ~160 W, a fridge compressor cycling every 50 min, breakfast and evening peaks.
    baseline: ({ hour, weekend }, timestamp, phase) => {
      const fridge = ((timestamp / 60 + phase * 50) % 50) / 50 < 0.4 ? 110 : 0;
      const morning = (weekend ? 350 : 600) * bump(hour, weekend ? 7.5 : 6, weekend ? 10.5 : 9);
      const daytime = (weekend ? 300 : 60) * bump(hour, 9, 17);
      const evening = 900 * bump(hour, 17, 23);
      return 160 + fridge + morning + daytime + evening;
    },
    drift: { sigma: 25, tauSeconds: 10 * 60, multiplicative: false },
    measurementSigma: 4,
    events: {
      // Appliances mostly run when people are up.
      perDay: ({ hour }) => (hour < 6 || hour >= 23 ? 0.5 : 8),
      kinds: [
        { name: "kettle", weight: 4, hours: [0.04, 0.08], ramp: false, apply: (v, s) => v + 2000 * Math.min(1, s) },
        { name: "oven", weight: 2, hours: [0.5, 1.2], ramp: false, apply: (v, s) => v + 2200 * Math.min(1, s) },
        { name: "washing machine", weight: 2, hours: [1, 2], ramp: true, apply: (v, s) => v + 700 * s },
      ],
    },
    anomaliesPerDay: 0.3,
    anomalies: [
      { name: "heater left on", weight: 3, hours: [3, 8], ramp: false, apply: (v, s) => v + 2500 * Math.min(1, s) },
      { name: "meter dropout", weight: 1, hours: [0.15, 0.5], ramp: false, apply: () => 0 },
    ],
  },
  pm25: {
    // Traffic rush hours on weekdays, a night-time inversion, cleaner air on windy days.
    baseline: ({ hour, weekend, weather: [still] }) =>
      Math.exp(0.35 * still) *
      (8 + (weekend ? 3 : 10) * bump(hour, 6.5, 9.5) + (weekend ? 3 : 8) * bump(hour, 16.5, 19.5) + 3 * (bump(hour, 21, 24) + bump(hour, 0, 3))),
    drift: { sigma: 0.18, tauSeconds: 60 * 60, multiplicative: true },
    measurementSigma: 0.4,
    anomaliesPerDay: 0.4,
    anomalies: [
      { name: "smoke episode", weight: 3, hours: [4, 10], ramp: true, apply: (v, s) => v * (1 + 4 * s) },
      { name: "construction dust", weight: 2, hours: [1, 3], ramp: true, apply: (v, s) => v + 40 * s },
      { name: "sensor saturation", weight: 1, hours: [0.05, 0.1], ramp: false, apply: () => 999.9 },
    ],
  },
};

/** Picks an episode kind by weight. */
function pick(random: Random, kinds: readonly EpisodeKind[]): EpisodeKind {
  let roll = random.next() * kinds.reduce((sum, kind) => sum + kind.weight, 0);
  for (const kind of kinds) {
    roll -= kind.weight;
    if (roll < 0) return kind;
  }
  return kinds[kinds.length - 1]!;
}

/** The strength of `episode` at `timestamp`: ramps over the first and last fifth when it ramps. */
function strengthOf(episode: Episode, timestamp: number): number {
  if (!episode.kind.ramp) return episode.magnitude;
  const progress = (timestamp - episode.start) / (episode.end - episode.start);
  return episode.magnitude * clampTo(Math.min(progress, 1 - progress) / 0.2, 0, 1);
}

/**
 * A signal of `kind`. Anomalies and events start as a Poisson process (the chance of one starting
 * between two samples grows with the time between them), so the rate per day holds whatever the
 * sampling interval.
 */
export function createSignal(options: CreateSignalOptions): SensorSignal {
  const profile = SENSOR_PROFILES[options.kind];
  const model = MODELS[options.kind];
  const seed = typeof options.seed === "number" ? String(options.seed) : options.seed;
  const random = createRandom(`${seed}:${options.kind}`);
  const utcOffset = (options.utcOffsetHours ?? 0) * HOUR;
  const anomaliesPerDay = options.anomaliesPerDay ?? model.anomaliesPerDay;
  const phase = createRandom(`${seed}:phase`).next();
  const resolution = 10 ** profile.scale;

  // The weather of a local day: two normals derived from (seed, day), blended across midnight.
  const dayWeather = (day: number): [number, number] => {
    const r = createRandom(hashSeed(`${seed}:${options.kind}:day:${day}`));
    return [r.normal(), r.normal()];
  };
  const localTime = (timestamp: number): LocalTime => {
    const local = timestamp + utcOffset;
    const dayIndex = Math.floor(local / DAY);
    const hour = (local - dayIndex * DAY) / HOUR;
    // Noon-centred blend: the weather of day d holds at its noon and fades into d±1's.
    const blend = (hour - 12) / 24;
    const [a, b] = blend >= 0 ? [dayWeather(dayIndex), dayWeather(dayIndex + 1)] : [dayWeather(dayIndex - 1), dayWeather(dayIndex)];
    const t = blend >= 0 ? blend : 1 + blend;
    const weekday = (((dayIndex + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    return {
      hour,
      weekday,
      weekend: weekday === 0 || weekday === 6,
      weather: [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t],
    };
  };

  let last: number | undefined;
  let drift = 0;
  let anomaly: Episode | undefined;
  const events: Episode[] = [];

  const maybeStart = (perDay: number, kinds: readonly EpisodeKind[], timestamp: number, elapsed: number): Episode | undefined => {
    if (perDay <= 0 || elapsed <= 0) return undefined;
    if (random.next() >= 1 - Math.exp((-perDay * elapsed) / DAY)) return undefined;
    const kind = pick(random, kinds);
    const hours = random.between(kind.hours[0], kind.hours[1]);
    return { kind, start: timestamp, end: timestamp + hours * HOUR, magnitude: random.between(0.7, 1.3) };
  };

  return {
    profile,
    next(timestamp: number): Sample {
      if (!Number.isFinite(timestamp)) throw new RangeError(`timestamp must be a finite number of seconds, got ${timestamp}`);
      if (last !== undefined && timestamp < last) {
        throw new RangeError(`timestamps must not go backwards: ${timestamp} after ${last}`);
      }
      const first = last === undefined;
      const elapsed = first ? 0 : timestamp - last!;
      last = timestamp;
      const time = localTime(timestamp);

      // Ornstein-Uhlenbeck step: exact for any interval, so 10 s and 10 min sampling look alike.
      const { sigma, tauSeconds, multiplicative } = model.drift;
      const keep = Math.exp(-elapsed / tauSeconds);
      // The first sample draws from the stationary distribution.
      drift = first ? sigma * random.normal() : keep * drift + sigma * Math.sqrt(1 - keep * keep) * random.normal();

      let value = model.baseline(time, timestamp, phase);
      value = multiplicative ? value * Math.exp(drift) : value + drift;

      if (model.events) {
        const started = maybeStart(model.events.perDay(time), model.events.kinds, timestamp, elapsed);
        if (started) events.push(started);
        for (let i = events.length - 1; i >= 0; i--) {
          if (events[i]!.end < timestamp) events.splice(i, 1);
        }
        for (const event of events) value = event.kind.apply(value, strengthOf(event, timestamp));
      }

      if (anomaly && anomaly.end < timestamp) anomaly = undefined;
      anomaly ??= maybeStart(anomaliesPerDay, model.anomalies, timestamp, elapsed);
      if (anomaly) value = anomaly.kind.apply(value, strengthOf(anomaly, timestamp));

      value += model.measurementSigma * random.normal();
      value = clampTo(Math.round(value * resolution) / resolution, profile.range[0], profile.range[1]);
      return { timestamp, value, anomaly: anomaly?.kind.name ?? null };
    },
  };
}
