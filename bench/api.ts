/**
 * `npm run bench:api [-- --json] [-- --url http://127.0.0.1:8787] [-- --duration 10] [-- --check] [-- --log-level debug]`:
 * latency and throughput of the workbench API over loopback with 50 concurrent clients, for the
 * dataset catalogue (`GET /api/datasets`) and a notebook read (`GET /api/notebooks/:id`, signed in
 * with a bearer token). Each route is measured at the target rate — 500 req/s in total, evenly
 * spaced over the 50 clients (see constant-rate.ts: target p99 < 20 ms) — and unthrottled with
 * autocannon (the maximum, each client sending its next request as soon as the last is answered).
 * Prints a table, or one JSON document with --json; --check exits 1 when a target is missed.
 *
 * Without --url it starts its own server the way `npm start` runs it (bench/service.ts: from source
 * under node with tsx's loader, its default log level, its output read from a pipe, a queue of its
 * own in the local Redis) with the chain indexer on, following a local Hardhat node with the market
 * deployed (polling it every second, as it does under `npm start`), over a fresh SQLite file seeded
 * with a catalogue of 200 datasets as the indexer would have written it up to the chain's head; with
 * --url it drives a running one (whose catalogue is whatever its chain holds). `--profile <dir>`
 * writes a CPU profile of the server it starts; `--log-level <level>` starts it at another log level than
 * the default (`debug` logs every request, as info did before reads that succeeded moved to debug).
 */
import { EXACT_PRIVACY } from "@iotdm/contracts-client";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { Wallet } from "ethers";
import { indexerKey } from "@iotdm/workbench/indexer";
import { createStore, NO_RUN_EARNINGS } from "@iotdm/workbench/store";
import { startMarketFixture, type MarketFixture } from "@iotdm/worker/testing";
import { constantRate } from "./constant-rate";
import { cpuUsage, readCpu, type CpuReading } from "./cpu-usage";
import { post, signIn, startService } from "./service";

const CONNECTIONS = 50;
const TARGET_RATE = 500;
const TARGET_P99_MS = 20;
const SEEDED_DATASETS = 200;

interface Options {
  json: boolean;
  check: boolean;
  url: string | undefined;
  durationSeconds: number;
  /** Writes a V8 CPU profile of the server it starts into this folder (`--profile <dir>`). */
  profileDir: string | undefined;
  /** The LOG_LEVEL of the server it starts; undefined: the service's default (info). */
  logLevel: string | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const duration = Number(value("--duration") ?? 10);
  if (!Number.isFinite(duration) || duration < 1) throw new Error("--duration must be a number of seconds ≥ 1");
  return {
    json: argv.includes("--json"),
    check: argv.includes("--check"),
    url: value("--url"),
    durationSeconds: duration,
    profileDir: value("--profile"),
    logLevel: value("--log-level"),
  };
}

/** One measurement. */
interface Measurement {
  route: string;
  mode: "target" | "max";
  /** The rate asked for (req/s in total), or null unthrottled. */
  rate: number | null;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  requests: number;
  non2xx: number;
  errors: number;
  /** p99 < 20 ms (target mode only). */
  targetMet: boolean | null;
  /** The server's CPU time per request, µs (null when it runs elsewhere: --url). */
  serverCpuUsPerRequest: number | null;
  /** Share of the machine's CPU the hypervisor gave to other guests during the row (Linux; null elsewhere). */
  stealShare: number | null;
}

