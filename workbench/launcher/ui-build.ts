/**
 * The built UI the service serves (workbench/ui/dist): built by `npm start` when it is missing or
 * older than its sources (UI_BUILD=auto), every time (always) or never. A failed build is reported
 * and the launcher goes on: the API works without the UI.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { ManagedProcess } from "./child-process";
import type { ConsoleLog } from "./console-log";
import { newestMtime } from "./local-node";

/** What the UI is built from, relative to the repository. */
const UI_SOURCES = ["workbench/ui/src", "workbench/ui/public", "workbench/ui/index.html", "workbench/ui/vite.config.mts", "recipes/src", "recipes/library", "contracts/client"];

/** Builds the UI when `mode` asks for it; returns whether a usable build is there. */
export async function ensureUiBuilt(options: { mode: "auto" | "always" | "never"; root: string; log: ConsoleLog }): Promise<boolean> {
  const { root, log } = options;
  const index = path.join(root, "workbench", "ui", "dist", "index.html");
  const built = mtime(index);
  if (options.mode === "never") return built > 0;
  const sources = Math.max(...UI_SOURCES.map((source) => newestSource(path.join(root, source))));
  if (options.mode === "auto" && built > sources) return true;

  log.info("ui", built > 0 ? "the UI's sources changed: rebuilding it…" : "building the UI (first start only; a minute or two)…");
  const started = performance.now();
  const build = new ManagedProcess({
    name: "ui",
    command: path.join(root, "node_modules", ".bin", "vite"),
    args: ["build", "--config", "workbench/ui/vite.config.mts", "--logLevel", "warn"],
    env: process.env,
    cwd: root,
    log,
  });
  const { code } = await build.exited;
  if (code !== 0) {
    log.warn("ui", `the UI did not build (vite exited with ${code}); the API works, ${built > 0 ? "the previous build is served" : "but there is no page to open"}. Fix the build (npm run build:ui) or start with UI_BUILD=never.`);
    return built > 0;
  }
  log.info("ui", `built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function newestSource(source: string): number {
  try {
    return statSync(source).isDirectory() ? newestMtime(source, (name) => !name.endsWith(".test.ts")) : statSync(source).mtimeMs;
  } catch {
    return 0;
  }
}
