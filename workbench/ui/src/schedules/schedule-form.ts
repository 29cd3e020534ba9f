/**
 * The schedule form's logic: how often (hourly, daily or weekly at a time of day, in a time zone,
 * or every n minutes), until when, and the standing authorization the buyer signs for it. Pure.
 */
import { randomNonce } from "@iotdm/contracts-client";
import type { Repeat, StandingAuthorizationJSON } from "../api/schedules-api";
import { formatCount } from "../lib/format";

/** What the form holds. */
export interface ScheduleForm {
  cadence: "minutes" | "hourly" | "daily" | "weekly";
  /** For `minutes`: every how many minutes (at least 1). */
  everyMinutes: number;
  /** For daily and weekly: `HH:MM` in the time zone. */
  time: string;
  /** For weekly: 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** IANA time zone, e.g. `Europe/Paris`. */
  timeZone: string;
  /** Last day (inclusive), `YYYY-MM-DD`, in the time zone's calendar (approximated as UTC end of day). */
  until: string;
}

/** Seconds between two reports, at least (the contract's `cadence`). */
export function cadenceSeconds(form: ScheduleForm): number {
  switch (form.cadence) {
    case "minutes":
      return Math.max(1, Math.floor(form.everyMinutes)) * 60;
    case "hourly":
      return 3_600;
    case "daily":
      return 86_400;
    case "weekly":
      return 7 * 86_400;
  }
}

/** The BullMQ repeat option: an interval, or a cron pattern in the time zone. */
export function repeatOf(form: ScheduleForm): Repeat {
  const [hour = 0, minute = 0] = form.time.split(":").map(Number);
  switch (form.cadence) {
    case "minutes":
      return { every: cadenceSeconds(form) * 1_000 };
    case "hourly":
      return { pattern: `${minute} * * * *`, tz: form.timeZone };
    case "daily":
      return { pattern: `${minute} ${hour} * * *`, tz: form.timeZone };
    case "weekly":
      return { pattern: `${minute} ${hour} * * ${form.weekday}`, tz: form.timeZone };
  }
}

/** Unix seconds at the end of the `until` day (23:59:59 UTC), or undefined when it is not a date. */
export function expiryOf(form: ScheduleForm): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(form.until);
  if (!m) return undefined;
  const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59);
  return Number.isNaN(at) ? undefined : Math.floor(at / 1000);
}

/** How many reports fit before expiry, at most one per cadence (at least 1). */
export function maxRunsOf(form: ScheduleForm, nowSeconds: number): number {
  const expiry = expiryOf(form);
  if (expiry === undefined || expiry <= nowSeconds) return 0;
  return Math.max(1, Math.floor((expiry - nowSeconds) / cadenceSeconds(form)) + 1);
}

/** What is wrong with the form, in words; undefined when it can be submitted. */
export function validate(form: ScheduleForm, nowSeconds: number): string | undefined {
  if (form.cadence === "minutes" && (!Number.isFinite(form.everyMinutes) || form.everyMinutes < 1)) return "Run at least one minute apart.";
  if ((form.cadence === "daily" || form.cadence === "weekly") && !/^([01]\d|2[0-3]):[0-5]\d$/.test(form.time)) return "Give a time of day such as 08:00.";
  const expiry = expiryOf(form);
  if (expiry === undefined) return "Choose the last day of the schedule.";
  if (expiry <= nowSeconds) return "The last day must be in the future.";
  return undefined;
}

/** A sentence for the schedule: "Every day at 08:00 (Europe/Paris) until 31 Dec 2026". */
export function describeSchedule(form: Pick<ScheduleForm, "cadence" | "everyMinutes" | "time" | "weekday" | "timeZone">, until?: string): string {
  const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const when = {
    minutes: `Every ${formatCount(form.everyMinutes)} minute${form.everyMinutes === 1 ? "" : "s"}`,
    hourly: `Every hour at :${form.time.split(":")[1] ?? "00"}`,
    daily: `Every day at ${form.time}`,
    weekly: `Every ${days[form.weekday]} at ${form.time}`,
  }[form.cadence];
  const zone = form.cadence === "minutes" ? "" : ` (${form.timeZone})`;
  return `${when}${zone}${until ? ` until ${until}` : ""}`;
}

