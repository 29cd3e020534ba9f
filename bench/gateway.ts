/**
 * `npm run bench:gateway [-- --json] [--devices 100] [--datasets 4] [--backlog 64] [--seconds 30]
 * [--mode a|b] [--broker embedded|mosquitto]`: the MQTT gateway on this machine, end to end.
 *
 * Set-up: a local Hardhat node with the fhevm mock, a market whose datasets have the gateway's
 * account registered as their device, a broker (the embedded one by default; `--broker mosquitto`
 * uses 127.0.0.1:1883), the gateway as its own process (`npm run gateway`'s entry, the way
 * `npm start` runs it) with a durable queue in the local Redis, and `--devices` simulated devices
 * in this process, each with its own login and topic, spread over `--datasets` datasets, publishing
 * in mode b (readings in clear; the gateway encrypts and batches across devices) or with `--mode a`
 * in mode a (each device encrypts its batches for the gateway: one proof per message).
 *
 * 1. Capacity: every device publishes a backlog of `--backlog` readings at once, so the gateway
 *    always has full batches; sustained readings per second = readings / (first publish → last
 *    reading reported on the chain to its device). Meanwhile the CPU time of the chain node, the
 *    gateway and this process (devices and broker), and where each batch's time went in the gateway
 *    (preparing: encryption, signing, recording; then broadcast → receipt), which say what bounds
 *    the rate.
 * 2. Latency: the devices publish at a steady half of that capacity for `--seconds`; p50 / p95 /
 *    max from a reading's publication to its device hearing on its status topic that it is on the
 *    chain.
 * 3. Every reading is read back from the chain (the mock's clear text of every append's handles):
 *    readings lost and readings duplicated, both must be 0.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { HDNodeWallet, Interface, JsonRpcProvider, Mnemonic, Network } from "ethers";
import { Redis } from "ioredis";
import { EXACT_PRIVACY, connectMarket, createFhevmInstance, encryptReadings, iotDataMarketAbi, type IoTDataMarket } from "@iotdm/contracts-client";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import { freePort, startLocalChain, type LocalChain } from "@iotdm/contracts-client/local-chain";
import { findRepositoryRoot } from "@iotdm/contracts-client/repo-root";
import {
  MqttDevice,
  hashPassword,
  newPassword,
  startEmbeddedBroker,
  writeRegistry,
  type BatchTimings,
  type DeviceMode,
  type DeviceRegistry,
  type EmbeddedBroker,
} from "@iotdm/workbench/gateway";
import { readCpu, type CpuReading } from "./cpu-usage";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const MOSQUITTO_URL = "mqtt://127.0.0.1:1883";
/** Hardhat's public development mnemonic: accounts funded on the local chain only. */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";
const ACCOUNTS = { admin: 0, operator: 1, seller: 2, gateway: 16 } as const;
/** A device's readings are numbered k · 10^6 + i, so that every reading on the chain names its device and its place. */
const PER_DEVICE = 1_000_000;

interface Options {
  json: boolean;
  devices: number;
  datasets: number;
  backlog: number;
  seconds: number;
  mode: DeviceMode;
  broker: "embedded" | "mosquitto";
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const n = Number(value(name) ?? fallback);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const mode = value("--mode") ?? "b";
  if (mode !== "a" && mode !== "b") throw new Error("--mode must be a (sealed on the device) or b (plain to the gateway)");
  const broker = value("--broker") ?? "embedded";
  if (broker !== "embedded" && broker !== "mosquitto") throw new Error("--broker must be embedded or mosquitto");
  return {
    json: argv.includes("--json"),
    devices: integer("--devices", 100, 1, 1000),
    datasets: integer("--datasets", 4, 1, 50),
    backlog: integer("--backlog", 64, 1, 4096),
    seconds: integer("--seconds", 30, 5, 3600),
    mode: mode === "a" ? "sealed" : "plain",
    broker,
  };
}

/** The gateway's process and what it says about each batch. */
interface GatewayProcess {
  child: ChildProcess;
  batches: (BatchTimings & { readings: number; at: number })[];
  stop(): Promise<void>;
}

/** A device of the benchmark: its counters, and the latencies it heard (ms, publish → on the chain). */
interface BenchDevice {
  index: number;
  device: MqttDevice;
  datasetId: string;
  published: number;
  latenciesMs: number[];
}

