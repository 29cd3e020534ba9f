import { defineConfig } from "vitest/config";

/**
 * TypeScript tests of recipes/, worker/ and workbench/. Contract tests run under Hardhat's mocha
 * (`npm run test:contracts`) because they need the in-process fhevm mock chain.
 */
export default defineConfig({
  test: {
    include: ["recipes/**/*.test.ts", "worker/**/*.test.ts", "workbench/**/*.test.ts", "bench/**/*.test.ts"],
    exclude: ["**/node_modules/**", "contracts/**"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration tests share one Redis and start local chains; two cores do not gain from more.
    fileParallelism: false,
  },
});
