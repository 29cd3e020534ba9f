import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** The `name` of the repository's package.json: what marks its root. */
export const REPOSITORY_PACKAGE_NAME = "iot-data-market-workbench";

/**
 * The repository's root (where node_modules/.bin/hardhat and artifacts/ are): the nearest directory
 * at or above `from` whose package.json is named {@link REPOSITORY_PACKAGE_NAME}. Searched from this
 * module's directory first (works from anywhere inside the repository, at any depth), then from the
 * working directory; the working directory itself when neither finds it.
 * Node only.
 */
export function findRepositoryRoot(from: readonly string[] = [import.meta.dirname, process.cwd()]): string {
  for (const start of from) {
    const found = rootAbove(start);
    if (found) return found;
  }
  return path.resolve(from.at(-1) ?? process.cwd());
}

function rootAbove(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === REPOSITORY_PACKAGE_NAME) return dir;
      } catch {
        // not JSON: keep looking above
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
