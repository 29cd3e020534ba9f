import { describe, expect, it } from "vitest";
import { RESTART_POLICY, decideRestart, describeExit, formatDuration } from "./restart-policy";

const decide = (crashesInARow: number, uptimeMs: number) => decideRestart({ policy: RESTART_POLICY, crashesInARow, uptimeMs });

describe("restart policy", () => {
  it("waits twice as long after each crash in a row: 1 s, 2 s, 4 s, 8 s", () => {
    expect([0, 1, 2, 3].map((n) => decide(n, 500))).toEqual([
      { kind: "restart", crashesInARow: 1, delayMs: 1_000 },
      { kind: "restart", crashesInARow: 2, delayMs: 2_000 },
      { kind: "restart", crashesInARow: 3, delayMs: 4_000 },
      { kind: "restart", crashesInARow: 4, delayMs: 8_000 },
    ]);
  });

  it("gives up at the fifth crash in a row", () => {
    expect(decide(4, 59_999)).toEqual({ kind: "give-up", crashesInARow: 5 });
  });

  it("starts a new series after a child that ran a minute (healthy) before it crashed", () => {
    expect(decide(4, 60_000)).toEqual({ kind: "restart", crashesInARow: 1, delayMs: 1_000 });
  });

  it("never waits longer than the policy's longest wait", () => {
    expect(decideRestart({ policy: { ...RESTART_POLICY, maxCrashesInARow: 100 }, crashesInARow: 20, uptimeMs: 0 })).toEqual({ kind: "restart", crashesInARow: 21, delayMs: 30_000 });
  });

  it("says how a child ended and how long things took, for the log", () => {
    expect(describeExit({ code: 1, signal: null })).toBe("code 1");
    expect(describeExit({ code: null, signal: "SIGKILL" })).toBe("signal SIGKILL");
    expect([250, 1_000, 12_345, 60_000, 192_000].map(formatDuration)).toEqual(["250 ms", "1 s", "12.3 s", "60 s", "3.2 min"]);
  });
});