const json = process.argv.includes("--json");
const log = (line: string) => {
  if (!json) console.log(line);
};
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const run = randomBytes(4).toString("hex");
  const root = findRepositoryRoot();
  const dir = mkdtempSync(path.join(tmpdir(), "bench-gateway-"));
  const wallet = (index: number) => HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`);
  const cleanup: (() => Promise<unknown> | unknown)[] = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    log(`starting a local chain, a market with ${options.datasets} datasets, the ${options.broker} broker and the gateway…`);
    const chain: LocalChain = await startLocalChain({ port: await freePort() });
    cleanup.push(() => chain.stop());
    const provider = new JsonRpcProvider(chain.rpcUrl, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
    cleanup.push(() => provider.destroy());
    const gatewayWallet = wallet(ACCOUNTS.gateway);
    const { address: marketAddress } = await deployMarket({ signer: wallet(ACCOUNTS.admin).connect(provider), operator: wallet(ACCOUNTS.operator).address });
    const market = connectMarket(marketAddress, wallet(ACCOUNTS.seller).connect(provider));
    for (let d = 1; d <= options.datasets; d++) {
      const params = { name: `bench-${d}`, field: "count", unit: "", scale: 0, offset: 0n, pricePerPeriod: 1000n, periodSeconds: 3600, bucketSize: 4n, privacy: EXACT_PRIVACY, rollups: 0 };
      await (await market.createDataset!(params)).wait();
      await (await market.registerDevice!(BigInt(d), gatewayWallet.address)).wait();
    }

    // One login and topic per device; mode b by default.
    const passwords = new Map<string, string>();
    const gatewayPassword = newPassword();
    const registry: DeviceRegistry = {
      version: 1,
      topicPrefix: `iotdm-bench/${run}`,
      gateway: { username: `gw-bench-${run}`, passwordHash: hashPassword(gatewayPassword) },
      devices: Array.from({ length: options.devices }, (_, k) => {
        const id = `bench-${k}-${run}`;
        passwords.set(id, newPassword());
        return { id, datasetId: String((k % options.datasets) + 1), mode: options.mode, passwordHash: hashPassword(passwords.get(id)!) };
      }),
    };
    writeRegistry(path.join(dir, "registry.json"), registry);

    let brokerUrl = MOSQUITTO_URL;
    if (options.broker === "embedded") {
      const broker: EmbeddedBroker = await startEmbeddedBroker({ registry: () => registry });
      cleanup.push(() => broker.close());
      brokerUrl = broker.url;
    }
    const redisPrefix = "iotdm-bench";
    const gatewayName = `bench-${run}`;
    cleanup.push(() => forgetRedisKeys(`${redisPrefix}:{gateway:${gatewayName}}:*`));
    const gateway = await startGateway({
      root,
      env: {
        ...process.env,
        MQTT_URL: brokerUrl,
        REDIS_URL,
        QUEUE_PREFIX: redisPrefix,
        GATEWAY_NAME: gatewayName,
        CHAIN_RPC_URL: chain.rpcUrl,
        MARKET_ADDRESS: marketAddress,
        GATEWAY_PRIVATE_KEY: gatewayWallet.privateKey,
        GATEWAY_REGISTRY: path.join(dir, "registry.json"),
        GATEWAY_PASSWORD: gatewayPassword,
        GATEWAY_MAX_BATCH_DELAY_MS: "500",
        STATE_DIR: dir,
        // Each batch's timings are debug lines.
        LOG_LEVEL: "debug",
      },
    });
    cleanup.push(() => gateway.stop());

    // Mode a: each device encrypts for (market, gateway), one proof per message of up to 32.
    const instance = options.mode === "sealed" ? await createFhevmInstance({ provider }) : undefined;
    const devices: BenchDevice[] = registry.devices.map((entry, index) => {
      const bench: BenchDevice = { index, device: undefined!, datasetId: entry.datasetId, published: 0, latenciesMs: [] };
      bench.device = new MqttDevice({
        mqttUrl: brokerUrl,
        topicPrefix: registry.topicPrefix,
        datasetId: entry.datasetId,
        deviceId: entry.id,
        password: passwords.get(entry.id)!,
        mode: entry.mode,
        resendAfterMs: 10_000,
        ...(instance
          ? {
              seal: async (readings) =>
                (await encryptReadings({ instance, market: marketAddress, appender: gatewayWallet.address, values: readings.map((r) => BigInt(r.value)) }))[0]!,
              batch: { size: 32, maxDelayMs: 1_000 },
            }
          : {}),
        onEvent: (event) => {
          if (event.type === "appended") bench.latenciesMs.push(...event.latenciesMs);
        },
      });
      return bench;
    });
    cleanup.push(() => Promise.all(devices.map((d) => d.device.stop())));
    await Promise.all(devices.map((d) => d.device.start()));
    log(`${options.devices} devices connected (mode ${options.mode === "sealed" ? "a" : "b"}); gateway pid ${gateway.child.pid}, chain pid ${chain.pid}`);

    // Timestamps: in the past, increasing per device, the latency phase's after the backlog's.
    const now = Math.floor(Date.now() / 1000);
    const push = (d: BenchDevice, t: number) => {
      d.device.push({ t, value: d.index * PER_DEVICE + d.published });
      d.published++;
    };

    // 1. Capacity: a backlog on every device at once.
    const total = options.devices * options.backlog;
    log(`capacity: ${total.toLocaleString("en")} readings published at once (${options.backlog} per device)…`);
    const loadBefore = os.loadavg().map((l) => round(l, 2));
    const cpuBefore = cpuOf([chain.pid, gateway.child.pid, process.pid]);
    const batchesBefore = gateway.batches.length;
    const started = performance.now();
    for (const d of devices) for (let i = 0; i < options.backlog; i++) push(d, now - 3600 + i);
    await until(() => devices.every((d) => d.device.counters.unconfirmed === 0 && d.device.awaitingChain === 0), 30 * 60_000, "the backlog on the chain");
    const capacityMs = performance.now() - started;
    const cpuAfter = cpuOf([chain.pid, gateway.child.pid, process.pid]);
    const batches = gateway.batches.slice(batchesBefore);
    const capacityRate = total / (capacityMs / 1000);
    const cpuMs = (i: number) => (cpuBefore[i] && cpuAfter[i] ? cpuAfter[i]!.processMs! - cpuBefore[i]!.processMs! : null);
    const cpuShare = (i: number) => (cpuMs(i) === null ? null : round(cpuMs(i)! / capacityMs, 2));
    const cpuPerBatch = (i: number) => (cpuMs(i) === null || batches.length === 0 ? null : Math.round(cpuMs(i)! / batches.length));
    const steal = cpuBefore[0] && cpuAfter[0] ? stealShare(cpuBefore[0], cpuAfter[0]) : null;
    const mean = (pick: (b: (typeof batches)[number]) => number) => (batches.length ? round(batches.reduce((s, b) => s + pick(b), 0) / batches.length) : 0);
    const appenderBusy = round(batches.reduce((s, b) => s + b.prepareMs + b.chainMs, 0) / capacityMs, 2);
    const capacity = {
      readings: total,
      seconds: round(capacityMs / 1000, 2),
      readingsPerSecond: round(capacityRate),
      batches: batches.length,
      meanBatchReadings: batches.length ? round(batches.reduce((s, b) => s + b.readings, 0) / batches.length) : 0,
      meanBatchMs: { prepare: mean((b) => b.prepareMs), encrypt: mean((b) => b.encryptMs), estimate: mean((b) => b.estimateMs), chain: mean((b) => b.chainMs) },
      appenderBusyShare: appenderBusy,
      cpuShareOfOneCore: { chainNode: cpuShare(0), gateway: cpuShare(1), devicesAndBroker: cpuShare(2) },
      cpuMsPerBatch: { chainNode: cpuPerBatch(0), gateway: cpuPerBatch(1), devicesAndBroker: cpuPerBatch(2) },
      wallMsPerBatch: batches.length ? Math.round(capacityMs / batches.length) : null,
      loadAverageBefore: loadBefore,
      stealShare: steal,
    };
    log(`  ${capacity.readingsPerSecond} readings/s (${capacity.seconds} s, ${capacity.batches} batches of ${capacity.meanBatchReadings} on average)`);

    // 2. Latency at half the capacity, for --seconds.
    const perDevice = Math.max(0.05, (capacityRate / 2) / options.devices);
    const offered = perDevice * options.devices;
    log(`latency: ${round(offered)} readings/s (${round(perDevice, 2)} per device) for ${options.seconds} s…`);
    for (const d of devices) d.latenciesMs.length = 0;
    const pacedStart = performance.now();
    const pacedEnd = pacedStart + options.seconds * 1000;
    const timers = devices.map((d) => {
      // Each device on its own phase, so that the load is spread over the interval.
      const interval = 1000 / perDevice;
      let next = pacedStart + Math.random() * interval;
      const tick = (): NodeJS.Timeout | undefined => {
        if (next >= pacedEnd) return undefined;
        push(d, Math.min(Math.floor(Date.now() / 1000), now + 1 + d.published));
        next += interval;
        return (timer = setTimeout(tick, Math.max(0, next - performance.now())));
      };
      let timer: NodeJS.Timeout | undefined = setTimeout(tick, Math.max(0, next - performance.now()));
      return () => clearTimeout(timer);
    });
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
    timers.forEach((stop) => stop());
    const pacedReadings = devices.reduce((s, d) => s + d.published, 0) - total;
    await until(() => devices.every((d) => d.device.counters.unconfirmed === 0 && d.device.awaitingChain === 0), 10 * 60_000, "the paced readings on the chain");
    const latencies = devices.flatMap((d) => d.latenciesMs).sort((a, b) => a - b);
    const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))] ?? 0;
    const paced = {
      offeredPerSecond: round(offered),
      readings: pacedReadings,
      seconds: options.seconds,
      latencyMs: { p50: Math.round(at(50)), p95: Math.round(at(95)), max: Math.round(latencies.at(-1) ?? 0) },
      latencySamples: latencies.length,
    };
    log(`  p50 ${paced.latencyMs.p50} ms, p95 ${paced.latencyMs.p95} ms, max ${paced.latencyMs.max} ms over ${latencies.length.toLocaleString("en")} readings`);

    // 3. Every reading, read back from the chain.
    log("reading every reading back from the chain…");
    const expected = devices.flatMap((d) => Array.from({ length: d.published }, (_, i) => d.index * PER_DEVICE + i));
    const found = new Map<number, number>();
    let proofs = 0;
    const proofSet = new Set<string>();
    for (let d = 1; d <= options.datasets; d++) {
      const onChain = await readBack({ provider, market, datasetId: BigInt(d) });
      for (const value of onChain.values) found.set(value, (found.get(value) ?? 0) + 1);
      proofs += onChain.proofs.length;
      onChain.proofs.forEach((p) => proofSet.add(p));
    }
    const expectedSet = new Set(expected);
    const lost = expected.filter((v) => !found.has(v)).length;
    let duplicated = 0;
    for (const [value, times] of found) duplicated += expectedSet.has(value) ? times - 1 : times;

    const bound = boundSentence(capacity);
    const { prepare, estimate, chain: chainMs } = capacity.meanBatchMs;
    const nodeMs = Math.round(chainMs + estimate);
    const gatewayMs = Math.round(prepare - estimate);
    const boundSummary =
      capacity.appenderBusyShare >= 0.75
        ? `one append at a time: ${nodeMs >= gatewayMs ? `the chain node's ${nodeMs} ms per batch of ${capacity.meanBatchReadings}, then the gateway's ${gatewayMs} ms` : `the gateway's ${gatewayMs} ms per batch, then the chain node's ${nodeMs} ms`}`
        : "the machine's CPU";
    const report = {
      benchmark: "gateway",
      devices: options.devices,
      datasets: options.datasets,
      mode: options.mode === "sealed" ? "a" : "b",
      broker: options.broker,
      gatewayMaxBatchDelayMs: 500,
      capacity,
      paced,
      readingsPublished: expected.length,
      lost,
      duplicated,
      appends: proofs,
      proofsReused: proofs - proofSet.size,
      bound,
      boundSummary,
      targets: { lossFree: lost === 0 && duplicated === 0 },
    };
    if (json) console.log(JSON.stringify(report, null, 2));
    else {
      log(`\nreadings published ${expected.length.toLocaleString("en")}, lost ${lost}, duplicated ${duplicated}; ${proofs} appends, ${report.proofsReused} proofs used twice`);
      log(`bound: ${bound}`);
    }
    if (lost !== 0 || duplicated !== 0) process.exitCode = 1;
  } finally {
    for (const step of cleanup.reverse()) await Promise.resolve(step()).catch(() => undefined);
  }
}

/** `npm run gateway`'s entry as a child process; resolves when it says it is ready. */
async function startGateway(options: { root: string; env: NodeJS.ProcessEnv }): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "workbench/launcher/gateway.ts"], { cwd: options.root, env: options.env, stdio: ["ignore", "pipe", "inherit"] });
  const batches: GatewayProcess["batches"] = [];
  const ready = new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the gateway exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (record.msg === "gateway ready") resolve();
      if (record.msg === "appended" && typeof record.chainMs === "number") {
        batches.push({
          readings: record.readings as number,
          prepareMs: record.prepareMs as number,
          encryptMs: record.encryptMs as number,
          estimateMs: (record.estimateMs as number | undefined) ?? 0,
          chainMs: record.chainMs as number,
          at: performance.now(),
        });
      }
      if (typeof record.level === "number" && record.level >= 40 && !json) console.error(`gateway: ${String(record.msg)}`);
    });
  });
  await ready;
  return {
    child,
    batches,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The values and the proofs of every append to `datasetId` (the mock's clear text of the handles in each append's calldata). */
async function readBack(options: { provider: JsonRpcProvider; market: IoTDataMarket; datasetId: bigint }): Promise<{ values: number[]; proofs: string[] }> {
  const marketInterface = new Interface(iotDataMarketAbi);
  const logs = await options.market.queryFilter(options.market.filters.ReadingsAppended!(options.datasetId));
  const values: number[] = [];
  const proofs: string[] = [];
  for (const entry of logs) {
    const tx = await options.provider.getTransaction(entry.transactionHash);
    const call = marketInterface.parseTransaction({ data: tx!.data })!;
    const handles = call.args[1] as string[];
    proofs.push(call.args[2] as string);
    const clear = (await options.provider.send("fhevm_getClearText", [handles])) as (string | number)[];
    values.push(...clear.map(Number));
  }
  return { values, proofs };
}

/** What bounds the rate, in words, from where the time went during the capacity phase. */
function boundSentence(capacity: {
  meanBatchReadings: number;
  meanBatchMs: { prepare: number; encrypt: number; estimate: number; chain: number };
  appenderBusyShare: number;
  cpuShareOfOneCore: { chainNode: number | null; gateway: number | null; devicesAndBroker: number | null };
  cpuMsPerBatch: { chainNode: number | null; gateway: number | null; devicesAndBroker: number | null };
  wallMsPerBatch: number | null;
  loadAverageBefore: number[];
  stealShare: number | null;
}): string {
  const { meanBatchMs: t, cpuMsPerBatch: cpu } = capacity;
  const pct = (share: number | null) => (share === null ? "n/a" : `${Math.round(share * 100)} %`);
  const ms = (value: number | null) => (value === null ? "n/a" : `${value} ms`);
  const machine =
    `CPU per batch: chain node ${ms(cpu.chainNode)}, gateway ${ms(cpu.gateway)}, devices and broker ${ms(cpu.devicesAndBroker)}, ` +
    `against ${ms(capacity.wallMsPerBatch)} of wall time per batch; load average ${capacity.loadAverageBefore[0]} on ${os.cpus().length} cores before, steal ${pct(capacity.stealShare)}`;
  const computed = (cpu.chainNode ?? 0) + (cpu.gateway ?? 0);
  const waited = capacity.wallMsPerBatch !== null && cpu.chainNode !== null && computed < 0.8 * capacity.wallMsPerBatch;
  const perBatch =
    `${t.prepare} ms preparing a batch of ${capacity.meanBatchReadings} (${t.estimate > 0 ? `${t.estimate} ms of it the node's dry run of the device's sealed batch` : `${t.encrypt} ms of it encrypting`})` +
    ` and ${t.chain} ms from its broadcast to its receipt`;
  if (capacity.appenderBusyShare >= 0.75) {
    const limit = Math.round((capacity.meanBatchReadings * 1000) / (t.prepare + t.chain));
    // The node's time: mining and receipts, and the dry run of a sealed batch (mode a), which it executes twice.
    const nodeMs = t.chain + t.estimate;
    const executes = t.estimate > 0 ? "executes each append twice (a dry run of the device's sealed batch, then mined; 32 fromExternal on the fhevm mock)" : "mines each append (32 fromExternal on the fhevm mock)";
    const part = nodeMs >= t.prepare - t.estimate ? `the chain: the Hardhat node ${executes} and serves its receipt` : "the gateway's preparation of each batch";
    return (
      `one append at a time (the appender was busy ${pct(capacity.appenderBusyShare)} of the time), mostly ${part}: ${perBatch}, i.e. at most ${limit} readings/s. ` +
      (waited ? `The chain node and the gateway computed for less than the wall time: they waited for a core (${machine})` : `(${machine})`)
    );
  }
  return `not the appender (busy ${pct(capacity.appenderBusyShare)}; ${perBatch}): the machine's CPU (${machine})`;
}

function cpuOf(pids: (number | undefined)[]): (CpuReading | undefined)[] {
  return pids.map((pid) => (pid === undefined ? undefined : readCpu(pid)));
}

function stealShare(before: CpuReading, after: CpuReading): number {
  const ticks = after.machine.totalTicks - before.machine.totalTicks;
  return ticks > 0 ? round((after.machine.stealTicks - before.machine.stealTicks) / ticks, 3) : 0;
}

/** Polls `check` every 100 ms until it holds, or fails after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Deletes the gateway's Redis keys. */
async function forgetRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(`bench:gateway: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
