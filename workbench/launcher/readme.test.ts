/**
 * The root README's parts that the launcher owns stay true: the three commands come first, and the
 * configuration tables list every variable the launcher, the service, the worker and the simulator
 * read (a variable added to a configuration schema without a line in the README fails here).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LAUNCHER_VARIABLES } from "./config";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The keys of the environment schema in a configuration module (`  NAME: z…` lines). */
function schemaVariables(file: string): string[] {
  const source = readFileSync(path.join(ROOT, file), "utf8");
  return [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!);
}

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, `README has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe("README", () => {
  it("starts with npm install, npm start and npm test, in that order", () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(firstBlock.split("\n").filter(Boolean).map((line) => line.split("#")[0]!.trim())).toEqual(["npm install", "npm start", "npm test"]);
  });

  it.each([
    ["npm start", LAUNCHER_VARIABLES],
    ["the workbench service", schemaVariables("workbench/server/config.ts")],
    ["the worker", schemaVariables("worker/src/config.ts")],
    ["the device simulator", ["CHAIN_RPC_URL", "MARKET_ADDRESS", "STATE_DIR", "DEVICE_PRIVATE_KEY", "FHEVM_NETWORK", "RELAYER_URL"]],
  ])("documents every variable of %s under Configuration", (_part, variables) => {
    expect(variables.length).toBeGreaterThan(3);
    const configuration = section("Configuration");
    for (const variable of variables) expect(configuration, variable).toContain(`\`${variable}\``);
  });

  it("says plainly that the mock has no confidentiality and that the real network is untested here", () => {
    const real = section("Real network (Zama's testnet)");
    expect(real).toContain("no real confidentiality");
    expect(real).toContain("This path cannot be tested here");
  });
});
