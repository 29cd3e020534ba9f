/**
 * Command-line options of `npm run simulate`, resolved against the environment and the deployment
 * record that `npm start` writes, so that on a running demo `--dataset greenhouse` is enough.
 */
import { parseArgs } from "node:util";
import { devWallet } from "../demo/accounts";
import type { Deployment } from "../demo/deployment-file";
import { fhevmNetworkFromEnv, type FhevmNetwork } from "../simulator/fhevm-network";
import { MAX_BATCH, type DeviceSimulatorOptions } from "../simulator/device-simulator";
import { SENSOR_KINDS, type SensorKind } from "../simulator/signals";
import { DeviceId, TopicPrefix } from "../gateway/protocol";
import type { DeviceMode, DeviceRegistry } from "../gateway/device-registry";
import { demoDeviceId } from "./demo-gateway";

export const USAGE = `Usage: npm run simulate -- --dataset <id|name> [--mqtt] [options]

Simulates an IoT device: samples a realistic sensor signal, encrypts the readings on the device
(one input proof per batch of up to 32) and appends them to the market. With --mqtt it publishes
them over MQTT to the gateway instead, as a real device does. Ctrl-C stops it.

  --dataset <id|name>      dataset to write to (a name is looked up in the deployment record)
  --rate <n>               readings per second (default 1; 0.2 = one every 5 s)
  --rpc <url>              chain JSON-RPC (default $CHAIN_RPC_URL, the deployment's, or http://127.0.0.1:8545)
  --market <address>       market contract (default $MARKET_ADDRESS or the deployment's)
  --device-key <hex>       the device's private key (default $DEVICE_PRIVATE_KEY, or on the local
                           chain the demo device registered for the dataset)
  --kind <kind>            sensor signal: ${SENSOR_KINDS.join(", ")} (default: from the dataset's field)
  --seed <text>            signal seed (default "dataset <id>"), for reproducible readings
  --anomalies-per-day <n>  how often anomalies occur (default: the sensor's own, about 0.4)
  --batch-size <n>         readings per transaction, 1..${MAX_BATCH} (default 32)
  --max-delay <seconds>    send a batch at the latest this long after its first reading (default 30)
  --state-dir <dir>        where npm start keeps deployment.json (default $STATE_DIR or .state)
  --json                   one JSON event per line instead of the progress line
  -h, --help               this text

Over MQTT, through the gateway (defaults from the demo npm start runs: its broker, and the spare
login of the dataset for the mode in STATE_DIR/gateway):
  --mqtt                   publish to the gateway instead of appending to the market
  --mode <a|b>             a: encrypt on the device for the gateway's account (batches of
                           --batch-size, at most --max-delay apart); b: readings in clear, each
                           sent at once, encrypted by the gateway (default b)
  --mqtt-url <url>         the broker (default $MQTT_URL, or the one npm start uses)
  --device-id <id>         the device's login and topic name (default: the demo's spare login)
  --password <text>        its password (default $MQTT_PASSWORD, or the demo's)
  --topic-prefix <prefix>  the gateway's topic prefix (default: the demo registry's)
  --gateway <address>      mode a: the gateway's account, which the readings are encrypted for
                           (default: the deployment's gateway)

Environment: FHEVM_NETWORK=local|sepolia (default local), RELAYER_URL (sepolia only).`;

/** The resolved options: the device simulator's, those the command line sets always set, and --json. */
export interface SimulateOptions
  extends Pick<DeviceSimulatorOptions, "rpcUrl" | "market" | "datasetId" | "deviceKey" | "rate" | "kind" | "anomaliesPerDay">,
    Required<Pick<DeviceSimulatorOptions, "batchSize" | "maxBatchDelayMs" | "network">> {
  seed?: string;
  json: boolean;
}

