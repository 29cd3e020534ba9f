/**
 * The demo's devices as a real fleet runs them: over MQTT, through the gateway. `npm start` (and
 * `main.ts devices` under Docker Compose) runs, in this order:
 *
 * 1. the device registry under STATE_DIR/gateway (demo-gateway-files.ts): for each demo dataset its
 *    demo device and two spare logins for `npm run simulate -- --mqtt` (one per mode), and the
 *    gateway's login, each with its own password (hashes in the registry, the plain passwords in
 *    secrets.json). Kept across starts; names carry a random instance id, so that several `npm
 *    start`s can share one broker (this project's machines share a Mosquitto);
 * 2. the broker (mqtt-broker.ts): MQTT_URL, else 127.0.0.1:1883 when a broker answers, else an
 *    embedded one that enforces the registry's logins and topics;
 * 3. the gateway as a supervised child process (`npm run gateway`'s entry, logs prefixed `gateway`;
 *    started again when it exits on its own, which it is built to survive), as the demo's gateway
 *    account (dev account #19, registered as a device of every demo dataset);
 * 4. one simulated device per demo dataset, in this process: mode b devices publish each reading
 *    in clear at once (the gateway batches across devices), mode a devices encrypt on the device for
 *    the gateway's account and publish a sealed batch at most every minute.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { DEMO_ROLES, devWallet } from "../demo/accounts";
import { DEMO_DATASETS } from "../demo/catalogue";
import type { Deployment } from "../demo/deployment-file";
import { hashPassword, newPassword, readRegistry, verifyPassword, writeRegistry, type DeviceMode, type DeviceRegistry } from "../gateway/device-registry";
import { createSignal, type SensorKind } from "../simulator/signals";
import { spawnNodeEntry } from "./child-process";
import type { CleanupStack } from "./cleanup-stack";
import type { LauncherConfig } from "./config";
import type { ConsoleLog } from "./console-log";
import { gatewayFiles } from "./demo-gateway-files";
import { LauncherError } from "./launcher-error";
import { ensureBroker, type BrokerHandle } from "./mqtt-broker";
import { MqttSimulatedDevice, chainSealer } from "./mqtt-simulated-device";
import { SupervisedProcess } from "./supervised-process";

/** Which login of a dataset: the demo device `npm start` runs, or a spare one for `npm run simulate -- --mqtt`. */
export type DemoDeviceRole = "demo" | "sim-plain" | "sim-sealed";

/** The plain passwords of the demo's logins (STATE_DIR/gateway/secrets.json, mode 0600). */
const Secrets = z.object({
  version: z.literal(1),
  /** The random part of every name, so that several demos can share one broker. */
  instance: z.string().regex(/^[0-9a-f]{8}$/),
  gateway: z.string().min(1),
  /** Device id → password. */
  devices: z.record(z.string(), z.string().min(1)),
});
export type DemoSecrets = z.infer<typeof Secrets>;

/** The demo's registry and the plain passwords that go with it. */
export interface DemoRegistry {
  registry: DeviceRegistry;
  secrets: DemoSecrets;
  registryFile: string;
}

/** The device id of `dataset`'s login for `role` in demo `instance`. */
export function demoDeviceId(instance: string, dataset: string, role: DemoDeviceRole): string {
  return `${dataset}-${role === "demo" ? "device" : role}-${instance}`;
}

/** The mode of a dataset's demo device: the deployment's record, else the catalogue's, else plain. */
export function demoDeviceMode(dataset: Deployment["datasets"][number]): DeviceMode {
  return dataset.deviceMode ?? DEMO_DATASETS.find((d) => d.name === dataset.name)?.deviceMode ?? "plain";
}

/**
 * The registry and secrets under `stateDir` for `deployment`'s datasets: the ones on disk when they
 * describe exactly these logins (so that passwords, persistent sessions and an external Mosquitto's
 * configuration stay valid across starts), otherwise written anew, keeping the instance id and the
 * passwords of the logins that remain.
 */
