/**
 * `npm run gateway`: the MQTT gateway (workbench/gateway) as a process of its own, configured by
 * its environment (see USAGE); `npm start` runs it as a child process the same way. Logs are pino
 * JSON lines. `--mosquitto-config` prints the password file and ACL an external Mosquitto needs
 * for the registry's devices, and exits. A launcher command because it takes its defaults from the
 * deployment record of workbench/demo (as `npm run simulate` does).
 *
 * Exit codes: 0 after SIGINT/SIGTERM, 1 when it cannot start, 2 on bad options.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { readDeployment } from "../demo/deployment-file";
import { mosquittoConfig } from "../gateway/broker-acl";
import { readRegistry } from "../gateway/device-registry";
import { Gateway } from "../gateway/gateway";
import { fhevmNetworkFromEnv } from "../simulator/fhevm-network";
import { gatewayFiles } from "./demo-gateway-files";

export const USAGE = `Usage: npm run gateway [-- --mosquitto-config]

The MQTT gateway: devices publish readings to an MQTT broker, the gateway queues them durably in
Redis and appends them to the market in encrypted batches of up to 32, as its own account.

  --mosquitto-config   print the password file and ACL for an external Mosquitto, then exit
  -h, --help           this text

Environment:
  MQTT_URL                   the broker (default mqtt://127.0.0.1:1883)
  REDIS_URL                  the durable queue (default redis://127.0.0.1:6379)
  CHAIN_RPC_URL, MARKET_ADDRESS  the chain and the market (default: STATE_DIR's deployment.json)
  GATEWAY_PRIVATE_KEY        the gateway's account, registered as a device of every dataset it serves
  GATEWAY_REGISTRY           the device registry (default STATE_DIR/gateway/registry.json)
  GATEWAY_PASSWORD           the gateway's broker password (default: STATE_DIR/gateway/secrets.json)
  GATEWAY_NAME               names its Redis state; one process per name (default "gateway")
  GATEWAY_MAX_BATCH_DELAY_MS a batch waits at most this long for 32 readings (default 2000)
  QUEUE_PREFIX               Redis key prefix (default iotdm)
  STATE_DIR                  default .state
  FHEVM_NETWORK, RELAYER_URL as for npm start`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), options: { "mosquitto-config": { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } } }));
  } catch (err) {
    console.error(`gateway: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const env = process.env;
  const stateDir = env.STATE_DIR ?? ".state";
  const files = gatewayFiles(stateDir);
  const registryFile = env.GATEWAY_REGISTRY ?? files.registry;
  let registry;
  try {
    registry = readRegistry(registryFile);
  } catch (err) {
    console.error(`gateway: cannot read the device registry ${registryFile}: ${(err as Error).message}`);
    return 2;
  }

  if (values["mosquitto-config"]) {
    const dir = "/etc/mosquitto/iotdm";
    const config = mosquittoConfig(registry, { passwordFile: path.join(dir, "passwords"), aclFile: path.join(dir, "acl") });
    console.log(`# ---- ${dir}/passwords (mode 0600, owned by mosquitto) ----\n${config.passwords}`);
    console.log(`# ---- ${dir}/acl ----\n${config.acl}`);
    console.log(`# ---- /etc/mosquitto/conf.d/iotdm.conf (then restart mosquitto) ----\n${config.conf}`);
    return 0;
  }

  const log = pino({ name: "gateway", level: env.LOG_LEVEL ?? "info" });
  const deployment = readDeployment(stateDir);
  const market = env.MARKET_ADDRESS ?? deployment?.marketAddress;
  const rpcUrl = env.CHAIN_RPC_URL ?? deployment?.rpcUrl ?? "http://127.0.0.1:8545";
  const privateKey = env.GATEWAY_PRIVATE_KEY;
  let password = env.GATEWAY_PASSWORD;
  if (!password) {
    try {
      password = (JSON.parse(readFileSync(files.secrets, "utf8")) as { gateway?: string }).gateway;
    } catch {
      // no demo secrets
    }
  }
  const missing = [!market && "MARKET_ADDRESS", !privateKey && "GATEWAY_PRIVATE_KEY", !password && "GATEWAY_PASSWORD"].filter(Boolean);
  if (missing.length > 0) {
    console.error(`gateway: set ${missing.join(", ")}\n\n${USAGE}`);
    return 2;
  }
  const maxBatchDelayMs = env.GATEWAY_MAX_BATCH_DELAY_MS ? Number(env.GATEWAY_MAX_BATCH_DELAY_MS) : undefined;
  if (maxBatchDelayMs !== undefined && !(maxBatchDelayMs >= 0)) {
    console.error(`gateway: GATEWAY_MAX_BATCH_DELAY_MS must be a number of milliseconds ≥ 0, got "${env.GATEWAY_MAX_BATCH_DELAY_MS}"`);
    return 2;
  }

  const mqttUrl = env.MQTT_URL ?? "mqtt://127.0.0.1:1883";
  // Every batch at debug level; at info, what reached the chain each minute.
  const minute = { readings: 0, batches: 0, datasets: new Set<string>() };
  let firstAppended = false;
  const summary = setInterval(() => {
    if (minute.batches === 0) return;
    log.info({ readings: minute.readings, batches: minute.batches, datasets: [...minute.datasets].join(",") }, "appended in the last minute");
    minute.readings = minute.batches = 0;
    minute.datasets.clear();
  }, 60_000);
  summary.unref();
  const gateway = new Gateway({
    mqttUrl,
    registry: () => registry,
    password: password!,
    redisUrl: env.REDIS_URL ?? "redis://127.0.0.1:6379",
    redisPrefix: env.QUEUE_PREFIX ?? "iotdm",
    name: env.GATEWAY_NAME ?? "gateway",
    rpcUrl,
    market: market!,
    privateKey: privateKey!,
    network: fhevmNetworkFromEnv(env),
    ...(maxBatchDelayMs !== undefined ? { maxBatchDelayMs } : {}),
    onEvent: (event) => {
      switch (event.type) {
        case "appended":
          if (!firstAppended) log.info({ dataset: event.batch.datasetId, readings: event.batch.readings, tx: event.batch.txHash }, "first batch on the chain");
          firstAppended = true;
          minute.readings += event.batch.readings;
          minute.batches++;
          minute.datasets.add(event.batch.datasetId);
          return log.debug({ dataset: event.batch.datasetId, readings: event.batch.readings, tx: event.batch.txHash, firstIndex: event.batch.firstIndex.toString(), ...event.batch.timings }, "appended");
        case "message":
          return event.status.status === "refused" ? log.warn({ dataset: event.datasetId, device: event.deviceId, code: event.status.code }, event.status.reason) : log.trace({ dataset: event.datasetId, device: event.deviceId, status: event.status.status, seq: event.status.seq }, "message");
        case "refused":
          return log.warn({ dataset: event.datasetId, device: event.item.deviceId }, `the market refused a sealed batch: ${event.reason}`);
        case "waiting":
          return log.warn({ dataset: event.datasetId, retryInMs: event.retryInMs }, event.reason);
        case "recovered":
          return log.info({ dataset: event.datasetId, tx: event.hash, outcome: event.outcome }, "resumed the batch in flight");
        case "broker":
          return event.state === "connected" ? log.info({ url: event.url }, "connected to the broker") : log.warn({ url: event.url }, `broker ${event.state}`);
        case "error":
          return log.error(event.message);
      }
    },
  });
  try {
    await gateway.start();
  } catch (err) {
    log.error(`cannot start: ${(err as Error).message}`);
    return 1;
  }
  log.info({ address: gateway.address, devices: registry.devices.length, topics: `${registry.topicPrefix}/datasets/+/devices/+/readings` }, "gateway ready");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  const counters = await gateway.stop();
  log.info(counters ?? {}, "stopped");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`gateway: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
