/**
 * STATE_DIR: what survives between two `npm start`s (the service's SQLite store with notebooks,
 * templates and run history; the deployment record; a private Redis's directory). `--fresh` wipes
 * it, but only a directory that is recognisably ours, so that `STATE_DIR=~ npm start -- --fresh`
 * cannot delete a home directory. One launcher at a time may use a state directory.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LauncherError } from "./launcher-error";

/** Marks a directory the launcher created or adopted. */
export const STATE_MARKER = ".iot-data-market-state";
const LOCK_FILE = "launcher.pid";
/** What npm start, the service and the worker put there. */
const KNOWN_ENTRY = /^(\.iot-data-market-state|deployment\.json(\.\d+\.tmp)?|workbench\.sqlite(-wal|-shm|-journal)?|redis|launcher\.pid)$/;

/** Deletes `stateDir` (see the module comment); nothing if it does not exist. */
export function wipeStateDir(options: { stateDir: string; repositoryRoot: string }): void {
  const dir = path.resolve(options.stateDir);
  if (!existsSync(dir)) return;
  const forbidden = [path.parse(dir).root, os.homedir(), path.resolve(options.repositoryRoot), process.cwd()].map((p) => path.resolve(p));
  if (forbidden.includes(dir)) throw new LauncherError(`refusing to wipe ${dir} with --fresh: STATE_DIR must be a directory of its own (default .state)`);
  const entries = readdirSync(dir);
  if (!entries.includes(STATE_MARKER)) {
    const foreign = entries.filter((entry) => !KNOWN_ENTRY.test(entry));
    if (foreign.length > 0) {
      throw new LauncherError(
        `refusing to wipe ${dir} with --fresh: it holds files npm start did not create (${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", …" : ""}); delete it yourself or choose another STATE_DIR`,
      );
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Creates `stateDir` if needed, marks it as ours and takes its lock. Throws when another launcher
 * that is still running holds it. `release()` removes the lock.
 */
export function claimStateDir(stateDir: string): { release(): void } {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(path.join(stateDir, STATE_MARKER), "State of the IoT Data Market workbench (npm start). --fresh deletes this directory.\n");
  const lock = path.join(stateDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: "wx" });
      return {
        release: () => {
          try {
            if (readFileSync(lock, "utf8").trim() === String(process.pid)) unlinkSync(lock);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(readFileSync(lock, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new LauncherError(`another npm start (pid ${holder}) is using ${stateDir}; stop it first, or give this one its own STATE_DIR`);
      }
      unlinkSync(lock); // left by a launcher that died
    }
  }
  throw new LauncherError(`cannot take the lock ${lock}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
