/**
 * Fixtures of the gateway's integration tests: a local chain with a market whose dataset has the
 * gateway's account registered as its device, a device registry with fresh credentials, and the
 * truth on the chain: every reading appended, decrypted through the mock's `fhevm_getClearText`
 * from the handles in the appends' calldata.
 */
import { randomBytes } from "node:crypto";
import { Interface, JsonRpcProvider, type Contract } from "ethers";
import { connectMarket, iotDataMarketAbi } from "@iotdm/contracts-client";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import { devWallet } from "../../demo/accounts";
import { hashPassword, newPassword, type DeviceMode, type DeviceRegistry } from "../device-registry";

export const SELLER = 2;
/** The gateway's account in the tests. */
export const GATEWAY = 16;

/** Deploys a market and dataset 1 (scale 0, offset 0: a reading's value is its encoding) with the gateway registered. */
export async function deployGatewayMarket(rpcUrl: string): Promise<{ address: string; asSeller: Contract; provider: JsonRpcProvider }> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1, pollingInterval: 50 });
  const { address } = await deployMarket({ signer: devWallet(0, provider), operator: devWallet(1).address });
  const asSeller = connectMarket(address, devWallet(SELLER, provider));
  const params = { name: "counter", field: "count", unit: "", scale: 0, offset: 0n, pricePerPeriod: 1000n, periodSeconds: 3600, bucketSize: 4n };
  await (await asSeller.createDataset(params)).wait();
  await (await asSeller.registerDevice(1n, devWallet(GATEWAY).address)).wait();
  return { address, asSeller, provider };
}

/** A registry (unique prefix and names, so that tests can share a broker) and the plain passwords. */
export function testRegistry(devices: { id: string; mode: DeviceMode; datasetId?: string }[]): { registry: DeviceRegistry; passwords: Map<string, string>; gatewayPassword: string; run: string } {
  const run = randomBytes(4).toString("hex");
  const passwords = new Map<string, string>();
  const gatewayPassword = newPassword();
  const registry: DeviceRegistry = {
    version: 1,
    topicPrefix: `iotdm-test/${run}`,
    gateway: { username: `gw-${run}`, passwordHash: hashPassword(gatewayPassword) },
    devices: devices.map(({ id, mode, datasetId }) => {
      const password = newPassword();
      passwords.set(`${id}-${run}`, password);
      return { id: `${id}-${run}`, datasetId: datasetId ?? "1", mode, passwordHash: hashPassword(password) };
    }),
  };
  return { registry, passwords, gatewayPassword, run };
}

const marketInterface = new Interface(iotDataMarketAbi);

/** Every reading of dataset `datasetId` on the chain, in index order, decrypted (the mock's clear text). */
export async function readingsOnChain(options: { provider: JsonRpcProvider; market: Contract; datasetId: bigint }): Promise<{ value: bigint; timestamp: bigint }[]> {
  const logs = await options.market.queryFilter(options.market.filters.ReadingsAppended(options.datasetId));
  const readings: { value: bigint; timestamp: bigint; index: bigint }[] = [];
  for (const log of logs) {
    const tx = await options.provider.getTransaction(log.transactionHash);
    const call = marketInterface.parseTransaction({ data: tx!.data })!;
    const handles = call.args[1] as string[];
    const { firstIndex, timestamps } = (log as unknown as { args: { firstIndex: bigint; timestamps: bigint[] } }).args;
    const clear = (await options.provider.send("fhevm_getClearText", [handles])) as (string | number | bigint)[];
    handles.forEach((_, i) => readings.push({ value: BigInt(clear[i]!), timestamp: timestamps[i]!, index: firstIndex + BigInt(i) }));
  }
  readings.sort((a, b) => (a.index < b.index ? -1 : 1));
  return readings.map(({ value, timestamp }) => ({ value, timestamp }));
}

/** Polls `check` until it holds (every 200 ms), or fails after `timeoutMs` with `what`. */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
