import { describe, expect, it } from "vitest";
import { SENSOR_KINDS, SENSOR_PROFILES, createSignal, sensorKindOf, type Sample, type SensorKind } from "./signals";

const DAY = 86_400;
/** Midnight UTC, a Monday (2026-09-21). */
const MONDAY = 1_790_035_200;

function sample(kind: SensorKind, options: { days: number; every: number; seed?: string; anomaliesPerDay?: number }): Sample[] {
  const signal = createSignal({ kind, seed: options.seed ?? "test", utcOffsetHours: 0, anomaliesPerDay: options.anomaliesPerDay });
  const samples: Sample[] = [];
  for (let t = MONDAY; t < MONDAY + options.days * DAY; t += options.every) samples.push(signal.next(t));
  return samples;
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
/** Samples (without anomalies) whose local hour is in [from, to). */
const hours = (samples: Sample[], from: number, to: number, filter: (s: Sample) => boolean = () => true) =>
  samples.filter((s) => {
    const hour = ((s.timestamp % DAY) + DAY) % DAY / 3600;
    return hour >= from && hour < to && s.anomaly === null && filter(s);
  }).map((s) => s.value);
const weekday = (s: Sample) => Math.floor((s.timestamp - MONDAY) / DAY) % 7 < 5;

describe("sensor signals", () => {
  it.each(SENSOR_KINDS)("%s: the same seed and timestamps give the same samples", (kind) => {
    expect(sample(kind, { days: 3, every: 300 })).toEqual(sample(kind, { days: 3, every: 300 }));
  });

  it.each(SENSOR_KINDS)("%s: another seed gives another signal", (kind) => {
    const a = sample(kind, { days: 1, every: 600, seed: "a" }).map((s) => s.value);
    const b = sample(kind, { days: 1, every: 600, seed: "b" }).map((s) => s.value);
    expect(a).not.toEqual(b);
  });

  it.each(SENSOR_KINDS)("%s: values stay in the sensor's range at its resolution", (kind) => {
    const { range, scale } = SENSOR_PROFILES[kind];
    for (const { value } of sample(kind, { days: 20, every: 600, anomaliesPerDay: 3 })) {
      expect(value).toBeGreaterThanOrEqual(range[0]);
      expect(value).toBeLessThanOrEqual(range[1]);
      expect(Math.abs(value * 10 ** scale - Math.round(value * 10 ** scale))).toBeLessThan(1e-6);
    }
  });

  it("greenhouse temperature: warm early afternoons, heated nights around 17 °C", () => {
    const samples = sample("temperature", { days: 14, every: 300 });
    const afternoon = mean(hours(samples, 12, 15));
    const night = mean(hours(samples, 1, 5));
    expect(night).toBeGreaterThan(14);
    expect(night).toBeLessThan(20);
    expect(afternoon - night).toBeGreaterThan(4);
  });

  it("office humidity: higher during weekday office hours than at night", () => {
    const samples = sample("humidity", { days: 14, every: 300 });
    const office = mean(hours(samples, 10, 12, weekday));
    const night = mean(hours(samples, 1, 5));
    expect(office - night).toBeGreaterThan(3);
    expect(night).toBeGreaterThan(30);
    expect(night).toBeLessThan(55);
  });

  it("power meter: evening peak above the night's standby, appliance bursts above 2 kW", () => {
    const samples = sample("power", { days: 14, every: 60, anomaliesPerDay: 0 });
    const evening = median(hours(samples, 19, 21));
    const night = median(hours(samples, 2, 5));
    expect(night).toBeGreaterThan(100);
    expect(night).toBeLessThan(400);
    expect(evening - night).toBeGreaterThan(600);
    expect(samples.some((s) => s.value > 2000)).toBe(true);
  });

  it("PM2.5: weekday rush hours are dirtier than the early afternoon", () => {
    const samples = sample("pm25", { days: 14, every: 300, anomaliesPerDay: 0 });
    const rush = median(hours(samples, 7.5, 8.5, weekday));
    const afternoon = median(hours(samples, 13, 15, weekday));
    expect(rush / afternoon).toBeGreaterThan(1.5);
    expect(afternoon).toBeGreaterThan(3);
    expect(afternoon).toBeLessThan(25);
  });

  it.each(SENSOR_KINDS)("%s: anomalies occur at about the configured rate, and not at all at rate 0", (kind) => {
    const episodes = (samples: Sample[]) => samples.filter((s, i) => s.anomaly !== null && s.anomaly !== samples[i - 1]?.anomaly).length;
    // 60 days at one per day: a Poisson count of mean 60 minus the starts lost while one lasts.
    const count = episodes(sample(kind, { days: 60, every: 120, anomaliesPerDay: 1 }));
    expect(count).toBeGreaterThan(30);
    expect(count).toBeLessThan(90);
    expect(episodes(sample(kind, { days: 30, every: 300, anomaliesPerDay: 0 }))).toBe(0);
  });

  it("anomalies move the reading: a stuck vent warms the greenhouse", () => {
    const samples = sample("temperature", { days: 60, every: 300, anomaliesPerDay: 2 });
    const vent = samples.filter((s) => s.anomaly === "vent stuck closed").map((s) => s.value);
    expect(vent.length).toBeGreaterThan(10);
    expect(Math.max(...vent)).toBeGreaterThan(Math.max(...hours(samples, 0, 24)) - 10);
  });

  it("noise is correlated in time: 10-second neighbours differ little", () => {
    const samples = sample("temperature", { days: 1, every: 10, anomaliesPerDay: 0 });
    const steps = samples.slice(1).map((s, i) => Math.abs(s.value - samples[i]!.value));
    expect(mean(steps)).toBeLessThan(0.2);
  });

  it("rejects timestamps that go backwards", () => {
    const signal = createSignal({ kind: "humidity", seed: 1 });
    signal.next(1000);
    expect(() => signal.next(999)).toThrow(RangeError);
    expect(signal.next(1000).timestamp).toBe(1000);
  });

  it("finds the kind of a dataset by its field", () => {
    expect(sensorKindOf("temperature")).toBe("temperature");
    expect(sensorKindOf(" PM25 ")).toBe("pm25");
    expect(sensorKindOf("power")).toBe("power");
    expect(sensorKindOf("co2")).toBeUndefined();
  });
});
