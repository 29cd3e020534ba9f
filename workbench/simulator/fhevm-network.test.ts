import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { JsonRpcProvider } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNetworkFhevm, fhevmNetworkFromEnv } from "./fhevm-network";

/** A JSON-RPC endpoint that only says which chain it is. */
function fakeChain(chainIdHex: string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const calls = JSON.parse(body) as { id: number } | { id: number }[];
      const answer = (call: { id: number }) => ({ jsonrpc: "2.0", id: call.id, result: chainIdHex });
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(Array.isArray(calls) ? calls.map(answer) : answer(calls)));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

describe("fhevm network selection", () => {
  it("is local unless FHEVM_NETWORK says sepolia; RELAYER_URL overrides Zama's relayer", () => {
    expect(fhevmNetworkFromEnv({})).toEqual({ name: "local" });
    expect(fhevmNetworkFromEnv({ FHEVM_NETWORK: " Sepolia ", RELAYER_URL: "https://relayer.example" })).toEqual({ name: "sepolia", relayerUrl: "https://relayer.example" });
    expect(() => fhevmNetworkFromEnv({ FHEVM_NETWORK: "mainnet" })).toThrow("FHEVM_NETWORK must be one of local, sepolia");
  });

  describe("against a chain that is not the one selected", () => {
    let sepolia: { url: string; server: Server };
    let local: { url: string; server: Server };
    beforeAll(async () => {
      sepolia = await fakeChain("0xaa36a7");
      local = await fakeChain("0x7a69");
    });
    afterAll(() => {
      sepolia.server.close();
      local.server.close();
    });

    it("refuses the mock on Sepolia and says which variable to change", async () => {
      const provider = new JsonRpcProvider(sepolia.url, undefined, { staticNetwork: true });
      await expect(createNetworkFhevm({ provider, network: { name: "local" }, rpcUrl: sepolia.url })).rejects.toThrow(
        `FHEVM_NETWORK=local expects the local Hardhat chain (id 31337), but ${sepolia.url} is chain 11155111; set FHEVM_NETWORK=sepolia`,
      );
      provider.destroy();
    });

    it("refuses the relayer SDK on the local chain", async () => {
      const provider = new JsonRpcProvider(local.url, undefined, { staticNetwork: true });
      await expect(createNetworkFhevm({ provider, network: { name: "sepolia" }, rpcUrl: local.url })).rejects.toThrow(
        `FHEVM_NETWORK=sepolia expects chain 11155111, but ${local.url} is chain 31337`,
      );
      provider.destroy();
    });
  });
});
