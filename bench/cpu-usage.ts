import fs from "node:fs";

/** CPU time a process and the whole machine had, read from Linux's /proc at one moment. */
export interface CpuReading {
  /** User + system CPU time of the process, ms; null without a process to read. */
  processMs: number | null;
  /** Clock ticks of all CPUs, in total and stolen by the hypervisor for other guests. */
  machine: { totalTicks: number; stealTicks: number };
}

/** What a process used between two readings. */
export interface CpuUsage {
  /** The process's CPU time per request, µs: what one request costs the server, whatever the rate; null without a process. */
  processUsPerRequest: number | null;
  /** Share of the machine's CPU time the hypervisor gave to other guests meanwhile (0–1). */
  stealShare: number;
}

/** Linux reports process times in clock ticks of USER_HZ, which is 100 on every architecture Node runs on. */
const USER_HZ = 100;

/**
 * Reads the machine's tick counters and, given a `pid`, that process's CPU time; undefined where /proc
 * cannot be read (not Linux, or the process is gone).
 */
export function readCpu(pid: number | undefined): CpuReading | undefined {
  try {
    let processMs: number | null = null;
    if (pid !== undefined) {
      // Fields after the parenthesised command name (which may itself hold spaces): utime and stime are the 12th and 13th.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      processMs = ((Number(fields[11]) + Number(fields[12])) / USER_HZ) * 1000;
      if (!Number.isFinite(processMs)) return undefined;
    }
    // The first line of /proc/stat: "cpu  user nice system idle iowait irq softirq steal guest guest_nice".
    const ticks = fs.readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    if (ticks.length < 8 || ticks.some((t) => !Number.isFinite(t))) return undefined;
    return { processMs, machine: { totalTicks: ticks.reduce((a, b) => a + b, 0), stealTicks: ticks[7]! } };
  } catch {
    return undefined;
  }
}

/** The usage between `before` and `after` over `requests` requests. */
export function cpuUsage(before: CpuReading, after: CpuReading, requests: number): CpuUsage {
  const ticks = after.machine.totalTicks - before.machine.totalTicks;
  const processMs = before.processMs === null || after.processMs === null ? null : after.processMs - before.processMs;
  return {
    processUsPerRequest: processMs === null ? null : requests > 0 ? Math.round((processMs * 1000) / requests) : 0,
    stealShare: ticks > 0 ? (after.machine.stealTicks - before.machine.stealTicks) / ticks : 0,
  };
}
