/**
 * Fixtures of the gateway's integration tests: a local chain with a market whose dataset has the
 * gateway's account registered as its device, a device registry with fresh credentials, and the
 * truth on the chain: every reading appended, decrypted through the mock's `fhevm_getClearText`
 * from the handles in the appends' calldata.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { Interface, JsonRpcProvider, keccak256 } from "ethers";
import { EXACT_PRIVACY, connectMarket, iotDataMarketAbi, type IoTDataMarket } from "@iotdm/contracts-client";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import { devWallet } from "../../demo/accounts";
import { findExecutable } from "../../launcher/redis";
import { mosquittoConfig } from "../broker-acl";
import { hashPassword, newPassword, type DeviceMode, type DeviceRegistry } from "../device-registry";

export const SELLER = 2;
/** The gateway's account in the tests. */
export const GATEWAY = 16;

/** Deploys a market and dataset 1 (scale 0, offset 0: a reading's value is its encoding) with the gateway registered. */
export async function deployGatewayMarket(rpcUrl: string): Promise<{ address: string; asSeller: IoTDataMarket; provider: JsonRpcProvider }> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1, pollingInterval: 50 });
  const { address } = await deployMarket({ signer: devWallet(0, provider), operator: devWallet(1).address });
  const asSeller = connectMarket(address, devWallet(SELLER, provider));
  const params = { name: "counter", field: "count", unit: "", scale: 0, offset: 0n, pricePerPeriod: 1000n, periodSeconds: 3600, bucketSize: 4n, privacy: EXACT_PRIVACY, rollups: 0 };
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

/** One reading on the chain: its clear value, its timestamp, and the append that carried it. */
export interface ChainReading {
  value: bigint;
  timestamp: bigint;
  /** The time of the block its append was mined in. */
  blockTimestamp: bigint;
  /** The append's transaction, and keccak256 of its input proof. */
  txHash: string;
  proofHash: string;
}

/** Every reading of dataset `datasetId` on the chain, in index order, decrypted (the mock's clear text). */
export async function readingsOnChain(options: { provider: JsonRpcProvider; market: IoTDataMarket; datasetId: bigint }): Promise<ChainReading[]> {
  const logs = await options.market.queryFilter(options.market.filters.ReadingsAppended(options.datasetId));
  const readings: (ChainReading & { index: bigint })[] = [];
  for (const log of logs) {
    const tx = await options.provider.getTransaction(log.transactionHash);
    const block = await options.provider.getBlock(log.blockNumber);
    const call = marketInterface.parseTransaction({ data: tx!.data })!;
    const handles = call.args[1] as string[];
    const proofHash = keccak256(call.args[2] as string);
    const { firstIndex, timestamps } = (log as unknown as { args: { firstIndex: bigint; timestamps: bigint[] } }).args;
    const clear = (await options.provider.send("fhevm_getClearText", [handles])) as (string | number | bigint)[];
    handles.forEach((_, i) =>
      readings.push({ value: BigInt(clear[i]!), timestamp: timestamps[i]!, blockTimestamp: BigInt(block!.timestamp), txHash: log.transactionHash, proofHash, index: firstIndex + BigInt(i) }),
    );
  }
  readings.sort((a, b) => (a.index < b.index ? -1 : 1));
  return readings.map(({ index: _index, ...reading }) => reading);
}

/** The appends' input proofs, one per append: a proof used twice would be refused by the market. */
export function proofsOf(readings: readonly ChainReading[]): { appends: number; distinctProofs: number } {
  const proofByTx = new Map(readings.map((reading) => [reading.txHash, reading.proofHash]));
  return { appends: proofByTx.size, distinctProofs: new Set(proofByTx.values()).size };
}

/** Polls `check` until it holds (every 200 ms), or fails after `timeoutMs` with `what`. */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The Mosquitto binary, when installed. */
export function mosquittoBinary(): string | undefined {
  return findExecutable("mosquitto", `${process.env.PATH ?? ""}:/usr/sbin:/usr/local/sbin`);
}

/** A Mosquitto of the test's own. */
export interface PrivateMosquitto {
  url: string;
  /** SIGTERM, and resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `binary` on 127.0.0.1:`port` with what `npm run gateway -- --mosquitto-config` prints for
 * `registry` (files in `dir`), without persistence: a restart forgets every session and message,
 * like the embedded broker's. Resolves once the registry's gateway can log in.
 */
export async function startPrivateMosquitto(options: { binary: string; registry: DeviceRegistry; gatewayPassword: string; port: number; dir: string }): Promise<PrivateMosquitto> {
  const { dir, port } = options;
  const config = mosquittoConfig(options.registry, { passwordFile: path.join(dir, "passwords"), aclFile: path.join(dir, "acl") });
  writeFileSync(path.join(dir, "passwords"), config.passwords, { mode: 0o600 });
  writeFileSync(path.join(dir, "acl"), config.acl, { mode: 0o600 });
  // Started as root, Mosquitto switches to the user named here (by default "mosquitto", who could not read our files).
  writeFileSync(path.join(dir, "mosquitto.conf"), `user ${userInfo().username}\nlistener ${port} 127.0.0.1\npersistence false\nlog_dest stderr\nlog_type error\n${config.conf}`);
  const child: ChildProcess = spawn(options.binary, ["-c", path.join(dir, "mosquitto.conf")], { stdio: ["ignore", "ignore", "inherit"] });
  const url = `mqtt://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  try {
    await eventually(
      "the private Mosquitto to listen",
      async () => {
        if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
        try {
          const client = await mqtt.connectAsync(url, { clientId: `probe-${randomBytes(3).toString("hex")}`, username: options.registry.gateway.username, password: options.gatewayPassword, reconnectPeriod: 0, connectTimeout: 2_000, clean: true });
          await client.endAsync(true);
          return true;
        } catch {
          return false;
        }
      },
      15_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}