/** A server to measure, and how to stop it. */
interface Server {
  url: string;
  started: boolean;
  /** The server's process id when the benchmark started it. */
  pid: number | undefined;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const log = (line: string) => {
    if (!options.json) console.log(line);
  };
  const server = options.url
    ? { url: options.url.replace(/\/$/, ""), started: false, pid: undefined, stop: async () => undefined }
    : await startServer(log, options.profileDir, options.logLevel);
  try {
    const loadBefore = os.loadavg().map(round);
    const token = await signIn(server.url, Wallet.createRandom());
    const notebookId = await createNotebook(server.url, token);
    const routes = [
      { route: "GET /api/datasets", path: "/api/datasets" },
      { route: "GET /api/notebooks/:id", path: `/api/notebooks/${notebookId}` },
    ];
    const headers = { authorization: `Bearer ${token}` };
    const results: Measurement[] = [];
    for (const { route, path: url } of routes) {
      log(`${route}: warming up…`);
      await unthrottled({ url: server.url + url, headers, durationSeconds: 2 });

      log(`${route}: ${TARGET_RATE} req/s for ${options.durationSeconds} s…`);
      let cpuBefore = readCpu(server.pid);
      const paced = await constantRate({ url: server.url + url, headers, clients: CONNECTIONS, rate: TARGET_RATE, durationSeconds: options.durationSeconds });
      const latencyMs = percentiles(paced.latenciesMs);
      results.push({
        route,
        mode: "target",
        rate: TARGET_RATE,
        requestsPerSecond: paced.requestsPerSecond,
        latencyMs,
        requests: paced.latenciesMs.length,
        non2xx: paced.non2xx,
        errors: paced.errors,
        targetMet: latencyMs.p99 < TARGET_P99_MS && paced.non2xx === 0 && paced.errors === 0,
        ...cpuFigures(cpuBefore, readCpu(server.pid), paced.latenciesMs.length),
      });

      log(`${route}: unthrottled for ${options.durationSeconds} s…`);
      cpuBefore = readCpu(server.pid);
      const { result, latencies } = await unthrottled({ url: server.url + url, headers, durationSeconds: options.durationSeconds });
      results.push({
        route,
        mode: "max",
        rate: null,
        requestsPerSecond: Math.round(result.requests.average),
        latencyMs: percentiles(latencies),
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        targetMet: null,
        ...cpuFigures(cpuBefore, readCpu(server.pid), result.requests.total),
      });
    }
    const targetMet = results.every((r) => r.targetMet !== false);
    if (options.json) {
      const document = {
        benchmark: "workbench-api",
        server: { url: server.url, startedByBenchmark: server.started, node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model },
        // How the server it started runs: as npm start runs it.
        service: server.started ? { logLevel: options.logLevel ?? "the default (info)", indexer: "on, following the local chain (every 1 s)" } : null,
        // Other work on the machine competes with the server and autocannon for its CPUs.
        loadAverage: { before: loadBefore, after: os.loadavg().map(round) },
        connections: CONNECTIONS,
        durationSeconds: options.durationSeconds,
        target: { rate: TARGET_RATE, p99Ms: TARGET_P99_MS },
        load: {
          target: `open loop: one request every ${1000 / TARGET_RATE} ms, taking turns over the clients; latency from when each was due`,
          max: "autocannon: each client sends again as soon as it is answered",
        },
        results,
        targetMet,
      };
      process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      printTable(results, options, server);
      log(`load average (1, 5, 15 min) before: ${loadBefore.join(", ")}; after: ${os.loadavg().map(round).join(", ")}`);
    }
    if (options.check && !targetMet) process.exitCode = 1;
  } finally {
    await server.stop();
  }
}

/** An unthrottled autocannon run, with every 2xx response's latency (ms) besides autocannon's own summary. */
function unthrottled(options: { url: string; headers: Record<string, string>; durationSeconds: number }): Promise<{ result: autocannon.Result; latencies: number[] }> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: options.url, headers: options.headers, connections: CONNECTIONS, duration: options.durationSeconds },
      (error, result) => (error ? reject(error) : resolve({ result, latencies })),
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

/** The server's CPU per request and the machine's stolen share over a row, where /proc could be read. */
function cpuFigures(before: CpuReading | undefined, after: CpuReading | undefined, requests: number): Pick<Measurement, "serverCpuUsPerRequest" | "stealShare"> {
  if (!before || !after) return { serverCpuUsPerRequest: null, stealShare: null };
  const usage = cpuUsage(before, after, requests);
  return { serverCpuUsPerRequest: usage.processUsPerRequest, stealShare: Math.round(usage.stealShare * 1000) / 1000 };
}

function percentiles(latencies: readonly number[]): Measurement["latencyMs"] {
  const samples = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => round(samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)] ?? 0);
  return { p50: at(50), p90: at(90), p99: at(99), max: round(samples.at(-1) ?? 0) };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function printTable(results: Measurement[], options: Options, server: Server): void {
  const pad = (text: string | number, width: number) => String(text).padEnd(width);
  console.log("");
  console.log(
    `Workbench API over loopback (${server.started ? "a server started by the benchmark" : server.url}), ${CONNECTIONS} connections, ${options.durationSeconds} s per row, node ${process.version}, ${os.cpus().length} CPUs`,
  );
  console.log(
    `${pad("route", 26)}${pad("rate", 14)}${pad("req/s", 9)}${pad("p50 ms", 9)}${pad("p90 ms", 9)}${pad("p99 ms", 9)}${pad("max ms", 9)}${pad("non-2xx", 9)}${pad("cpu µs/req", 12)}${pad("steal", 8)}target`,
  );
  for (const r of results) {
    const target = r.targetMet === null ? "" : r.targetMet ? `met (p99 < ${TARGET_P99_MS} ms)` : "NOT met";
    console.log(
      `${pad(r.route, 26)}${pad(r.rate ? `${r.rate} req/s` : "unthrottled", 14)}${pad(r.requestsPerSecond, 9)}${pad(r.latencyMs.p50, 9)}${pad(r.latencyMs.p90, 9)}${pad(r.latencyMs.p99, 9)}${pad(r.latencyMs.max, 9)}${pad(r.non2xx + r.errors, 9)}` +
        `${pad(r.serverCpuUsPerRequest ?? "-", 12)}${pad(r.stealShare === null ? "-" : `${(r.stealShare * 100).toFixed(1)} %`, 8)}${target}`,
    );
  }
  console.log(`target p99 < ${TARGET_P99_MS} ms at ${TARGET_RATE} req/s: ${results.every((r) => r.targetMet !== false) ? "met" : "NOT met"}`);
  console.log(
    `(${TARGET_RATE} req/s: one request every ${1000 / TARGET_RATE} ms, taking turns over the ${CONNECTIONS} clients, latency counted from when each was due; ` +
      `unthrottled: autocannon, each client sending again as soon as it is answered, so latency ≈ ${CONNECTIONS} / req/s. ` +
      `cpu µs/req: the server's own CPU time per request; steal: the share of the machine's CPU the hypervisor gave to other guests meanwhile.)`,
  );
}

