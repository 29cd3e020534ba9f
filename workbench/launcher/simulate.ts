/**
 * `npm run simulate -- --dataset <id|name> --rate <readings/s>`: one simulated IoT device (see
 * simulate-options.ts for the options). Ctrl-C stops it after its last batch; exit code 0 then, 1
 * when the market refuses the device for good (not registered, no such dataset, no market), 2 on
 * bad options. A launcher command, like `npm start`, because it joins two folders that do not
 * import each other's way: the device of workbench/simulator, and the deployment record and dev
 * accounts of workbench/demo that it takes its defaults from (the demo uses the simulator's signals).
 *
 * With `--mqtt` the device publishes to the gateway over MQTT instead (mqtt-simulated-device.ts),
 * logging in as the demo's spare device of the dataset for the mode unless told otherwise; exit 1
 * when the broker refuses its login or never answers.
 */
import { existsSync, readFileSync } from "node:fs";
import { readDeployment } from "../demo/deployment-file";
import { readRegistry } from "../gateway/device-registry";
import { createSignal } from "../simulator/signals";
import { DeviceSimulator, SimulatorError, type SimulatorEvent } from "../simulator/device-simulator";
import { describeEvent, eventToJson, statusLine } from "../simulator/progress";
import { gatewayFiles } from "./demo-gateway-files";
import { MqttSimulatedDevice, chainSealer, type MqttSimulatorEvent } from "./mqtt-simulated-device";
import { USAGE, parseSimulateArgs, type DemoGatewayState, type MqttSimulateOptions } from "./simulate-options";

