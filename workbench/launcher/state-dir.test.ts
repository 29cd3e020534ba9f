import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LauncherError } from "./launcher-error";
import { STATE_MARKER, claimStateDir, wipeStateDir } from "./state-dir";

const made: string[] = [];
const temporary = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "state-dir-test-"));
  made.push(dir);
  return dir;
};
const repositoryRoot = "/nonexistent-repo";

describe("state directory", () => {
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it("wipes a directory it marked, whatever it holds", () => {
    const dir = temporary();
    claimStateDir(dir).release();
    writeFileSync(path.join(dir, "anything.txt"), "x");
    wipeStateDir({ stateDir: dir, repositoryRoot });
    expect(existsSync(dir)).toBe(false);
  });

  it("wipes an unmarked directory that holds only what npm start and the service write", () => {
    const dir = temporary();
    writeFileSync(path.join(dir, "workbench.sqlite"), "");
    writeFileSync(path.join(dir, "workbench.sqlite-wal"), "");
    writeFileSync(path.join(dir, "deployment.json"), "{}");
    mkdirSync(path.join(dir, "redis"));
    wipeStateDir({ stateDir: dir, repositoryRoot });
    expect(existsSync(dir)).toBe(false);
  });

  it("refuses to wipe a directory with foreign files, the home directory or the repository", () => {
    const dir = temporary();
    writeFileSync(path.join(dir, "thesis.tex"), "x");
    expect(() => wipeStateDir({ stateDir: dir, repositoryRoot })).toThrow(/refusing to wipe .*\(thesis\.tex\)/);
    expect(readFileSync(path.join(dir, "thesis.tex"), "utf8")).toBe("x");
    expect(() => wipeStateDir({ stateDir: os.homedir(), repositoryRoot })).toThrow(LauncherError);
    expect(() => wipeStateDir({ stateDir: dir, repositoryRoot: dir })).toThrow(LauncherError);
  });

  it("lets one launcher at a time use it, and takes over a lock whose launcher died", () => {
    const dir = temporary();
    const claim = claimStateDir(dir);
    expect(existsSync(path.join(dir, STATE_MARKER))).toBe(true);
    writeFileSync(path.join(dir, "launcher.pid"), "1\n"); // pid 1 is alive: init
    expect(() => claimStateDir(dir)).toThrow(/another npm start \(pid 1\)/);
    writeFileSync(path.join(dir, "launcher.pid"), "999999999\n");
    claimStateDir(dir).release();
    expect(existsSync(path.join(dir, "launcher.pid"))).toBe(false);
    claim.release();
  });
});
