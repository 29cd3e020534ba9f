/**
 * Scaled out as a deployment would be, with real processes: one local chain, one Redis, one
 * PostgreSQL database (of its own), three worker processes with a relayer key each, and two
 * workbench service instances that a test client uses as a load balancer would (each request to
 * either; a refused connection retried on the other).
 *
 * A buyer signs in on one instance and uses the session on both; 200 signed runs are submitted
 * through both instances and 20 recurring reports created through both; server-sent events are
 * followed on both. Midway, one worker and one service instance (the one whose indexer reads the
 * chain) are killed with SIGKILL (streams on the dead instance reconnect to the other with
 * Last-Event-ID). Then:
 * - every run completed exactly once (one store row, one chain run, finished) with the numbers a
 *   single worker computed for the same recipe and window before the others started, the jobs of
 *   the killed worker (killed just after it started a run on-chain) taken over by the others;
 * - the three relayers all sent runs, and no worker logged a nonce error;
 * - every schedule made exactly its two reports (one per window, none twice) and had one job
 *   scheduler however many instances reconciled it;
 * - every event stream, on either instance, saw its run queued, running, each step and done, in order,
 *   streams cut by the kill included;
 * - the surviving instance took the indexing over, and every reading was written once.
 */
import { randomUUID } from "node:crypto";
import { Interface, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STANDING_AUTHORIZATION_TYPES, iotDataMarketAbi } from "@iotdm/contracts-client";
import { interpretResults, PlanSchema, type Plan } from "@iotdm/recipes";
import { createRunQueue, type RunQueue } from "@iotdm/worker/queues";
import { demoRelayer } from "../../demo/accounts";
import { ensureOperators } from "../../demo/operators";
import type { StoreConfig } from "../config";
import { createStore, type Store } from "../store/store";
import { deleteQueueKeys, siweMessage, TEST_ORIGIN, TEST_QUEUE_PREFIX } from "./support/app";
import { describePostgres } from "./support/backends";
import { spawnWorker, startMarketFixture, temperatures, type MarketFixture, type TestDataset, type WorkerProcess } from "@iotdm/worker/testing";
import { spawnService, type ServiceProcess } from "./support/service-process";
import { readEventsInto, type SseEvent } from "./support/workbench";

const RUNS = 200;
const SCHEDULES = 20;
/** Readings at the start; schedules report them first, then the ones appended midway. */
const READINGS = 64;
const APPENDED = 8;
const K = 8;
/** Runs followed by server-sent events, half on each instance. */
const FOLLOWED = 20;

const DATASET = "scaleout";
/** Three recipes, so that runs differ in program and window (each one step: start + step). */
const RECIPES = [
  `from "${DATASET}" window last 16 readings\nmean(temperature)`,
  `from "${DATASET}" window all\nmax(temperature)\ncount(temperature > 25)`,
  `from "${DATASET}" window last 32 readings\nsum(temperature)`,
];
const REPORT_RECIPE = `from "${DATASET}" window all\nmean(temperature)`;

/** Ethers' and nodes' words for a nonce that went wrong. */
const NONCE_ERROR = /nonce (too low|too high|has already been used|expired)|NONCE_EXPIRED|replacement (transaction|fee) (underpriced|too low)|already known/i;

interface Planned {
  source: string;
  plan: { request: Record<string, string>; typedData: { domain: Record<string, unknown>; types: Record<string, { name: string; type: string }[]> }; programHash: string; steps: number };
}