/** The resolved options of `--mqtt`: a device that publishes to the gateway. */
export interface MqttSimulateOptions {
  mqttUrl: string;
  topicPrefix: string;
  datasetId: bigint;
  deviceId: string;
  password: string;
  /** a = sealed, b = plain. */
  mode: DeviceMode;
  rate: number;
  kind: SensorKind;
  seed?: string;
  anomaliesPerDay?: number;
  /** Mode a: readings per message and the longest a reading waits. */
  batchSize: number;
  maxBatchDelayMs: number;
  /** Mode a: where to read the dataset's encoding and whom to encrypt for. */
  rpcUrl: string;
  market: string | undefined;
  gateway: string | undefined;
  network: FhevmNetwork;
  json: boolean;
}

/** What `npm start` left in STATE_DIR/gateway for the demo (each part may be missing). */
export interface DemoGatewayState {
  registry?: DeviceRegistry;
  /** Device id → password, and the instance id of the demo's names. */
  secrets?: { instance: string; devices: Record<string, string> };
  broker?: { url: string };
}

/** The outcome of parsing: options to run, help to print, or a usage error. */
export type ParsedCommand =
  | { kind: "run"; options: SimulateOptions }
  | { kind: "mqtt"; options: MqttSimulateOptions }
  | { kind: "help" }
  | { kind: "error"; message: string };

/**
 * Parses `argv` (without node and the script) with `env` and the `deployment` found in the state
 * directory (if any). Never throws: bad input is `{ kind: "error" }` with a sentence.
 */
