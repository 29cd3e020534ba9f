/**
 * `<STATE_DIR>/launch.json`: written when `npm start` is ready and removed when it stops — the
 * launcher's readiness as a file a script can wait for and read (instead of the banner, which is
 * for people), with how long each start phase took and, when this launch seeded the chain, what the
 * seed took. `npm run bench:start` reads it.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const LaunchRecordSchema = z.object({
  version: z.literal(1),
  /** The launcher's process. */
  pid: z.number().int().positive(),
  /** The workbench's URL (the banner's). */
  url: z.string(),
  /** When the launcher's process started (ISO), and when it was ready. */
  startedAt: z.string(),
  readyAt: z.string(),
  /** Each start phase in order, with its wall-clock seconds. */
  phases: z.array(z.object({ phase: z.string(), seconds: z.number().nonnegative() })),
  /** The demo seed of the deployment in use (the deployment record's), when there is one. */
  seed: z.object({ historyHours: z.number(), readings: z.number().int(), durationMs: z.number().int(), seededAt: z.string() }).optional(),
});

/** What `launch.json` holds. */
export type LaunchRecord = z.infer<typeof LaunchRecordSchema>;

/** The file's path under `stateDir`. */
export function launchRecordPath(stateDir: string): string {
  return path.join(stateDir, "launch.json");
}

/** Writes the record whole (a reader never sees half of it). */
export function writeLaunchRecord(stateDir: string, record: LaunchRecord): void {
  const file = launchRecordPath(stateDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The record of a launch that is ready; undefined while there is none. A malformed file throws, naming it. */
export function readLaunchRecord(stateDir: string): LaunchRecord | undefined {
  let text: string;
  try {
    text = readFileSync(launchRecordPath(stateDir), "utf8");
  } catch {
    return undefined;
  }
  const parsed = LaunchRecordSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${launchRecordPath(stateDir)} is not a launch record: ${parsed.error.message}`);
  return parsed.data;
}

/** Removes the record (at the start of a stop: the launch is no longer ready). */
export function removeLaunchRecord(stateDir: string): void {
  rmSync(launchRecordPath(stateDir), { force: true });
}

/** The start phases' durations, in the order they ran. */
export class PhaseClock {
  readonly phases: { phase: string; seconds: number }[] = [];

  /** Runs `run` as the phase `phase`, noting its duration when it succeeds. */
  async time<T>(phase: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await run();
    this.phases.push({ phase, seconds: Math.round(performance.now() - started) / 1000 });
    return result;
  }
}
