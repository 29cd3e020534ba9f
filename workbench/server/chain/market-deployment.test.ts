import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DeploymentFileError, DeploymentResolver } from "./market-deployment";

const MARKET = "0xdc64a140aa3e981100a9beca4e685f962f0cf6c9";

describe("DeploymentResolver", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deployment-"));
  const file = path.join(dir, "deployment.json");
  afterEach(() => fs.rmSync(file, { force: true }));

  it("prefers MARKET_ADDRESS and MARKET_FROM_BLOCK", () => {
    fs.writeFileSync(file, JSON.stringify({ marketAddress: "0x0000000000000000000000000000000000000001" }));
    const resolver = new DeploymentResolver({ chainId: 31337, marketAddress: MARKET, fromBlock: 7, deploymentFile: file });
    expect(resolver.resolve()).toEqual({ chainId: 31337, address: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9", fromBlock: 7, source: "environment" });
  });

  it("reads the launcher's deployment file, again when it changes, and waits while there is none", () => {
    const resolver = new DeploymentResolver({ chainId: 31337, marketAddress: undefined, fromBlock: undefined, deploymentFile: file });
    expect(resolver.resolve()).toBeUndefined();
    fs.writeFileSync(file, JSON.stringify({ chainId: 31337, marketAddress: MARKET, deploymentBlock: 3, genesisHash: "0xabc" }));
    expect(resolver.resolve()).toMatchObject({ address: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9", fromBlock: 3, source: "deployment file" });
    fs.writeFileSync(file, JSON.stringify({ chainId: 31337, marketAddress: "0x5fbdb2315678afecb367f032d93f642f64180aa3", deploymentBlock: 12 }));
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(resolver.resolve()).toMatchObject({ address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", fromBlock: 12 });
  });

  it("refuses a file for another chain or without a market, naming the problem", () => {
    const resolver = new DeploymentResolver({ chainId: 31337, marketAddress: undefined, fromBlock: undefined, deploymentFile: file });
    fs.writeFileSync(file, JSON.stringify({ chainId: 1, marketAddress: MARKET }));
    expect(() => resolver.resolve()).toThrow(DeploymentFileError);
    expect(() => resolver.resolve()).toThrow(/is for chain 1, but CHAIN_ID is 31337/);
    fs.writeFileSync(file, "{ not json");
    fs.utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    expect(() => resolver.resolve()).toThrow(/is not readable JSON/);
  });
});
