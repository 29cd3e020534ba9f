import { describe, expect, it } from "vitest";
import { Cancelled, CleanupStack } from "./cleanup-stack";
import { ConsoleLog } from "./console-log";

function stackWithLog() {
  const lines: string[] = [];
  const log = new ConsoleLog({ sink: (line) => lines.push(line), color: false });
  return { stack: new CleanupStack({ log }), lines };
}

describe("the launcher's cleanup stack", () => {
  it("undoes what was started newest first", async () => {
    const { stack } = stackWithLog();
    const order: string[] = [];
    for (const name of ["state", "redis", "chain"]) await stack.push(`stopping ${name}`, async () => order.push(name));
    await stack.unwind();
    expect(order).toEqual(["chain", "redis", "state"]);
  });

  it("runs the remaining stops when one fails, and logs the failure", async () => {
    const { stack, lines } = stackWithLog();
    const order: string[] = [];
    await stack.push("stopping redis", async () => order.push("redis"));
    await stack.push("stopping the chain", async () => {
      throw new Error("no such process");
    });
    await stack.unwind();
    expect(order).toEqual(["redis"]);
    expect(lines.some((line) => line.includes("stopping the chain failed: no such process"))).toBe(true);
  });

  it("unwinds once however often it is asked", async () => {
    const { stack } = stackWithLog();
    let stops = 0;
    await stack.push("stopping the chain", async () => void stops++);
    await Promise.all([stack.unwind(), stack.unwind()]);
    await stack.unwind();
    expect(stops).toBe(1);
  });

  it("stops at once what finishes starting after the unwind began, and cancels its phase", async () => {
    const { stack } = stackWithLog();
    await stack.unwind();
    let stopped = false;
    await expect(stack.push("stopping the chain", async () => void (stopped = true))).rejects.toBeInstanceOf(Cancelled);
    expect(stopped).toBe(true);
    expect(() => stack.checkpoint()).toThrow(Cancelled);
  });
});
