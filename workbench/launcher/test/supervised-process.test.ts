/**
 * The supervisor with real child processes (`node -e …`): a child killed with SIGKILL comes back
 * as a new process and the log says how it ended; a child that exits at once every time is given
 * up on after the policy's crashes in a row, with a sentence saying so; stop() during the wait
 * for a restart cancels it.
 */
import { describe, expect, it } from "vitest";
import { ManagedProcess } from "../child-process";
import { ConsoleLog } from "../console-log";
import type { RestartPolicy } from "../restart-policy";
import { SupervisedProcess } from "../supervised-process";

/** Quick restarts, so that the test does not wait npm start's seconds. */
const QUICK: RestartPolicy = { firstDelayMs: 20, maxDelayMs: 100, healthyAfterMs: 60_000, maxCrashesInARow: 3 };

function harness(script: string, policy: RestartPolicy = QUICK) {
  const lines: string[] = [];
  const log = new ConsoleLog({ sink: (line) => lines.push(line), color: false });
  let gaveUp: (reason: string) => void;
  const givenUp = new Promise<string>((resolve) => (gaveUp = resolve));
  const supervised = new SupervisedProcess({
    name: "sleeper",
    start: () => new ManagedProcess({ name: "sleeper", command: process.execPath, args: ["-e", script], env: process.env, cwd: process.cwd(), log }),
    log,
    policy,
    onGiveUp: (reason) => gaveUp(reason),
  });
  return { supervised, lines, givenUp };
}

/** Resolves once `condition` holds (checked every 10 ms; the test's timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("SupervisedProcess", () => {
  it("starts a child killed with SIGKILL again, as a new process, and logs how it ended", async () => {
    const { supervised, lines } = harness("console.log('up'); setInterval(() => {}, 1000)");
    try {
      const first = supervised.current;
      await first.waitForLine((line) => line === "up");
      process.kill(first.pid!, "SIGKILL");
      await until(() => supervised.current !== first);
      await supervised.current.waitForLine((line) => line === "up");
      expect(supervised.current.pid).not.toBe(first.pid);
      expect(supervised.restarts).toBe(1);
      expect(lines.join("\n")).toMatch(/the sleeper exited on its own \(signal SIGKILL\) after [\d.]+ m?s; restarting it in 20 ms \(crash 1 in a row; npm start stops at 3\)/);
      expect(lines.join("\n")).toContain(`started the sleeper (pid ${supervised.current.pid})`);
    } finally {
      await supervised.stop(2_000);
    }
    expect(supervised.current.hasExited).toBe(true);
  });

  it("gives up on a child that exits at once every time, saying why", async () => {
    const { supervised, lines, givenUp } = harness("console.error('bad configuration'); process.exit(3)");
    const reason = await givenUp;
    expect(reason).toBe("the sleeper keeps crashing: it exited 3 times in a row, each within 60 s of starting (last: code 3); giving up");
    expect(supervised.gaveUp).toBe(reason);
    expect(supervised.restarts).toBe(2);
    expect(lines.filter((line) => line.includes("restarting it in"))).toHaveLength(2);
    // Each start printed its complaint (a child's last lines may reach the log after its exit).
    await until(() => lines.filter((line) => line.includes("bad configuration")).length === 3);
    expect(supervised.restartPending).toBe(false);
  });

  it("stop() while a restart is pending cancels it", async () => {
    const { supervised, lines } = harness("process.exit(1)", { ...QUICK, firstDelayMs: 60_000 });
    await until(() => supervised.restartPending);
    await supervised.stop(2_000);
    expect(supervised.restartPending).toBe(false);
    expect(supervised.restarts).toBe(0);
    expect(lines.filter((line) => line.includes("started the sleeper"))).toHaveLength(1);
  });
});
