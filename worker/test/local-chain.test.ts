import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, startLocalChain } from "@iotdm/contracts-client/local-chain";
import { findRepositoryRoot } from "@iotdm/contracts-client/repo-root";

const REPO = path.resolve(import.meta.dirname, "..", "..");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("startLocalChain", () => {
  it("refuses a port something already listens on, with a clear error and without starting a node", async () => {
    const server: Server = createServer((socket) => socket.end());
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      const started = Date.now();
      await expect(startLocalChain({ port })).rejects.toThrow(`cannot start a local chain on 127.0.0.1:${port}: the port is already in use`);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("fails at once when the node cannot start (no hardhat under the given root)", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "no-hardhat-"));
    try {
      await expect(startLocalChain({ root, timeoutMs: 60_000 })).rejects.toThrow(/could not start hardhat node|exited/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("starts a detached node in its own process group, and stop() kills it", { timeout: 120_000 }, async () => {
    const chain = await startLocalChain({ detached: true, root: REPO });
    try {
      expect(chain.detached).toBe(true);
      expect(alive(chain.pid)).toBe(true);
      // The group exists (the node leads it).
      expect(() => process.kill(-chain.pid, 0)).not.toThrow();
    } finally {
      await chain.stop();
    }
    expect(alive(chain.pid)).toBe(false);
    expect(() => process.kill(-chain.pid, 0)).toThrow();
  });
});

describe("findRepositoryRoot", () => {
  const temp = mkdtempSync(path.join(tmpdir(), "repo-root-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("finds this repository from its own modules, whatever their depth", () => {
    expect(findRepositoryRoot()).toBe(REPO);
    expect(findRepositoryRoot([path.join(REPO, "workbench", "launcher")])).toBe(REPO);
  });

  it("walks up to the package.json named iot-data-market-workbench, past other packages, else falls back to the last start", () => {
    const nested = path.join(temp, "repo", "dist", "deep", "er");
    mkdirSync(nested, { recursive: true });
    writeFileSync(path.join(temp, "repo", "package.json"), JSON.stringify({ name: "iot-data-market-workbench" }));
    writeFileSync(path.join(temp, "repo", "dist", "package.json"), JSON.stringify({ name: "something-else" }));
    expect(findRepositoryRoot([nested])).toBe(path.join(temp, "repo"));
    const elsewhere = path.join(temp, "elsewhere");
    mkdirSync(elsewhere);
    expect(findRepositoryRoot([elsewhere])).toBe(elsewhere);
  });
});
