import { describe, expect, it } from "vitest";
import { ConsoleLog, formatRecord, parsePinoLine } from "./console-log";

function capture(level = "info") {
  const lines: string[] = [];
  return { lines, log: new ConsoleLog({ sink: (line) => lines.push(line), color: false, level }) };
}

describe("launcher console", () => {
  it("prefixes each line with its source in one column", () => {
    const { lines, log } = capture();
    log.reserve(["device office-humidity"]);
    log.info("chain", "started");
    log.child("worker", "plain text from a child");
    expect(lines).toEqual(["chain                  │ started", "worker                 │ plain text from a child"]);
  });

  it("turns pino JSON into level, message and fields, and hides what is below the level", () => {
    const { lines, log } = capture("info");
    log.child("worker", JSON.stringify({ level: 30, time: 1, pid: 2, hostname: "h", msg: "worker ready", queue: "recipe-runs", concurrency: 4 }));
    log.child("worker", JSON.stringify({ level: 40, msg: "retrying", err: { message: "socket hang up" } }));
    log.child("worker", JSON.stringify({ level: 20, msg: "debug detail" }));
    expect(lines).toEqual(["worker    │ worker ready queue=recipe-runs concurrency=4", "worker    │ WARN retrying err=socket hang up"]);
  });

  it("summarises request logs", () => {
    expect(formatRecord({ level: 30, msg: "request completed", req: { method: "GET", url: "/api/health" }, res: { statusCode: 200 }, responseTime: 2.4, reqId: "x" })).toBe(
      "request completed GET /api/health 200 2 ms",
    );
  });

  it("leaves lines that are not pino records alone", () => {
    expect(parsePinoLine("{not json")).toBeUndefined();
    expect(parsePinoLine('{"a":1}')).toBeUndefined();
    expect(parsePinoLine('{"level":30,"msg":"x"}')).toMatchObject({ level: 30 });
  });
});
