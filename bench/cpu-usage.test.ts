import { describe, expect, it } from "vitest";
import { cpuUsage, readCpu } from "./cpu-usage";

describe.runIf(process.platform === "linux")("readCpu", () => {
  it("reads this process's CPU time, which grows with work it does", () => {
    const before = readCpu(process.pid)!;
    const until = performance.now() + 60;
    let spin = 0;
    while (performance.now() < until) spin++;
    const after = readCpu(process.pid)!;
    expect(spin).toBeGreaterThan(0);
    expect(after.processMs!).toBeGreaterThan(before.processMs!);
    expect(after.machine.totalTicks).toBeGreaterThan(before.machine.totalTicks);
    expect(after.machine.stealTicks).toBeGreaterThanOrEqual(before.machine.stealTicks);
  });

  it("reads nothing for a process that does not exist", () => {
    expect(readCpu(2 ** 31 - 1)).toBeUndefined();
  });

  it("reads the machine alone without a process", () => {
    const reading = readCpu(undefined)!;
    expect(reading.processMs).toBeNull();
    expect(reading.machine.totalTicks).toBeGreaterThan(0);
  });
});

describe("cpuUsage", () => {
  it("divides the process's CPU time by the requests, and the stolen ticks by all ticks", () => {
    const before = { processMs: 1_000, machine: { totalTicks: 10_000, stealTicks: 100 } };
    const after = { processMs: 3_500, machine: { totalTicks: 12_000, stealTicks: 200 } };
    expect(cpuUsage(before, after, 5_000)).toEqual({ processUsPerRequest: 500, stealShare: 0.05 });
  });

  it("reports nothing per request when there were none", () => {
    const reading = { processMs: 1, machine: { totalTicks: 1, stealTicks: 0 } };
    expect(cpuUsage(reading, reading, 0)).toEqual({ processUsPerRequest: 0, stealShare: 0 });
  });

  it("has no per-request figure without a process", () => {
    const before = { processMs: null, machine: { totalTicks: 100, stealTicks: 0 } };
    const after = { processMs: null, machine: { totalTicks: 200, stealTicks: 10 } };
    expect(cpuUsage(before, after, 10)).toEqual({ processUsPerRequest: null, stealShare: 0.1 });
  });
});