/** A notebook of 20 recipe and markdown cells, as a notebook read returns it. */
async function createNotebook(base: string, token: string): Promise<string> {
  const notebook = (await post(base, "/api/notebooks", { title: "bench:api" }, token)) as { id: string };
  for (let i = 0; i < 20; i++) {
    const cell =
      i % 2 === 0
        ? { kind: "markdown", source: `## Section ${i}\nNotes about the greenhouse, week ${i}.` }
        : { kind: "recipe", source: `param hot = ${20 + i}\nfrom "greenhouse" window last 24h\nmean(temperature)\ncount(temperature > hot)`, datasetId: "1" };
    await post(base, `/api/notebooks/${notebook.id}/cells`, cell, token);
  }
  return notebook.id;
}

/**
 * Starts a local chain with the market deployed and the service as `npm start` runs it (default log
 * level, indexer on), over a catalogue seeded up to the chain's head; stops both afterwards.
 */
async function startServer(log: (line: string) => void, profileDir: string | undefined, logLevel: string | undefined): Promise<Server> {
  log("starting a Hardhat node with the fhevm mock and deploying the market ...");
  const fixture = await startMarketFixture();
  try {
    const service = await startService({
      env: {
        CHAIN_RPC_URL: fixture.chain.rpcUrl,
        MARKET_ADDRESS: fixture.address,
        MARKET_FROM_BLOCK: String(fixture.deploymentBlock),
        // One client makes every request here: keep the rate limiter in the path, never limiting.
        RATE_LIMIT_MAX: "100000000",
        ...(logLevel && { LOG_LEVEL: logLevel }),
      },
      prepare: (stateDir) => seedCatalogue(path.join(stateDir, "workbench.sqlite"), fixture),
      nodeFlags: profileDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(profileDir)}`] : [],
    });
    log(`server started on ${service.url} (pid ${service.pid}), indexing the market on ${fixture.chain.rpcUrl}`);
    return {
      url: service.url,
      started: true,
      pid: service.pid,
      async stop() {
        await service.stop();
        await fixture.stop();
      },
    };
  } catch (error) {
    await fixture.stop();
    throw error;
  }
}

/**
 * A catalogue of datasets as the chain indexer would have written it, with the indexer's position at
 * the chain's head (so that it follows the chain from there instead of resetting a catalogue it did
 * not write).
 */
async function seedCatalogue(file: string, fixture: MarketFixture): Promise<void> {
  const store = createStore({ kind: "sqlite", path: file });
  try {
    await store.migrate();
    const at = new Date();
    const [genesis, head] = await Promise.all([fixture.provider.getBlock(0), fixture.provider.getBlockNumber()]);
    await store.indexer.save(
      { key: indexerKey({ chainId: fixture.chainId, address: fixture.address }), chainId: fixture.chainId, genesisHash: genesis!.hash!, lastIndexedBlock: head },
      at,
    );
    await store.transaction(async (tx) => {
      for (let i = 1; i <= SEEDED_DATASETS; i++) {
        await tx.datasets.upsert(
          {
            id: String(i),
            seller: Wallet.createRandom().address,
            name: `${["Greenhouse", "Office", "Power meter", "Street"][i % 4]} ${i}`,
            field: ["temperature", "humidity", "power", "pm25"][i % 4]!,
            unit: ["°C", "%", "W", "µg/m³"][i % 4]!,
            scale: 2,
            offset: "-5000",
            priceWei: "1000000000000000",
            periodSeconds: 2_592_000,
            k: 12,
            readingCount: 11_520,
            firstTimestamp: 1_700_000_000,
            lastTimestamp: 1_700_000_000 + 11_519 * 300,
            approvedMask: 0b1101111111,
            pausedBlock: null,
            privacy: EXACT_PRIVACY,
            privateFrom: 0,
            runEarnings: NO_RUN_EARNINGS,
            rollups: 0,
            rollupBlockSize: 0,
            createdBlock: i,
            updatedBlock: i,
          },
          at,
        );
      }
    });
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
