import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * The UI's browser journeys: real Chromium (playwright-core) against the real workbench service and
 * a local Hardhat chain. Run with `npm run test:ui` (it builds the UI first). Not part of the root
 * vitest run: they need the built UI and a browser.
 */
export default defineConfig({
  root: repo,
  test: {
    include: ["workbench/ui/test/journeys/**/*.journey.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    // One browser, one chain, one service per file; steps of a journey depend on each other.
    sequence: { concurrent: false },
  },
});
