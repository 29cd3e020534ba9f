/**
 * Structured logs (pino, JSON lines on stdout). Every job logs through a child logger carrying its
 * queue, job id and name, so one run can be followed across retries and workers.
 */
import pino, { type Logger } from "pino";

/** The worker's root logger. */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? "worker",
    level: options.level ?? process.env.LOG_LEVEL ?? "info",
    // Signatures are consent, not secrets, but nothing in a log needs them.
    redact: { paths: ["*.signature", "data.signature"], censor: "[signature]" },
  });
}