/**
 * The time zones the form offers: every zone the browser knows, with UTC and the browser's own zone
 * always among them (Chromium's `Intl.supportedValuesOf("timeZone")` leaves out "UTC", and an older
 * browser may know none), sorted, each once.
 */
export function timeZoneChoices(options: { supported: readonly string[] | undefined; local: string | undefined }): string[] {
  const zones = new Set(options.supported ?? []);
  zones.add("UTC");
  if (options.local) zones.add(options.local);
  return [...zones].sort((a, b) => (a === "UTC" ? -1 : b === "UTC" ? 1 : a.localeCompare(b)));
}

/** Cadences shorter than this get a warning: each report is a run of its own, with its transactions. */
export const FREQUENT_CADENCE_SECONDS = 3_600;

/**
 * A warning for a very frequent cadence (under an hour), in words: how many reports it may make
 * and what each costs; undefined for hourly and slower schedules.
 */
export function frequencyWarning(form: ScheduleForm, nowSeconds: number, dataset?: { k: number }): string | undefined {
  const cadence = cadenceSeconds(form);
  if (cadence >= FREQUENT_CADENCE_SECONDS) return undefined;
  const runs = maxRunsOf(form, nowSeconds);
  const skip = dataset ? ` A report needs ${formatCount(dataset.k)} new readings (a whole bucket); with fewer it is skipped.` : "";
  return `${describeSchedule(form)} is very frequent: up to ${formatCount(runs)} reports, each a run of its own with its transactions and gas.${skip} Every hour or every day is usually enough.`;
}

/**
 * Where the first report starts: the bucket of k readings being filled now (the readings appended
 * so far rounded down to whole buckets). Reports cover the readings from now on, not the history
 * (windows must start on a bucket, so the few readings already in the current bucket come with it).
 */
export function firstReportStart(dataset: { readingCount: number; k: number }): number {
  return Math.floor(dataset.readingCount / dataset.k) * dataset.k;
}

/** The standing authorization to sign (uint fields as decimal strings). */
export function standingAuthorization(options: {
  buyer: string;
  datasetId: string;
  programHash: string;
  /** The first reading the reports cover (see {@link firstReportStart}). */
  fromIndex: number;
  form: ScheduleForm;
  nowSeconds: number;
  nonce?: bigint;
  /** The most each report may take from the buyer's market balance: the plan's quote (`quote.totalWei`, wei). */
  maxPaymentPerRun: string;
}): StandingAuthorizationJSON {
  return {
    buyer: options.buyer,
    datasetId: options.datasetId,
    programHash: options.programHash,
    fromIndex: String(options.fromIndex),
    cadence: String(cadenceSeconds(options.form)),
    expiry: String(expiryOf(options.form) ?? 0),
    maxRuns: maxRunsOf(options.form, options.nowSeconds),
    nonce: String(options.nonce ?? randomNonce()),
    maxPaymentPerRun: options.maxPaymentPerRun,
  };
}

/** A schedule's repeat in words: "Every day at 08:30 (Europe/Paris)", "Every 15 minutes", or the cron pattern. */
export function describeRepeat(repeat: Repeat): string {
  if ("every" in repeat) {
    const minutes = Math.round(repeat.every / 60_000);
    return minutes % 60 === 0 && minutes >= 60 ? `Every ${formatCount(minutes / 60)} hour${minutes === 60 ? "" : "s"}` : `Every ${formatCount(minutes)} minute${minutes === 1 ? "" : "s"}`;
  }
  const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const m = /^(\d{1,2}) (\*|\d{1,2}) \* \* (\*|[0-6])$/.exec(repeat.pattern.trim());
  const pad = (n: string) => n.padStart(2, "0");
  if (!m) return `Cron “${repeat.pattern}” (${repeat.tz})`;
  const [, minute, hour, weekday] = m as unknown as [string, string, string, string];
  if (hour === "*") return weekday === "*" ? `Every hour at :${pad(minute)} (${repeat.tz})` : `Cron “${repeat.pattern}” (${repeat.tz})`;
  const time = `${pad(hour)}:${pad(minute)}`;
  return weekday === "*" ? `Every day at ${time} (${repeat.tz})` : `Every ${days[Number(weekday)]} at ${time} (${repeat.tz})`;
}
