import { describe, expect, it } from "vitest";
import {
  cadenceSeconds,
  describeRepeat,
  describeSchedule,
  firstReportStart,
  frequencyWarning,
  maxRunsOf,
  repeatOf,
  standingAuthorization,
  timeZoneChoices,
  validate,
  type ScheduleForm,
} from "./schedule-form";

const NOW = Date.UTC(2030, 0, 1, 12) / 1000;
const form = (change: Partial<ScheduleForm> = {}): ScheduleForm => ({
  cadence: "daily",
  everyMinutes: 15,
  time: "08:30",
  weekday: 1,
  timeZone: "Europe/Paris",
  until: "2030-01-10",
  ...change,
});

describe("schedule form", () => {
  it.each<[Partial<ScheduleForm>, object, number]>([
    [{ cadence: "minutes", everyMinutes: 15 }, { every: 900_000 }, 900],
    [{ cadence: "hourly" }, { pattern: "30 * * * *", tz: "Europe/Paris" }, 3_600],
    [{ cadence: "daily" }, { pattern: "30 8 * * *", tz: "Europe/Paris" }, 86_400],
    [{ cadence: "weekly", weekday: 5 }, { pattern: "30 8 * * 5", tz: "Europe/Paris" }, 604_800],
  ])("%j repeats as %j with a cadence of %i s", (change, repeat, cadence) => {
    expect(repeatOf(form(change))).toEqual(repeat);
    expect(cadenceSeconds(form(change))).toBe(cadence);
  });

  it("counts the reports that fit before the last day", () => {
    // 1 Jan 12:00 → 10 Jan 23:59:59 is 9.5 days: 10 daily reports.
    expect(maxRunsOf(form(), NOW)).toBe(10);
    expect(maxRunsOf(form({ until: "2029-12-31" }), NOW)).toBe(0);
  });

  it("explains what is missing", () => {
    expect(validate(form(), NOW)).toBeUndefined();
    expect(validate(form({ until: "" }), NOW)).toBe("Choose the last day of the schedule.");
    expect(validate(form({ until: "2029-12-01" }), NOW)).toBe("The last day must be in the future.");
    expect(validate(form({ time: "25:00" }), NOW)).toBe("Give a time of day such as 08:00.");
  });

  it("describes the schedule and builds the authorization to sign", () => {
    expect(describeSchedule(form({ cadence: "weekly", weekday: 1 }), "10 Jan 2030")).toBe("Every Monday at 08:30 (Europe/Paris) until 10 Jan 2030");
    expect(standingAuthorization({ buyer: "0xb", datasetId: "3", programHash: "0xh", fromIndex: 96, form: form(), nowSeconds: NOW, nonce: 7n, maxPaymentPerRun: "2100000000000000" })).toEqual({
      buyer: "0xb",
      datasetId: "3",
      programHash: "0xh",
      fromIndex: "96",
      cadence: "86400",
      expiry: String(Date.UTC(2030, 0, 10, 23, 59, 59) / 1000),
      maxRuns: 10,
      nonce: "7",
      maxPaymentPerRun: "2100000000000000",
    });
  });
});

describe("time zones", () => {
  it("always offers UTC, which Chromium's list of zones leaves out, first", () => {
    expect(timeZoneChoices({ supported: ["Europe/Paris", "America/New_York"], local: "Europe/Paris" })).toEqual(["UTC", "America/New_York", "Europe/Paris"]);
  });

  it("offers the browser's own zone even when the list lacks it, and UTC when there is no list", () => {
    expect(timeZoneChoices({ supported: ["Europe/Paris"], local: "Etc/GMT+1" })).toEqual(["UTC", "Etc/GMT+1", "Europe/Paris"]);
    expect(timeZoneChoices({ supported: undefined, local: undefined })).toEqual(["UTC"]);
    expect(timeZoneChoices({ supported: ["UTC"], local: "UTC" })).toEqual(["UTC"]);
  });
});

describe("frequent cadences", () => {
  it("warns under an hour, with the number of reports in digits grouped by thousands", () => {
    // 1 Jan 12:00 → 10 Jan 23:59:59 every 5 minutes: 2,736 reports.
    expect(frequencyWarning(form({ cadence: "minutes", everyMinutes: 5 }), NOW, { k: 12 })).toBe(
      "Every 5 minutes is very frequent: up to 2,736 reports, each a run of its own with its transactions and gas. A report needs 12 new readings (a whole bucket); with fewer it is skipped. Every hour or every day is usually enough.",
    );
  });

  it("says nothing from hourly on", () => {
    expect(frequencyWarning(form({ cadence: "hourly" }), NOW)).toBeUndefined();
    expect(frequencyWarning(form({ cadence: "minutes", everyMinutes: 60 }), NOW)).toBeUndefined();
  });

  it("writes long intervals with separators", () => {
    expect(describeSchedule(form({ cadence: "minutes", everyMinutes: 1500 }))).toBe("Every 1,500 minutes");
    expect(describeRepeat({ every: 1500 * 60_000 })).toBe("Every 25 hours");
    expect(describeRepeat({ every: 1234 * 60_000 })).toBe("Every 1,234 minutes");
  });
});

describe("first report", () => {
  it("starts at the bucket being filled now: the readings from now on", () => {
    expect(firstReportStart({ readingCount: 2592, k: 12 })).toBe(2592);
    expect(firstReportStart({ readingCount: 2597, k: 12 })).toBe(2592);
    expect(firstReportStart({ readingCount: 5, k: 12 })).toBe(0);
  });
});

describe("schedule display", () => {
  it.each([
    [{ every: 900_000 }, "Every 15 minutes"],
    [{ every: 7_200_000 }, "Every 2 hours"],
    [{ pattern: "30 8 * * *", tz: "UTC" }, "Every day at 08:30 (UTC)"],
    [{ pattern: "5 * * * *", tz: "UTC" }, "Every hour at :05 (UTC)"],
    [{ pattern: "0 7 * * 1", tz: "Europe/Paris" }, "Every Monday at 07:00 (Europe/Paris)"],
    [{ pattern: "0 7 1 * *", tz: "UTC" }, "Cron “0 7 1 * *” (UTC)"],
  ])("describes %j as %s", (repeat, text) => {
    expect(describeRepeat(repeat)).toBe(text);
  });
});
