import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { launchRecordPath, PhaseClock, readLaunchRecord, removeLaunchRecord, writeLaunchRecord, type LaunchRecord } from "./launch-record";

const record: LaunchRecord = {
  version: 1,
  pid: 4242,
  url: "http://127.0.0.1:8787",
  startedAt: "2026-12-03T14:00:00.000Z",
  readyAt: "2026-12-03T14:00:50.000Z",
  phases: [{ phase: "chain", seconds: 3.2 }],
  seed: { historyHours: 72, readings: 3888, durationMs: 35_000, seededAt: "2026-12-03T14:00:40.000Z" },
};

describe("the launch record (npm start's readiness as a file)", () => {
  const dirs: string[] = [];
  const stateDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "launch-record-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("is absent until the launch is ready, then reads back as written, and is gone after the stop", () => {
    const dir = stateDir();
    expect(readLaunchRecord(dir)).toBeUndefined();
    writeLaunchRecord(dir, record);
    expect(readLaunchRecord(dir)).toEqual(record);
    removeLaunchRecord(dir);
    expect(readLaunchRecord(dir)).toBeUndefined();
    expect(() => removeLaunchRecord(dir)).not.toThrow();
  });

  it("refuses a file that is not a launch record, naming it", () => {
    const dir = stateDir();
    writeFileSync(launchRecordPath(dir), JSON.stringify({ ...record, version: 2 }));
    expect(() => readLaunchRecord(dir)).toThrow(launchRecordPath(dir));
  });

  it("notes each phase that ran, in order, and none that failed", async () => {
    const clock = new PhaseClock();
    expect(await clock.time("first", async () => "value")).toBe("value");
    await clock.time("second", () => new Promise((resolve) => setTimeout(resolve, 20)));
    await expect(clock.time("broken", async () => Promise.reject(new Error("no")))).rejects.toThrow("no");
    expect(clock.phases.map((p) => p.phase)).toEqual(["first", "second"]);
    expect(clock.phases[1]!.seconds).toBeGreaterThanOrEqual(0.015);
  });
});
