/**
 * One console for everything `npm start` runs: each line is prefixed with its source
 * (`launcher`, `chain`, `redis`, `worker`, `workbench`, `device greenhouse`, …), colored on a
 * terminal, and pino's JSON lines from the worker and the service are turned into
 * `LEVEL message key=value` text, so that the interleaved output stays readable.
 */

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const LEVEL_NUMBERS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 };
/** pino's bookkeeping fields, not worth a column. */
const QUIET_KEYS = new Set(["level", "time", "pid", "hostname", "msg", "v", "name"]);
const PALETTE = [36, 35, 33, 32, 34, 96, 95, 93];

/** Where lines go (stdout by default; tests collect them). */
export type LineSink = (line: string) => void;

/** The launcher's console. */
export class ConsoleLog {
  readonly #sink: LineSink;
  readonly #color: boolean;
  readonly #minLevel: number;
  readonly #colors = new Map<string, number>();
  #width = 9;

  constructor(options: { sink?: LineSink; color?: boolean; level?: string } = {}) {
    this.#sink = options.sink ?? ((line) => process.stdout.write(`${line}\n`));
    this.#color = options.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
    this.#minLevel = LEVEL_NUMBERS[options.level ?? "info"] ?? 30;
  }

  info(source: string, message: string): void {
    this.#write(source, 30, message);
  }

  warn(source: string, message: string): void {
    this.#write(source, 40, message);
  }

  error(source: string, message: string): void {
    this.#write(source, 50, message);
  }

  /** A line a child process printed: pino JSON is formatted, anything else passed through. */
  child(source: string, line: string): void {
    if (line.trim() === "") return;
    const record = parsePinoLine(line);
    if (!record) return this.#write(source, 30, line, { plain: true });
    this.#write(source, record.level, formatRecord(record.fields));
  }

  /** Makes room for these sources' names now, so that the columns do not shift later. */
  reserve(sources: readonly string[]): void {
    for (const source of sources) this.#width = Math.max(this.#width, Math.min(source.length, 24));
  }

  /** Text printed as is, without a prefix (the ready banner). */
  raw(text: string): void {
    for (const line of text.split("\n")) this.#sink(line);
  }

  /** Bold, when colors are on. */
  bold(text: string): string {
    return this.#color ? `\x1b[1m${text}\x1b[22m` : text;
  }

  #write(source: string, level: number, message: string, options: { plain?: boolean } = {}): void {
    if (level < this.#minLevel) return;
    this.reserve([source]);
    const prefix = source.length > this.#width ? `${source.slice(0, this.#width - 1)}…` : source.padEnd(this.#width);
    const label = options.plain || level === 30 ? "" : `${LEVELS[level] ?? "INFO"} `;
    for (const [i, text] of message.split("\n").entries()) {
      const head = i === 0 ? `${label}${text}` : `  ${text}`;
      this.#sink(this.#color ? `\x1b[${this.#colorOf(source)}m${prefix}\x1b[0m │ ${this.#tint(level, head)}` : `${prefix} │ ${head}`);
    }
  }

  #colorOf(source: string): number {
    let color = this.#colors.get(source);
    if (color === undefined) {
      color = PALETTE[this.#colors.size % PALETTE.length]!;
      this.#colors.set(source, color);
    }
    return color;
  }

  #tint(level: number, text: string): string {
    if (level >= 50) return `\x1b[31m${text}\x1b[0m`;
    if (level >= 40) return `\x1b[33m${text}\x1b[0m`;
    if (level <= 20) return `\x1b[2m${text}\x1b[0m`;
    return text;
  }
}

/** A pino JSON line's level and fields, or undefined for any other line. */
export function parsePinoLine(line: string): { level: number; fields: Record<string, unknown> } | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const fields = JSON.parse(line) as Record<string, unknown>;
    if (typeof fields.level !== "number" || !("msg" in fields || "err" in fields)) return undefined;
    return { level: fields.level, fields };
  } catch {
    return undefined;
  }
}

/** `message key=value …` for a pino record; request logs read `GET /api/health 200 3 ms`. */
export function formatRecord(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof fields.msg === "string") parts.push(fields.msg);
  const req = fields.req as { method?: string; url?: string } | undefined;
  const res = fields.res as { statusCode?: number } | undefined;
  if (req?.method) parts.push(`${req.method} ${req.url ?? ""}`);
  if (res?.statusCode) parts.push(String(res.statusCode));
  if (typeof fields.responseTime === "number") parts.push(`${fields.responseTime.toFixed(0)} ms`);
  for (const [key, value] of Object.entries(fields)) {
    if (QUIET_KEYS.has(key) || key === "req" || key === "res" || key === "responseTime" || key === "reqId") continue;
    if (key === "err" && value && typeof value === "object") {
      const err = value as { message?: string; stack?: string; type?: string };
      parts.push(`err=${err.message ?? err.type ?? JSON.stringify(err)}`);
      if (err.stack && (fields.level as number) >= 50) parts.push(`\n${err.stack.split("\n").slice(1, 6).join("\n")}`);
      continue;
    }
    const text = typeof value === "string" ? value : JSON.stringify(value);
    parts.push(`${key}=${text && text.length > 160 ? `${text.slice(0, 157)}…` : text}`);
  }
  return parts.join(" ").replace(/ \n/g, "\n");
}
