/**
 * Nothing lost, nothing twice: devices of both modes publish while the gateway process (`npm run
 * gateway`, a real child process) is killed with SIGKILL again and again, and while the broker
 * restarts (the embedded one, and a Mosquitto of the test's own when Mosquitto is installed, with
 * the logins and ACL of `--mosquitto-config`); in the end every reading is on the chain exactly
 * once (read back through the mock's clear text).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonRpcProvider } from "ethers";
import { createFhevmInstance, encryptReadings, type IoTDataMarket } from "@iotdm/contracts-client";
import { findRepositoryRoot } from "@iotdm/contracts-client/repo-root";
import { freePort, startLocalChain, type LocalChain } from "@iotdm/contracts-client/local-chain";
import { devWallet } from "../../demo/accounts";
import { MqttDevice } from "../device-client";
import { writeRegistry } from "../device-registry";
import { startEmbeddedBroker } from "../embedded-broker";
import type { DeviceRegistry } from "../device-registry";
import { GATEWAY, deployGatewayMarket, eventually, mosquittoBinary, proofsOf, readingsOnChain, startPrivateMosquitto, testRegistry } from "./support";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const ROOT = findRepositoryRoot();
const PER_DEVICE = 40;

/** A broker the test can stop and start again on the same port. */
interface TestBroker {
  stop(): Promise<void>;
}
type BrokerKind = { name: string; available: () => boolean; start: (options: { registry: DeviceRegistry; gatewayPassword: string; port: number; dir: string }) => Promise<TestBroker> };

const BROKERS: BrokerKind[] = [
  {
    name: "the embedded broker",
    available: () => true,
    start: async ({ registry, port }) => {
      const broker = await startEmbeddedBroker({ registry: () => registry, port });
      return { stop: () => broker.close() };
    },
  },
  {
    name: "a Mosquitto configured with --mosquitto-config",
    available: () => mosquittoBinary() !== undefined,
    start: (options) => startPrivateMosquitto({ binary: mosquittoBinary()!, ...options }),
  },
];

describe.each(BROKERS)("gateway under SIGKILL and restarts of $name", (kind) => {
  let chain: LocalChain;
  let market: { address: string; asSeller: IoTDataMarket; provider: JsonRpcProvider };
  let broker: TestBroker | undefined;
  let brokerPort: number;
  let dir: string;
  const fixture = testRegistry([
    { id: "p1", mode: "plain" },
    { id: "p2", mode: "plain" },
    { id: "p3", mode: "plain" },
    { id: "s1", mode: "sealed" },
  ]);
  const startBroker = () => kind.start({ registry: fixture.registry, gatewayPassword: fixture.gatewayPassword, port: brokerPort, dir });

  beforeAll(async () => {
    if (!kind.available()) return;
    chain = await startLocalChain({ port: await freePort() });
    market = await deployGatewayMarket(chain.rpcUrl);
    brokerPort = await freePort();
    dir = mkdtempSync(path.join(tmpdir(), "iotdm-gateway-"));
    writeRegistry(path.join(dir, "registry.json"), fixture.registry);
    broker = await startBroker();
  });

  afterAll(async () => {
    await broker?.stop();
    market?.provider.destroy();
    await chain?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** `npm run gateway` as a child process of its own. */
  const spawnGateway = (): ChildProcess => {
    const child = spawn(process.execPath, ["--import", "tsx", "workbench/launcher/gateway.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        MQTT_URL: `mqtt://127.0.0.1:${brokerPort}`,
        REDIS_URL,
        QUEUE_PREFIX: "iotdm-test",
        GATEWAY_NAME: `kill-${fixture.run}`,
        CHAIN_RPC_URL: chain.rpcUrl,
        MARKET_ADDRESS: market.address,
        GATEWAY_PRIVATE_KEY: devWallet(GATEWAY).privateKey,
        GATEWAY_REGISTRY: path.join(dir, "registry.json"),
        GATEWAY_PASSWORD: fixture.gatewayPassword,
        GATEWAY_MAX_BATCH_DELAY_MS: "200",
        STATE_DIR: dir,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    return child;
  };
  const kill = async (child: ChildProcess) => {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  };

  it("appends every reading exactly once across gateway kills (-9) and a broker restart", async (context) => {
    if (!kind.available()) return context.skip();
    const instance = createFhevmInstance({ provider: market.provider });
    const devices = fixture.registry.devices.map(
      (entry) =>
        new MqttDevice({
          mqttUrl: `mqtt://127.0.0.1:${brokerPort}`,
          topicPrefix: fixture.registry.topicPrefix,
          datasetId: entry.datasetId,
          deviceId: entry.id,
          password: fixture.passwords.get(entry.id)!,
          mode: entry.mode,
          resendAfterMs: 2_000,
          seal: async (readings) =>
            (await encryptReadings({ instance: await instance, market: market.address, appender: devWallet(GATEWAY).address, values: readings.map((r) => BigInt(r.value)) }))[0]!,
        }),
    );
    let gateway = spawnGateway();
    try {
      await Promise.all(devices.map((d) => d.start()));
      const start = Math.floor(Date.now() / 1000) - 120;
      let taken = 0;
      // Readings keep coming (one per device every 40 ms) whatever happens to the gateway and the broker.
      const producing = (async () => {
        for (let i = 0; i < PER_DEVICE; i++) {
          devices.forEach((d, k) => d.push({ t: start + i, value: 100_000 * (k + 1) + i }));
          taken += devices.length;
          await new Promise((resolve) => setTimeout(resolve, 40));
        }
      })();

      // Kill -9 at different moments: while messages are being queued, batches encrypted, appends in flight.
      for (const pauseMs of [1_500, 2_500, 900]) {
        await eventually("some readings queued since the last restart", () => devices.some((d) => d.counters.queued > 0), 60_000);
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        await kill(gateway);
        gateway = spawnGateway();
      }
      // The broker restarts too: its sessions and anything it held are gone (neither keeps them on disk here).
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await broker!.stop();
      broker = undefined;
      broker = await startBroker();
      await producing;

      const expected = devices.flatMap((_, k) => Array.from({ length: PER_DEVICE }, (_, i) => 100_000 * (k + 1) + i)).sort((a, b) => a - b);
      expect(taken).toBe(expected.length);
      let values: number[] = [];
      await eventually(
        "every reading on the chain",
        async () => {
          values = (await readingsOnChain({ provider: market.provider, market: market.asSeller, datasetId: 1n })).map((r) => Number(r.value));
          return values.length >= expected.length && devices.every((d) => d.counters.unconfirmed === 0);
        },
        240_000,
      );
      // Give a late duplicate the time to show itself, then compare the multisets.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const onChain = await readingsOnChain({ provider: market.provider, market: market.asSeller, datasetId: 1n });
      values = onChain.map((r) => Number(r.value));
      expect(values.sort((a, b) => a - b)).toEqual(expected);
      // What the market requires of every append: a proof never used before, no timestamp after its block's.
      const proofs = proofsOf(onChain);
      expect(proofs.distinctProofs).toBe(proofs.appends);
      expect(onChain.filter((r) => r.timestamp > r.blockTimestamp)).toEqual([]);
      expect(devices.reduce((sum, d) => sum + d.counters.refused + d.counters.dropped, 0)).toBe(0);
    } finally {
      await Promise.all(devices.map((d) => d.stop()));
      await kill(gateway);
    }
  }, 400_000);
});