export function ensureDemoRegistry(options: { stateDir: string; deployment: Deployment }): DemoRegistry & { written: boolean } {
  const files = gatewayFiles(options.stateDir);
  let secrets: DemoSecrets | undefined;
  let existing: DeviceRegistry | undefined;
  try {
    if (existsSync(files.secrets)) secrets = Secrets.parse(JSON.parse(readFileSync(files.secrets, "utf8")));
    if (existsSync(files.registry)) existing = readRegistry(files.registry);
  } catch {
    // A damaged file: start again below.
    secrets = undefined;
    existing = undefined;
  }
  const instance = secrets?.instance ?? randomBytes(4).toString("hex");
  const wanted = options.deployment.datasets.flatMap((dataset) =>
    (["demo", "sim-plain", "sim-sealed"] as const).map((role) => ({
      id: demoDeviceId(instance, dataset.name, role),
      datasetId: dataset.id,
      mode: role === "demo" ? demoDeviceMode(dataset) : role === "sim-plain" ? ("plain" as const) : ("sealed" as const),
    })),
  );
  const gatewayUsername = `gateway-${instance}`;
  const topicPrefix = `iotdm/${instance}`;
  const passwordOf = (id: string, hash: string | undefined) => {
    const password = secrets?.devices[id];
    return password && hash && verifyPassword(password, hash) ? password : undefined;
  };
  const unchanged =
    secrets &&
    existing &&
    existing.topicPrefix === topicPrefix &&
    existing.gateway.username === gatewayUsername &&
    verifyPassword(secrets.gateway, existing.gateway.passwordHash) &&
    existing.devices.length === wanted.length &&
    wanted.every((w) => existing.devices.some((d) => d.id === w.id && d.datasetId === w.datasetId && d.mode === w.mode && passwordOf(d.id, d.passwordHash)));
  if (unchanged) return { registry: existing!, secrets: secrets!, registryFile: files.registry, written: false };

  const gatewayPassword = secrets?.gateway ?? newPassword();
  const devices: DemoSecrets["devices"] = {};
  for (const { id } of wanted) devices[id] = secrets?.devices[id] ?? newPassword();
  const registry: DeviceRegistry = {
    version: 1,
    topicPrefix,
    gateway: { username: gatewayUsername, passwordHash: hashPassword(gatewayPassword) },
    devices: wanted.map((w) => ({ ...w, passwordHash: hashPassword(devices[w.id]!) })),
  };
  const next: DemoSecrets = { version: 1, instance, gateway: gatewayPassword, devices };
  writeRegistry(files.registry, registry);
  writeFileSync(files.secrets, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  return { registry, secrets: next, registryFile: files.registry, written: true };
}

/** What the banner says about the MQTT side. */
export interface DemoFleetSummary {
  broker: Pick<BrokerHandle, "url" | "source" | "anonymous">;
  gateway: { address: string; index: number };
  topicPrefix: string;
  /** Each dataset's demo device and its mode; empty when the devices are off. */
  devices: { dataset: string; mode: DeviceMode }[];
  rate: number;
}

/** How long the gateway may take to say it is ready. */
const GATEWAY_READY_MS = 60_000;
/** How long the gateway may take to stop before it is killed. */
const GATEWAY_STOP_MS = 15_000;

/**
 * Starts the broker (or finds it), the gateway and the demo devices (see the module comment); each
 * one's stop goes on `cleanup`, so that the devices stop first, then the gateway, then the broker.
 * `onGiveUp` hears why the gateway's supervisor stopped restarting it.
 */
export async function startDemoFleet(options: {
  config: LauncherConfig;
  deployment: Deployment;
  redisUrl: string;
  rpcUrl: string;
  /** The environment the gateway inherits (the launcher's, without other processes' keys). */
  env: NodeJS.ProcessEnv;
  root: string;
  log: ConsoleLog;
  cleanup: CleanupStack;
  onGiveUp: (reason: string) => void;
}): Promise<DemoFleetSummary> {
  const { config, deployment, log, cleanup } = options;
  const demo = ensureDemoRegistry({ stateDir: config.stateDir, deployment });
  if (demo.written) log.info("gateway", `wrote the device registry ${demo.registryFile} (passwords in secrets.json next to it)`);
  const { registry, secrets } = demo;

  const broker = await ensureBroker({ mqttUrl: config.mqttUrl, registry: () => registry, log });
  if (broker.source === "embedded") await cleanup.push("stopping the embedded MQTT broker", () => broker.stop());
  cleanup.checkpoint();
  // Where `npm run simulate -- --mqtt` connects (devices log in with their own names, not the URL's).
  const brokerUrl = new URL(broker.url);
  brokerUrl.username = brokerUrl.password = "";
  writeFileSync(gatewayFiles(config.stateDir).broker, `${JSON.stringify({ url: brokerUrl.toString().replace(/\/$/, ""), source: broker.source }, null, 2)}\n`);

  const gatewayAccount = deployment.accounts.gateway ?? { index: DEMO_ROLES.gateway.index, address: devWallet(DEMO_ROLES.gateway.index).address, label: DEMO_ROLES.gateway.label };
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    MQTT_URL: broker.url,
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: config.queue.prefix,
    CHAIN_RPC_URL: options.rpcUrl,
    MARKET_ADDRESS: deployment.marketAddress,
    STATE_DIR: config.stateDir,
    LOG_LEVEL: config.logLevel,
    FHEVM_NETWORK: config.network.name,
    GATEWAY_PRIVATE_KEY: devWallet(gatewayAccount.index).privateKey,
    GATEWAY_REGISTRY: demo.registryFile,
    GATEWAY_PASSWORD: secrets.gateway,
    GATEWAY_NAME: `demo-${secrets.instance}`,
    // A batch every 10 s at most: the demo's few readings per second, without a transaction per reading.
    GATEWAY_MAX_BATCH_DELAY_MS: "10000",
  };
  const gateway = new SupervisedProcess({
    name: "gateway",
    start: () => spawnNodeEntry({ name: "gateway", entry: "workbench/launcher/gateway.ts", root: options.root, env, log }),
    log,
    onGiveUp: options.onGiveUp,
    restartWhile: () => !cleanup.unwinding,
  });
  await cleanup.push("stopping the gateway", () => gateway.stop(GATEWAY_STOP_MS));
  await waitForGateway(gateway, cleanup);

  const rate = config.demo.simulatorRate;
  const summary: DemoFleetSummary = {
    broker,
    gateway: { address: gatewayAccount.address, index: gatewayAccount.index },
    topicPrefix: registry.topicPrefix,
    devices: [],
    rate,
  };
  if (rate === 0) return summary;

  log.reserve(deployment.datasets.map((dataset) => `device ${dataset.name}`));
  // A mode a device's batch: at most 32 readings (one proof), and at most a minute of them.
  const sealedBatch = { size: 32, maxDelayMs: Math.max(5_000, Math.min(60_000, (32 / rate) * 1000)) };
  const devices = deployment.datasets.map((dataset) => {
    const source = `device ${dataset.name}`;
    const mode = demoDeviceMode(dataset);
    const id = demoDeviceId(secrets.instance, dataset.name, "demo");
    let appendedOnce = false;
    let offline = false;
    const device = new MqttSimulatedDevice({
      device: { mqttUrl: broker.url, topicPrefix: registry.topicPrefix, datasetId: dataset.id, deviceId: id, password: secrets.devices[id]!, mode },
      rate,
      signal: createSignal({ kind: dataset.kind as SensorKind, seed: `demo:${dataset.name}:live`, utcOffsetHours: dataset.utcOffsetHours }),
      ...(mode === "sealed"
        ? { seal: chainSealer({ rpcUrl: options.rpcUrl, market: deployment.marketAddress, datasetId: BigInt(dataset.id), gateway: gatewayAccount.address, network: config.network }), batch: sealedBatch }
        : {}),
      onEvent: (event) => {
        switch (event.type) {
          case "connected":
            if (offline) log.info(source, `reconnected to ${event.url}`);
            offline = false;
            return;
          case "offline":
            if (!offline) log.warn(source, "lost the broker; readings are kept and sent again when it is back");
            offline = true;
            return;
          case "appended":
            if (!appendedOnce && event.latenciesMs.length > 0) {
              appendedOnce = true;
              log.info(source, `first readings on the chain through the gateway (tx ${event.tx.slice(0, 10)}…, ${(Math.max(...event.latenciesMs) / 1000).toFixed(1)} s after they were taken)`);
            }
            return;
          case "refused":
            return log.warn(source, `the gateway refused ${event.readings} reading(s) (${event.code}): ${event.reason}`);
          case "anomaly":
            return log.info(source, `anomaly under way: ${event.name} (${event.value} at ${new Date(event.timestamp * 1000).toISOString()})`);
          case "error":
            return log.warn(source, event.message);
        }
      },
    });
    return { device, mode, dataset: dataset.name };
  });
  await cleanup.push("stopping the demo devices", () => Promise.all(devices.map(({ device }) => device.stop())));
  await Promise.all(
    devices.map(({ device, dataset }) =>
      device.start().catch((err: unknown) => {
        throw new LauncherError(`the demo device of ${dataset} cannot connect to the broker at ${broker.url}: ${(err as Error).message}`);
      }),
    ),
  );
  const modes = devices.map(({ mode, dataset }) => `${dataset} ${mode === "sealed" ? "a (sealed on the device)" : "b (plain to the gateway)"}`);
  log.info("launcher", `demo devices publish over MQTT to ${registry.topicPrefix}/datasets/<id>/devices/<device>/readings; modes: ${modes.join(", ")}`);
  summary.devices = devices.map(({ dataset, mode }) => ({ dataset, mode }));
  return summary;
}

/** Resolves once the gateway says it is ready (a crash while starting is restarted by its supervisor). */
async function waitForGateway(gateway: SupervisedProcess, cleanup: CleanupStack): Promise<void> {
  const deadline = Date.now() + GATEWAY_READY_MS;
  for (;;) {
    cleanup.checkpoint();
    if (gateway.gaveUp) throw new LauncherError(gateway.gaveUp);
    const current = gateway.current;
    const outcome = await Promise.race([
      current.waitForLine((line) => line.includes('"gateway ready"')).then(() => "ready" as const),
      current.exited.then(() => "exited" as const),
      new Promise<"timeout">((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()), "timeout").unref()),
    ]);
    if (outcome === "ready") return cleanup.checkpoint();
    if (outcome === "timeout") throw new LauncherError(`the gateway did not say it was ready within ${GATEWAY_READY_MS / 1000} s; see its lines above`);
    // Exited: wait for the supervisor's restart (or its giving up).
    while (gateway.current === current && !gateway.gaveUp && Date.now() < deadline) {
      cleanup.checkpoint();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
