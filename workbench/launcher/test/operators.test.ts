/**
 * `npm run operators`, as the market's admin runs it on a real network, here against a local chain:
 * `check` tells who holds OPERATOR_ROLE (exit 1 when one does not), `grant` and `revoke` change it
 * with the admin's key from the environment, and nothing changes without that key.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import { startLocalChain, type LocalChain } from "@iotdm/contracts-client/local-chain";
import { devWallet } from "../../demo/accounts";
import { manageOperators } from "../operators";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

function operators(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), ["workbench/launcher/operators.ts", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

describe("npm run operators", () => {
  let chain: LocalChain;
  let env: Record<string, string>;
  const relayer = Wallet.createRandom().address;

  beforeAll(async () => {
    chain = await startLocalChain();
    const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
    const { address } = await deployMarket({ signer: devWallet(0, provider), operator: devWallet(1).address });
    provider.destroy();
    env = { CHAIN_RPC_URL: chain.rpcUrl, MARKET_ADDRESS: address };
  });
  afterAll(async () => {
    await chain?.stop();
  });

  it("checks, grants and revokes a relayer's OPERATOR_ROLE as the market's admin", async () => {
    const before = await operators(["check", devWallet(1).address, relayer], env);
    expect(before.code).toBe(1);
    expect(before.output).toContain(`${devWallet(1).address} holds OPERATOR_ROLE`);
    expect(before.output).toContain(`${relayer} does NOT hold OPERATOR_ROLE`);

    const granted = await operators(["grant", relayer], { ...env, ADMIN_PRIVATE_KEY: devWallet(0).privateKey });
    expect(granted.code, granted.output).toBe(0);
    expect(granted.output).toContain(`${relayer} granted OPERATOR_ROLE`);
    expect(granted.output).toContain("it holds no ETH: fund it before a worker signs with it");

    const options = { rpcUrl: env.CHAIN_RPC_URL!, marketAddress: env.MARKET_ADDRESS!, relayers: [relayer] };
    expect(await manageOperators({ ...options, action: "check" })).toMatchObject([{ address: relayer, operator: true, changed: false }]);
    await expect(manageOperators({ ...options, action: "revoke" })).rejects.toThrow("revoke needs the market admin's key in ADMIN_PRIVATE_KEY");
    expect(await manageOperators({ ...options, action: "revoke", adminKey: devWallet(0).privateKey })).toMatchObject([{ operator: false, changed: true }]);
    expect(await manageOperators({ ...options, action: "check" })).toMatchObject([{ operator: false, changed: false }]);
    expect((await operators(["grant", "0x12"], env)).output).toContain("not an address: 0x12");
  });
});