async function main(): Promise<number> {
  const parsed = parseSimulateArgs({ argv: process.argv.slice(2), env: process.env, loadDeployment: readDeployment, loadGatewayState });
  if (parsed.kind === "help") {
    console.log(USAGE);
    return 0;
  }
  if (parsed.kind === "error") {
    console.error(`simulate: ${parsed.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.kind === "mqtt") return runOverMqtt(parsed.options);
  const { options } = parsed;
  const live = process.stdout.isTTY && !options.json;
  let unit = "";
  let status = "";
  const print = (line: string) => {
    if (live) process.stdout.write(`\r\x1b[2K${line}\n${status}`);
    else console.log(line);
  };

  const simulator = new DeviceSimulator({
    ...options,
    onEvent: (event: SimulatorEvent) => {
      if (options.json) return console.log(JSON.stringify({ at: new Date().toISOString(), ...(eventToJson(event) as object) }));
      if (event.type === "connected") unit = event.dataset.unit;
      if (event.type === "batch" && live) {
        status = statusLine(event.stats);
        process.stdout.write(`\r\x1b[2K${status}`);
        return;
      }
      print(describeEvent(event, unit));
    },
  });
  const ticker = live ? setInterval(() => process.stdout.write(`\r\x1b[2K${(status = statusLine(simulator.stats))}`), 1000) : undefined;

  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) process.exit(130);
    if (!options.json) print("stopping (Ctrl-C again to quit at once)…");
    void simulator.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await simulator.run();
    return 0;
  } catch (err) {
    if (live) process.stdout.write("\r\x1b[2K");
    console.error(`simulate: ${err instanceof SimulatorError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  } finally {
    if (ticker) clearInterval(ticker);
    if (live) process.stdout.write("\n");
  }
}

/** What `npm start` left in STATE_DIR/gateway; a missing or unreadable file is left out. */
function loadGatewayState(stateDir: string): DemoGatewayState {
  const files = gatewayFiles(stateDir);
  const read = <T>(file: string, parse: (text: string) => T): T | undefined => {
    try {
      return existsSync(file) ? parse(readFileSync(file, "utf8")) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    registry: read(files.registry, () => readRegistry(files.registry)),
    secrets: read(files.secrets, (text) => JSON.parse(text) as DemoGatewayState["secrets"]),
    broker: read(files.broker, (text) => JSON.parse(text) as DemoGatewayState["broker"]),
  };
}

/** `--mqtt`: one device publishing to the gateway until Ctrl-C. */
async function runOverMqtt(options: MqttSimulateOptions): Promise<number> {
  const live = process.stdout.isTTY && !options.json;
  let status = "";
  const print = (line: string) => {
    if (live) process.stdout.write(`\r\x1b[2K${line}\n${status}`);
    else console.log(line);
  };
  const mode = options.mode === "sealed" ? "a, encrypted on this device" : "b, in clear to the gateway";
  const device = new MqttSimulatedDevice({
    device: { mqttUrl: options.mqttUrl, topicPrefix: options.topicPrefix, datasetId: options.datasetId.toString(), deviceId: options.deviceId, password: options.password, mode: options.mode },
    rate: options.rate,
    signal: createSignal({ kind: options.kind, seed: options.seed ?? `dataset ${options.datasetId}`, utcOffsetHours: -new Date().getTimezoneOffset() / 60, anomaliesPerDay: options.anomaliesPerDay }),
    ...(options.mode === "sealed"
      ? {
          seal: chainSealer({ rpcUrl: options.rpcUrl, market: options.market!, datasetId: options.datasetId, gateway: options.gateway!, network: options.network }),
          batch: { size: options.batchSize, maxDelayMs: options.maxBatchDelayMs },
        }
      : {}),
    onEvent: (event: MqttSimulatorEvent) => {
      if (options.json) return console.log(JSON.stringify({ at: new Date().toISOString(), ...event }));
      const line = describeMqttEvent(event, options);
      if (line) print(line);
    },
  });
  const statusLine = () => {
    const c = device.counters;
    return `taken ${c.taken} · queued by the gateway ${c.queued} · on the chain ${c.appended}` + (c.refused ? ` · refused ${c.refused}` : "") + (c.unconfirmed ? ` · unanswered ${c.unconfirmed}` : "") + (c.resent ? ` · resent ${c.resent}` : "");
  };
  const ticker = live ? setInterval(() => process.stdout.write(`\r\x1b[2K${(status = statusLine())}`), 1000) : undefined;
  let signals = 0;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = () => {
      if (++signals > 1) process.exit(130);
      resolve();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  try {
    if (!options.json) print(`device ${options.deviceId} (dataset ${options.datasetId}, mode ${mode}) → ${options.mqttUrl}, ${options.topicPrefix}/…`);
    await device.start();
    await stopped;
    if (!options.json) print(`stopping: ${statusLine()}`);
    return 0;
  } catch (err) {
    if (live) process.stdout.write("\r\x1b[2K");
    console.error(`simulate: ${(err as Error).message}`);
    return 1;
  } finally {
    if (ticker) clearInterval(ticker);
    await device.stop();
    if (live) process.stdout.write("\n");
  }
}

/** One line for an event of the MQTT device, or undefined for the quiet ones. */
function describeMqttEvent(event: MqttSimulatorEvent, options: MqttSimulateOptions): string | undefined {
  switch (event.type) {
    case "connected":
      return `connected to ${event.url}`;
    case "offline":
      return "lost the broker: readings are kept and sent again when it is back";
    case "appended":
      return event.latenciesMs.length > 0 ? `+${event.latenciesMs.length} readings on the chain (tx ${event.tx.slice(0, 10)}…, ${(Math.max(...event.latenciesMs) / 1000).toFixed(1)} s after they were taken)` : undefined;
    case "refused":
      return `the gateway refused ${event.readings} reading(s) (${event.code}): ${event.reason}`;
    case "anomaly":
      return `anomaly under way: ${event.name} (${event.value} at ${new Date(event.timestamp * 1000).toISOString()})`;
    case "error":
      return event.message;
    case "status":
      return event.status.status === "queued" && options.mode === "sealed" ? `sealed batch of ${event.status.lastSeq - event.status.seq + 1} queued by the gateway` : undefined;
  }
}

main().then((code) => process.exit(code));