export function parseSimulateArgs(options: {
  argv: string[];
  env: Record<string, string | undefined>;
  loadDeployment: (stateDir: string) => Deployment | undefined;
  /** The demo's gateway files (`--mqtt` only). */
  loadGatewayState?: (stateDir: string) => DemoGatewayState;
}): ParsedCommand {
  const { env } = options;
  let values;
  try {
    ({ values } = parseArgs({
      args: options.argv,
      strict: true,
      allowPositionals: false,
      options: {
        dataset: { type: "string" },
        rate: { type: "string" },
        rpc: { type: "string" },
        market: { type: "string" },
        "device-key": { type: "string" },
        kind: { type: "string" },
        seed: { type: "string" },
        "anomalies-per-day": { type: "string" },
        "batch-size": { type: "string" },
        "max-delay": { type: "string" },
        "state-dir": { type: "string" },
        json: { type: "boolean", default: false },
        mqtt: { type: "boolean", default: false },
        mode: { type: "string" },
        "mqtt-url": { type: "string" },
        "device-id": { type: "string" },
        password: { type: "string" },
        "topic-prefix": { type: "string" },
        gateway: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    return { kind: "error", message: err instanceof Error ? err.message : String(err) };
  }
  if (values.help) return { kind: "help" };
  if (!values.dataset) return { kind: "error", message: "--dataset is required" };

  const number = (name: string, text: string | undefined, fallback: number, check: (n: number) => boolean, what: string) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || !check(n)) throw new Error(`--${name} must be ${what}, got "${text}"`);
    return n;
  };

  try {
    const network = fhevmNetworkFromEnv(env);
    const stateDir = values["state-dir"] ?? env.STATE_DIR ?? ".state";
    const deployment = options.loadDeployment(stateDir);

    let datasetId: bigint;
    const record = /^\d+$/.test(values.dataset)
      ? deployment?.datasets.find((d) => d.id === values.dataset)
      : deployment?.datasets.find((d) => d.name === values.dataset);
    if (/^\d+$/.test(values.dataset)) datasetId = BigInt(values.dataset);
    else if (record) datasetId = BigInt(record.id);
    else {
      const known = deployment ? ` (known: ${deployment.datasets.map((d) => d.name).join(", ")})` : ` (no deployment record in ${stateDir}: is npm start running?)`;
      throw new Error(`no dataset named "${values.dataset}"${known}; pass its numeric id instead`);
    }

    const mqttOnly = (["mode", "mqtt-url", "device-id", "password", "topic-prefix", "gateway"] as const).filter((name) => values[name] !== undefined);
    if (!values.mqtt && mqttOnly.length > 0) throw new Error(`--${mqttOnly[0]} goes with --mqtt`);
    if (values.mqtt) {
      const state = options.loadGatewayState?.(stateDir) ?? {};
      return { kind: "mqtt", options: mqttOptions({ values, env, stateDir, deployment, record, datasetId, state, network, number }) };
    }

    const market = values.market ?? env.MARKET_ADDRESS ?? deployment?.marketAddress;
    if (!market) throw new Error(`no market address: pass --market, set MARKET_ADDRESS, or start the demo with npm start (which records it in ${stateDir}/deployment.json)`);
    if (!/^0x[0-9a-fA-F]{40}$/.test(market)) throw new Error(`the market address must be 20 bytes of hex, got "${market}"`);

    let deviceKey = values["device-key"] ?? env.DEVICE_PRIVATE_KEY;
    if (!deviceKey && record && network.name === "local") deviceKey = devWallet(record.device.index).privateKey;
    if (!deviceKey) {
      throw new Error(`no device key: pass --device-key or set DEVICE_PRIVATE_KEY (the key of a device the seller registered for dataset ${datasetId})`);
    }
    if (!/^(0x)?[0-9a-fA-F]{64}$/.test(deviceKey)) throw new Error("the device key must be 32 bytes of hex");

    const kind = values.kind;
    if (kind !== undefined && !(SENSOR_KINDS as string[]).includes(kind)) {
      throw new Error(`--kind must be one of ${SENSOR_KINDS.join(", ")}, got "${kind}"`);
    }
    const anomalies = values["anomalies-per-day"];
    return {
      kind: "run",
      options: {
        rpcUrl: values.rpc ?? env.CHAIN_RPC_URL ?? deployment?.rpcUrl ?? "http://127.0.0.1:8545",
        market,
        datasetId,
        deviceKey,
        rate: number("rate", values.rate, 1, (n) => n > 0 && n <= 1000, "a number of readings per second in (0, 1000]"),
        ...(kind ? { kind: kind as SensorKind } : {}),
        ...(values.seed !== undefined ? { seed: values.seed } : {}),
        ...(anomalies !== undefined ? { anomaliesPerDay: number("anomalies-per-day", anomalies, 0, (n) => n >= 0, "a number ≥ 0") } : {}),
        batchSize: number("batch-size", values["batch-size"], MAX_BATCH, (n) => Number.isInteger(n) && n >= 1 && n <= MAX_BATCH, `an integer from 1 to ${MAX_BATCH}`),
        maxBatchDelayMs: 1000 * number("max-delay", values["max-delay"], 30, (n) => n > 0, "a positive number of seconds"),
        network,
        json: values.json ?? false,
      },
    };
  } catch (err) {
    return { kind: "error", message: err instanceof Error ? err.message : String(err) };
  }
}

/** `--mqtt`'s options, from the flags, the environment and what the running demo left in the state directory. */
function mqttOptions(options: {
  values: Record<string, string | boolean | undefined>;
  env: Record<string, string | undefined>;
  stateDir: string;
  deployment: Deployment | undefined;
  record: Deployment["datasets"][number] | undefined;
  datasetId: bigint;
  state: DemoGatewayState;
  network: FhevmNetwork;
  number: (name: string, text: string | undefined, fallback: number, check: (n: number) => boolean, what: string) => number;
}): MqttSimulateOptions {
  const { env, state, record, number } = options;
  const values = options.values as Record<string, string | undefined> & { json?: boolean };
  const modeText = values.mode ?? "b";
  if (modeText !== "a" && modeText !== "b") throw new Error(`--mode must be a (encrypted on the device) or b (in clear to the gateway), got "${modeText}"`);
  const mode: DeviceMode = modeText === "a" ? "sealed" : "plain";
  const demo = `the demo's gateway files in ${options.stateDir}/gateway (is npm start running?)`;

  const mqttUrl = values["mqtt-url"] ?? env.MQTT_URL ?? state.broker?.url;
  if (!mqttUrl) throw new Error(`no broker: pass --mqtt-url or set MQTT_URL (there are no ${demo})`);
  if (!/^(mqtts?|wss?):\/\//.test(mqttUrl)) throw new Error(`the broker URL must start with mqtt://, mqtts://, ws:// or wss://, got "${mqttUrl}"`);

  const spare = state.secrets && record ? demoDeviceId(state.secrets.instance, record.name, mode === "sealed" ? "sim-sealed" : "sim-plain") : undefined;
  const deviceId = values["device-id"] ?? spare;
  if (!deviceId) throw new Error(`no device login: pass --device-id and --password (there are no ${demo})`);
  const checkedId = DeviceId.safeParse(deviceId);
  if (!checkedId.success) throw new Error(`--device-id ${checkedId.error.issues[0]!.message}, got "${deviceId}"`);
  const password = values.password ?? env.MQTT_PASSWORD ?? state.secrets?.devices[deviceId];
  if (!password) throw new Error(`no password for device "${deviceId}": pass --password or set MQTT_PASSWORD`);
  const registered = state.registry?.devices.find((d) => d.id === deviceId);
  if (registered && (registered.datasetId !== options.datasetId.toString() || registered.mode !== mode)) {
    throw new Error(`device "${deviceId}" is registered with the gateway for dataset ${registered.datasetId} in mode ${registered.mode === "sealed" ? "a" : "b"}, not dataset ${options.datasetId} in mode ${modeText}`);
  }
  const topicPrefix = values["topic-prefix"] ?? state.registry?.topicPrefix;
  if (!topicPrefix) throw new Error(`no topic prefix: pass --topic-prefix (the gateway's; there are no ${demo})`);
  if (!TopicPrefix.safeParse(topicPrefix).success) throw new Error(`--topic-prefix must be topic levels of letters, digits, '-', '_' or '.', got "${topicPrefix}"`);

  const kind = (values.kind ?? record?.kind) as SensorKind | undefined;
  if (!kind || !(SENSOR_KINDS as string[]).includes(kind)) {
    throw new Error(kind ? `--kind must be one of ${SENSOR_KINDS.join(", ")}, got "${kind}"` : `pass --kind (${SENSOR_KINDS.join(", ")}): a device over MQTT does not read the dataset's field from the chain`);
  }
  const market = values.market ?? env.MARKET_ADDRESS ?? options.deployment?.marketAddress;
  const gateway = values.gateway ?? options.deployment?.accounts.gateway?.address;
  if (mode === "sealed") {
    if (!market || !/^0x[0-9a-fA-F]{40}$/.test(market)) throw new Error("mode a encrypts for the market: pass --market (or set MARKET_ADDRESS), 20 bytes of hex");
    if (!gateway || !/^0x[0-9a-fA-F]{40}$/.test(gateway)) throw new Error("mode a encrypts for the gateway's account: pass --gateway <address> (20 bytes of hex)");
  }
  const anomalies = values["anomalies-per-day"];
  return {
    mqttUrl,
    topicPrefix,
    datasetId: options.datasetId,
    deviceId,
    password,
    mode,
    rate: number("rate", values.rate, 1, (n) => n > 0 && n <= 1000, "a number of readings per second in (0, 1000]"),
    kind,
    ...(values.seed !== undefined ? { seed: values.seed } : {}),
    ...(anomalies !== undefined ? { anomaliesPerDay: number("anomalies-per-day", anomalies, 0, (n) => n >= 0, "a number ≥ 0") } : {}),
    batchSize: number("batch-size", values["batch-size"], MAX_BATCH, (n) => Number.isInteger(n) && n >= 1 && n <= MAX_BATCH, `an integer from 1 to ${MAX_BATCH}`),
    maxBatchDelayMs: 1000 * number("max-delay", values["max-delay"], 30, (n) => n > 0, "a positive number of seconds"),
    rpcUrl: values.rpc ?? env.CHAIN_RPC_URL ?? options.deployment?.rpcUrl ?? "http://127.0.0.1:8545",
    market,
    gateway,
    network: options.network,
    json: values.json ?? false,
  };
}
