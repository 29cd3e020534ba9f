import { describe, expect, it } from "vitest";
import { boundOf } from "./workers";

const point = (workers: number, chainCoreShare: number, machineBusyShare: number | null, runsPerMinute = 100 * workers) => ({
  workers,
  runsPerMinute,
  chainCoreShare,
  workersCoreShare: 0.5,
  benchCoreShare: 0.05,
  machineBusyShare,
});

describe("what bounds the runs per minute of several worker processes", () => {
  it("names the chain node when its one process uses nearly a whole core", () => {
    expect(boundOf([point(1, 0.5, 0.6), point(3, 0.93, 0.8)], 2)).toBe(
      "the chain node (one process, so one core at most) went from 50 % of a core with 1 worker to 93 % with 3; going from 1 to 3 workers added 200 % to the rate: the chain node is the bound, whatever more workers add",
    );
  });

  it("names the machine's CPU when the cores are busy before the chain node is, with who used them", () => {
    expect(boundOf([point(1, 0.4, 0.7), point(3, 0.6, 0.95)], 2)).toBe(
      "the machine's 2 cores were 95 % busy, so its CPU bounds the rate before the chain node does (the chain node (one process, so one core at most) went from 40 % of a core with 1 worker to 60 % with 3; in cores: workers 0.5, this benchmark 0.05, other processes 0.75)",
    );
  });

  it("names the chain node when it nears its core and the last worker added little to the rate", () => {
    expect(boundOf([point(1, 0.52, 0.45, 284.5), point(2, 0.71, 0.66, 381.2), point(3, 0.84, 0.71, 400.3)], 2)).toBe(
      "the chain node (one process, so one core at most) went from 52 % of a core with 1 worker to 84 % with 3; going from 2 to 3 workers added 5 % to the rate: the chain node is the bound, whatever more workers add",
    );
  });

  it("says nothing is saturated yet, and that the chain node's core is the next bound", () => {
    expect(boundOf([point(1, 0.46, 0.8), point(3, 0.83, 0.73)], 2)).toMatch(/went from 46 % of a core with 1 worker to 83 % with 3, the machine 73 % busy: not saturated yet.*the chain node's core is the next bound$/);
  });
});
