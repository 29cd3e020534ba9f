import { defineConfig } from "vitest/config";

/**
 * TypeScript tests of recipes/, worker/, workbench/ and bench/, and the check of the parts'
 * boundaries (.ci/parts.test.ts). Contract tests run under Hardhat's mocha (`npm run test:contracts`)
 * because they need the in-process fhevm mock chain.
 */
export default defineConfig({
  test: {
    include: [".ci/**/*.test.ts", "recipes/**/*.test.ts", "worker/**/*.test.ts", "workbench/**/*.test.ts", "bench/**/*.test.ts"],
    exclude: ["**/node_modules/**", "contracts/**"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration tests share one Redis and start local chains; two cores do not gain from more.
    fileParallelism: false,
  },
});
