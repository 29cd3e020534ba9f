/**
 * Command-line options of `npm run simulate`, resolved against the environment and the deployment
 * record that `npm start` writes, so that on a running demo `--dataset greenhouse` is enough.
 */
import { parseArgs } from "node:util";
import { devWallet } from "../demo/accounts";
import type { Deployment } from "../demo/deployment-file";
import { fhevmNetworkFromEnv, type FhevmNetwork } from "../simulator/fhevm-network";
import { MAX_BATCH } from "../simulator/device-simulator";
import { SENSOR_KINDS, type SensorKind } from "../simulator/signals";

export const USAGE = `Usage: npm run simulate -- --dataset <id|name> [options]

Simulates an IoT device: samples a realistic sensor signal, encrypts the readings on the device
(one input proof per batch of up to 32) and appends them to the market. Ctrl-C stops it.

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

Environment: FHEVM_NETWORK=local|sepolia (default local), RELAYER_URL (sepolia only).`;

/** The resolved options. */
export interface SimulateOptions {
  rpcUrl: string;
  market: string;
  datasetId: bigint;
  deviceKey: string;
  rate: number;
  kind?: SensorKind;
  seed?: string;
  anomaliesPerDay?: number;
  batchSize: number;
  maxBatchDelayMs: number;
  network: FhevmNetwork;
  json: boolean;
}

/** The outcome of parsing: options to run, help to print, or a usage error. */
export type ParsedCommand = { kind: "run"; options: SimulateOptions } | { kind: "help" } | { kind: "error"; message: string };

/**
 * Parses `argv` (without node and the script) with `env` and the `deployment` found in the state
 * directory (if any). Never throws: bad input is `{ kind: "error" }` with a sentence.
 */
export function parseSimulateArgs(options: {
  argv: string[];
  env: Record<string, string | undefined>;
  loadDeployment: (stateDir: string) => Deployment | undefined;
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