describePostgres("scaled out: three workers and two service instances on PostgreSQL, real processes", (backend) => {
  let fixture: MarketFixture;
  let dataset: TestDataset;
  let database: { store: Store; config: StoreConfig; cleanup(): Promise<void> };
  let runQueue: RunQueue;
  const queueName = `scaleout-${randomUUID()}`;
  const relayers = [0, 1, 2].map((i) => (i === 0 ? undefined : demoRelayer(i + 1)));
  const workers: (WorkerProcess | undefined)[] = [];
  const services: ServiceProcess[] = [];
  const started = performance.now();
  const elapsed = () => `${Math.round((performance.now() - started) / 1000)} s`;

  beforeAll(async () => {
    fixture = await startMarketFixture();
    dataset = await fixture.purchasedDataset({ name: DATASET, k: K, readings: temperatures(READINGS, 3) });
    // Relayers 2 and 3 of the demo: operators with ETH, as the demo deployment makes them.
    await ensureOperators({ rpcUrl: fixture.chain.rpcUrl, marketAddress: fixture.address, relayers: relayers.slice(1).map((r) => r!.address) });
    // A database of its own, migrated by the instances themselves (both at once).
    database = await backend.open({ migrate: false });
    runQueue = createRunQueue({ name: queueName, prefix: TEST_QUEUE_PREFIX });
  });

  afterAll(async () => {
    await Promise.all([...workers, ...services].map((p) => p?.stop("SIGKILL")));
    await runQueue?.close();
    await deleteQueueKeys(TEST_QUEUE_PREFIX, queueName);
    await database?.cleanup();
    await fixture?.stop();
  });

  function startWorker(index: number): WorkerProcess {
    const worker = spawnWorker({
      config: {
        redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
        queueName,
        queuePrefix: TEST_QUEUE_PREFIX,
        concurrency: 4,
        // A killed worker's jobs are taken over within seconds.
        lockDurationMs: 5_000,
        stalledIntervalMs: 2_000,
        maxStalledCount: 3,
        rpcUrl: fixture.chain.rpcUrl,
        rpcPollingIntervalMs: 100,
        marketAddress: fixture.address,
        marketFromBlock: fixture.deploymentBlock,
        relayerPrivateKey: index === 0 ? fixture.accounts.relayer.privateKey : relayers[index]!.privateKey,
        logLevel: "info",
      },
      // Every line, to look for nonce errors in all of it.
      outputLimit: 20_000_000,
    });
    workers[index] = worker;
    return worker;
  }

  async function startService(): Promise<ServiceProcess> {
    const service = await spawnService({
      env: {
        LOG_LEVEL: "info",
        DATABASE_URL: (database.config as { url: string }).url,
        REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
        QUEUE_NAME: queueName,
        QUEUE_PREFIX: TEST_QUEUE_PREFIX,
        CHAIN_RPC_URL: fixture.chain.rpcUrl,
        MARKET_ADDRESS: fixture.address,
        MARKET_FROM_BLOCK: String(fixture.deploymentBlock),
        INDEXER_POLL_INTERVAL_MS: "200",
        SSE_KEEPALIVE_MS: "1000",
        // Behind one public origin, as behind a load balancer.
        PUBLIC_ORIGINS: TEST_ORIGIN,
      },
    });
    services.push(service);
    return service;
  }

  /** The live instances, as a load balancer sees them. */
  const alive = () => services.filter((s) => s.child.exitCode === null && s.child.signalCode === null);

  /**
   * A request to instance `prefer` (index), as a load balancer would send it: when that instance
   * refuses the connection (it died), the same request goes to another live one.
   */
  async function call(prefer: number, method: string, route: string, options: { token?: string; body?: unknown } = {}): Promise<{ status: number; json: any }> {
    const order = [services[prefer % services.length]!, ...services.filter((_, i) => i !== prefer % services.length)];
    let lastError: unknown;
    for (const service of order) {
      try {
        const response = await fetch(`${service.url}/api${route}`, {
          method,
          headers: { ...(options.token && { authorization: `Bearer ${options.token}` }), ...(options.body !== undefined && { "content-type": "application/json" }) },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
        });
        return { status: response.status, json: await response.json() };
      } catch (error) {
        lastError = error; // connection refused or reset: the next instance
      }
    }
    throw lastError;
  }

  async function signIn(prefer: number, wallet: Wallet): Promise<string> {
    const { json: nonce } = await call(prefer, "POST", "/auth/nonce", { body: {} });
    const message = siweMessage({ address: wallet.address, nonce: nonce.nonce });
    const verified = await call(prefer, "POST", "/auth/verify", { body: { message, signature: await wallet.signMessage(message) } });
    expect(verified.status, JSON.stringify(verified.json)).toBe(200);
    return verified.json.token as string;
  }

  /** How many times `text` occurs in worker `worker`'s log. */
  const logged = (worker: WorkerProcess, text: string) => worker.output().split(text).length - 1;

  /** Resolves once `probe` returns a value, polling every `intervalMs`. */
  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 500): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out (${timeoutMs / 1000} s) waiting for ${what}; at ${elapsed()}`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** A run followed by server-sent events: what arrived so far and, for each event, the instance that sent it. */
  interface Followed {
    id: string;
    /** The instance it was first followed on. */
    on: number;
    events: SseEvent[];
    from: number[];
    /** The instances it was followed on, in order (another after a broken stream). */
    instances: number[];
  }

  /**
   * Follows run `runId`'s events on instance `index` until done or failed; a stream that breaks
   * (its instance died) is resumed on another live instance with Last-Event-ID, as EventSource does.
   * `followed` fills as events arrive; `ended` resolves with it once the run ended.
   */
  function follow(index: number, runId: string, token: string): { followed: Followed; ended: Promise<Followed> } {
    const followed: Followed = { id: runId, on: index, events: [], from: [], instances: [] };
    const { events } = followed;
    const ended = (async () => {
      let instance = index;
      for (let attempt = 0; attempt < 5; attempt++) {
        const service = services[instance]!;
        followed.instances.push(instance);
        const lastId = events.at(-1)?.id;
        try {
          const response = await fetch(`${service.url}/api/runs/${runId}/events`, {
            headers: { authorization: `Bearer ${token}`, ...(lastId !== undefined && { "last-event-id": lastId }) },
          });
          await readEventsInto(response, events, { timeoutMs: 600_000, onEvent: () => followed.from.push(instance) });
        } catch {
          // The stream broke with its instance: what arrived is kept, the rest comes from another.
        }
        if (["done", "failed"].includes(events.at(-1)?.event ?? "")) break;
        instance = services.indexOf(alive()[0]!);
      }
      return followed;
    })();
    return { followed, ended };
  }

  it("runs 200 runs and 20 schedules exactly once through 3 workers and 2 instances, one of each killed midway", { timeout: 900_000 }, async () => {
    const log = (message: string) => console.log(`[scale-out ${elapsed()}] ${message}`);

    // ── One worker and two instances; a single worker's results are the reference.
    startWorker(0);
    await Promise.all([startService(), startService()]);
    await Promise.all([...services.map((s) => s.ready()), workers[0]!.ready]);
    log("worker 1 and both instances ready");
    const buyer = fixture.accounts.buyer;
    // Signed in on one instance, the session serves both.
    const token = await signIn(0, buyer);
    expect((await call(1, "GET", "/notebooks", { token })).status).toBe(200);
    await until("the catalogue to hold the dataset on both instances", async () => {
      const lists = await Promise.all([0, 1].map((i) => call(i, "GET", "/datasets", { token })));
      return lists.every((l) => l.json.items?.some((d: { name: string; readingCount: number }) => d.name === DATASET && d.readingCount === READINGS)) ? true : undefined;
    }, 60_000);
    const notebook = (await call(0, "POST", "/notebooks", { token, body: { title: "Scaled out" } })).json;
    const cells: string[] = [];
    for (const source of [...RECIPES, REPORT_RECIPE]) {
      const cell = await call(1, "POST", `/notebooks/${notebook.id}/cells`, { token, body: { kind: "recipe", source, datasetId: dataset.id.toString() } });
      expect(cell.status, JSON.stringify(cell.json)).toBe(201);
      cells.push(cell.json.id);
    }
    const planned: Planned[] = [];
    for (const source of RECIPES) {
      const plan = await call(planned.length % 2, "POST", "/runs/plan", { token, body: { datasetId: dataset.id.toString(), source } });
      expect(plan.status, JSON.stringify(plan.json)).toBe(200);
      planned.push({ source, plan: plan.json });
    }

    /** Signs recipe `r`'s planned request with a fresh nonce. */
    const sign = async (r: number) => {
      const { plan } = planned[r]!;
      const request = { ...plan.request, nonce: BigInt(`0x${randomUUID().replace(/-/g, "").slice(0, 24)}`).toString() };
      return { request, signature: await buyer.signTypedData(plan.typedData.domain, plan.typedData.types, request) };
    };
    /** Submits recipe `r` through instance `prefer` (another if that one is down); resolves with the run. */
    const submit = async (r: number, prefer: number, signed?: Awaited<ReturnType<typeof sign>>) => {
      const { request, signature } = signed ?? (await sign(r));
      const body = { notebookId: notebook.id, cellId: cells[r], datasetId: dataset.id.toString(), source: RECIPES[r], request, signature };
      for (let attempt = 0; ; attempt++) {
        try {
          const created = await call(prefer, "POST", "/runs", { token, body });
          // 201 created, or 200: the same signed request found its run (a retry after a lost response).
          if (created.status === 201 || created.status === 200) return { id: created.json.id as string, recipe: r };
          throw new Error(`POST /runs: HTTP ${created.status} ${JSON.stringify(created.json)}`);
        } catch (error) {
          if (attempt >= 3) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    };

    const reference: { id: string; recipe: number }[] = [];
    for (let r = 0; r < RECIPES.length; r++) reference.push(await submit(r, r));
    const runStatus = async (id: string) => (await call(0, "GET", `/runs/${id}`, { token })).json;
    const referenceRuns = await until("the single worker's reference runs", async () => {
      const runs = await Promise.all(reference.map((run) => runStatus(run.id)));
      if (runs.some((run) => run.status === "error")) throw new Error(`a reference run failed: ${JSON.stringify(runs)}`);
      return runs.every((run) => run.status === "done") ? runs : undefined;
    }, 120_000);
    const expected = await decryptRuns(referenceRuns);
    log(`reference results: ${JSON.stringify(expected)}`);

    // ── Three workers.
    startWorker(1);
    startWorker(2);
    await Promise.all([workers[1]!.ready, workers[2]!.ready]);
    log("workers 2 and 3 ready");

    // ── 20 schedules through both instances: two reports each, the second once readings are appended.
    const schedules: { id: string; digest: string }[] = [];
    const createSchedule = async (s: number) => {
      const reportPlan = await call(s, "POST", "/runs/plan", { token, body: { datasetId: dataset.id.toString(), source: REPORT_RECIPE } });
      const now = (await fixture.provider.getBlock("latest"))!.timestamp;
      const authorization = {
        buyer: buyer.address,
        datasetId: dataset.id.toString(),
        programHash: reportPlan.json.programHash,
        // The first report covers the readings from the first on, the second those appended later.
        fromIndex: "0",
        cadence: "1",
        expiry: String(now + 3600),
        maxRuns: 2,
        nonce: String(Math.floor(Math.random() * 2 ** 48)),
        maxPaymentPerRun: "0",
      };
      const signature = await buyer.signTypedData(reportPlan.json.typedData.domain, STANDING_AUTHORIZATION_TYPES, authorization);
      const created = await call(s, "POST", "/schedules", {
        token,
        body: { notebookId: notebook.id, cellId: cells[RECIPES.length], datasetId: dataset.id.toString(), source: REPORT_RECIPE, authorization, signature, repeat: { every: 3000 } },
      });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      schedules.push({ id: created.json.id, digest: created.json.authorizationDigest });
    };
    // Four at a time, half through each instance, as buyers would create them.
    for (let s = 0; s < SCHEDULES; s += 4) await Promise.all([0, 1, 2, 3].map((i) => createSchedule(s + i)));
    log(`${SCHEDULES} schedules created`);
    // One job scheduler per schedule, whichever instance created it, and one next tick each.
    const schedulers = await runQueue.queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).toEqual(schedules.map((s) => s.digest.toLowerCase()).sort());
    const nextTicks = (await runQueue.queue.getDelayed()).filter((job) => job.name === "report");
    for (const schedule of schedules) expect(nextTicks.filter((job) => job.id?.startsWith(`repeat:${schedule.digest.toLowerCase()}:`)).length).toBeLessThanOrEqual(1);

    // ── 200 runs through both instances, 8 at a time; a tenth of them followed by SSE on either instance.
    const runs: { id: string; recipe: number }[] = [];
    const followed: Promise<Followed>[] = [];
    const submitAll = async (count: number, from: number) => {
      const queue = Array.from({ length: count }, (_, i) => from + i);
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
            const run = await submit(i % RECIPES.length, i % 2);
            runs.push(run);
            if (i % (RUNS / FOLLOWED) === 0) {
              const on = (i / (RUNS / FOLLOWED)) % 2;
              followed.push(follow(on, run.id, token).ended);
            }
          }
        }),
      );
    };
    /** Runs of ours not finished yet, as the shared database says. */
    const unfinished = async () => new Set((await database.store.runs.listUnfinished(10_000)).map((run) => run.id));
    const countDone = async () => {
      const open = await unfinished();
      return runs.filter((run) => !open.has(run.id)).length;
    };

    const firstHalf = submitAll(RUNS / 2, 0);
    await until("a third of the runs to be done", async () => ((await countDone()) >= RUNS / 3 ? true : undefined), 300_000, 1_000);
    // ── Kill one worker and one instance while runs are submitted, running and followed. The
    // instance killed is the one whose indexer reads the chain (it holds the lease), so that the
    // other has to take the indexing over; it also streams runs that will not have ended by then.
    const indexerHolder = (await runQueue.lease({ name: "indexer", ttlMs: 1, role: "test" }).state())?.holder;
    const doomed = services.findIndex((service) => service.child.pid === indexerHolder?.pid);
    expect(doomed, `the indexer's lease is held by ${JSON.stringify(indexerHolder)}`).toBeGreaterThanOrEqual(0);
    const open = await unfinished();
    const interrupted = runs.filter((run) => open.has(run.id)).slice(-3).map((run) => follow(doomed, run.id, token));
    await until("the streams on the instance to kill to start", async () => (interrupted.every(({ followed }) => followed.events.length > 0) ? true : undefined), 30_000, 100);
    const secondHalf = submitAll(RUNS / 2, RUNS / 2);
    // Worker 3 dies just after it started a run on-chain: that run, and whatever else it holds, is left to the others.
    const startedBy3 = logged(workers[2]!, '"msg":"run started"');
    await until("worker 3 to start another run on-chain", async () => (logged(workers[2]!, '"msg":"run started"') > startedBy3 ? true : undefined), 60_000, 10);
    workers[2]!.child.kill("SIGKILL");
    services[doomed]!.child.kill("SIGKILL");
    await Promise.all([workers[2]!.exited, services[doomed]!.exited]);
    log(`killed worker 3 and instance ${doomed + 1}, the indexer's (${await countDone()} runs done)`);
    // New readings: each schedule's second report covers them.
    await fixture.appendReadings(dataset, temperatures(APPENDED, 99));
    await firstHalf;
    await secondHalf;
    expect(runs).toHaveLength(RUNS);
    log("all runs submitted");

    await until("every run to finish", async () => {
      const open = await unfinished();
      return runs.every((run) => !open.has(run.id)) ? true : undefined;
    }, 420_000, 2_000);
    const finished = await Promise.all(runs.map((run) => runStatus(run.id)));
    log("every run finished");
    expect(finished.filter((run) => run.status !== "done").map((run) => [run.id, run.error])).toEqual([]);
    // The killed worker's jobs, one at least in mid-run, were taken over: the others saw them stall.
    const stalled = workers.slice(0, 2).reduce((count, worker) => count + logged(worker!, "job stalled: its worker stopped renewing the lock"), 0);
    expect(stalled, "jobs of the killed worker taken over by the others").toBeGreaterThan(0);

    // Exactly once: one run per signed request in the store, one chain run each, and nothing else started.
    expect(new Set(runs.map((run) => run.id)).size).toBe(RUNS);
    const market = fixture.as(fixture.accounts.admin);
    for (const run of finished) {
      expect(run.chainRunId, run.id).toMatch(/^\d+$/);
      const info = await market.runInfo(BigInt(run.chainRunId));
      expect(info.cursor, run.id).toBe(BigInt(run.toIndex));
    }
    expect(new Set(finished.map((run) => run.chainRunId)).size).toBe(RUNS);

    // The same numbers as the single worker's for the same recipe and window.
    const results = await decryptRuns(finished);
    finished.forEach((run, i) => expect(results[i], run.id).toEqual(expected[RECIPES.indexOf(run.source)]));

    // ── Schedules: two reports each, one per window, none twice.
    const views = await until("every schedule's two reports", async () => {
      const all = await Promise.all(schedules.map((s) => call(0, "GET", `/schedules/${s.id}`, { token })));
      return all.every((v) => v.json.status === "completed" && v.json.reportCount === 2) ? all.map((v) => v.json) : undefined;
    }, 300_000, 2_000);
    for (const view of views) {
      const reports = (await call(0, "GET", `/schedules/${view.id}/reports`, { token })).json.items as { fromIndex: number; toIndex: number; run: { chainRunId: string } }[];
      expect(reports.map((r) => [r.fromIndex, r.toIndex]).sort((a, b) => a[0]! - b[0]!), view.id).toEqual([[0, READINGS], [READINGS, READINGS + APPENDED]]);
      expect(new Set(reports.map((r) => r.run.chainRunId)).size).toBe(2);
      const state = await market.standingAuthorizationState(view.authorizationDigest);
      expect(Number(state.runs), view.id).toBe(2);
      expect(await runQueue.listReports(view.authorizationDigest)).toHaveLength(2);
    }
    log("every schedule made its two reports");
    // Ended schedules keep no job scheduler.
    expect(await runQueue.queue.getJobSchedulers()).toEqual([]);

    // Every chain run is accounted for: the reference runs, the 200 and two reports per schedule.
    expect(Number(await market.runCount())).toBe(reference.length + RUNS + 2 * SCHEDULES);

    // All three relayers sent runs; no worker logged a nonce error.
    const starts = await fixture.provider.getLogs({ address: fixture.address, topics: [new Interface(iotDataMarketAbi).getEvent("RunStarted")!.topicHash], fromBlock: fixture.deploymentBlock });
    const senders = new Set(await Promise.all(starts.map(async (entry) => (await fixture.provider.getTransaction(entry.transactionHash))!.from)));
    expect(senders).toEqual(new Set([fixture.accounts.relayer.address, relayers[1]!.address, relayers[2]!.address]));
    for (const [i, worker] of workers.entries()) {
      const problems = worker!.output().split("\n").filter((line) => NONCE_ERROR.test(line));
      expect(problems, `worker ${i + 1}`).toEqual([]);
    }

    // ── Every followed stream saw its whole run in order, on either instance (resumed after the kill).
    const streams = await Promise.all(followed);
    expect(streams).toHaveLength(FOLLOWED);
    expect(new Set(streams.map((s) => s.on))).toEqual(new Set([0, 1]));
    // Some streams had events from the killed instance and the rest from the other, after Last-Event-ID.
    const resumed = await Promise.all(interrupted.map(({ ended }) => ended));
    expect(resumed.filter((s) => s.from.includes(doomed) && s.from.includes(1 - doomed)).length, JSON.stringify(resumed.map((s) => s.from))).toBeGreaterThan(0);
    for (const stream of [...streams, ...resumed]) {
      const names = stream.events.map((e) => e.event);
      const steps = planned[runs.find((run) => run.id === stream.id)!.recipe]!.plan.steps;
      expect(names, `${stream.id} on instance ${stream.instances.join(" → ")}`).toEqual(["queued", "running", ...Array<string>(steps).fill("step"), "done"]);
      // Progress events name the run as runId, the final one is the run itself.
      expect(stream.events.map((e) => e.data as { runId?: string; id?: string }).every((d) => (d.runId ?? d.id) === stream.id)).toBe(true);
    }
    log(`streams resumed on the other instance: ${[...streams, ...resumed].filter((s) => new Set(s.from).size > 1).length}`);

    // ── The indexer wrote every reading once, whichever instance indexed.
    const indexed = await until("the indexer to hold every reading", async () => {
      const listed = await call(0, "GET", "/datasets", { token });
      const d = (listed.json.items as { name: string; readingCount: number }[]).find((x) => x.name === DATASET);
      return d?.readingCount === READINGS + APPENDED ? d : undefined;
    }, 60_000);
    expect(indexed.readingCount).toBe(READINGS + APPENDED);
    const rows = await database.store.datasets.readingTimestamps(dataset.id.toString());
    expect(rows).toHaveLength(READINGS + APPENDED);
    // The survivor indexed them: it took the lease over from the killed instance.
    expect((await runQueue.lease({ name: "indexer", ttlMs: 1, role: "test" }).state())?.holder?.pid).toBe(services[1 - doomed]!.child.pid);
  });

  /** Decrypts each done run's results as the buyer and interprets them with its plan. */
  async function decryptRuns(runs: { plan: unknown; resultHandles: string[] }[]): Promise<unknown[]> {
    const plans = runs.map((run) => PlanSchema.parse(run.plan) as Plan);
    const handles = runs.flatMap((run, r) => run.resultHandles.map((handle, i) => ({ handle, type: plans[r]!.handles[i]!.type, run: r })));
    const values: (bigint | boolean)[] = [];
    // At most 2048 bits per user decryption.
    for (let i = 0; i < handles.length; i += 24) {
      values.push(...(await fixture.decrypt({ signer: fixture.accounts.buyer, handles: handles.slice(i, i + 24) })));
    }
    return runs.map((_, r) => {
      const mine = handles.map((h, i) => (h.run === r ? values[i]! : undefined)).filter((v) => v !== undefined);
      return interpretResults({ plan: plans[r]!, decrypted: mine }).map((result) => JSON.parse(JSON.stringify(result, (_key, value) => (typeof value === "bigint" ? value.toString() : value))));
    });
  }
});
