/**
 * Two service instances' recorders over one store, each with its own event bus (its own open
 * streams): whichever instance records a queue event first, the other's streams hear it too —
 * running, each step, done or failed — even when one instance ended the run before the other
 * heard its steps. (The race itself, with real processes, is in
 * test/scale-out.test.ts.)
 */
import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import pino from "pino";
import type { RunQueue, RunResult } from "@iotdm/worker/queues";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MarketChain } from "../chain/market-chain";
import type { RecipeTooling } from "../recipes/recipe-tooling";
import { createStore, type Store } from "../store/store";
import { ProgressRecorder } from "./progress-recorder";
import { RunEventBus, type RunStreamEvent } from "./run-events";

describe("run progress recorded by two service instances", () => {
  let store: Store;
  const instances: { recorder: ProgressRecorder; heard: RunStreamEvent[]; bus: RunEventBus }[] = [];

  beforeEach(async () => {
    store = createStore({ kind: "sqlite", path: ":memory:" });
    await store.migrate();
    for (let i = 0; i < 2; i++) {
      const bus = new RunEventBus();
      const recorder = new ProgressRecorder({
        store,
        // Only a failure asks the queue (for its structured reason); nothing else is used here.
        runQueue: { getRun: async () => undefined } as unknown as RunQueue,
        chain: { deployment: () => ({ address: "0x5FbDB2315678afecb367f032d93F642f64180aa3" }) } as unknown as MarketChain,
        recipes: {} as RecipeTooling,
        bus,
        logger: pino({ level: "silent" }) as FastifyBaseLogger,
        now: () => new Date(),
      });
      instances.push({ recorder, bus, heard: [] });
    }
  });
  afterEach(async () => {
    instances.splice(0);
    await store.close();
  });

  async function queuedRun() {
    const digest = `0x${randomUUID().replace(/-/g, "").padEnd(64, "0")}`;
    const { run } = await store.runs.create({
      id: randomUUID(),
      buyer: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
      notebookId: null,
      cellId: null,
      scheduleId: null,
      datasetId: "1",
      programHash: `0x${"ab".repeat(32)}`,
      program: [],
      source: 'from "d" window all\nmean(temperature)',
      params: null,
      plan: { steps: [{ size: 16 }] },
      fromIndex: 0,
      toIndex: 16,
      requestDigest: digest,
      request: { nonce: "1" },
      signature: "0x",
      at: new Date(),
    });
    for (const instance of instances) instance.bus.subscribe(run.id, (event) => instance.heard.push(event));
    return { run, digest };
  }

  it("tells each instance's streams every step and the end, whichever instance recorded it first", async () => {
    const [first, second] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const { run, digest } = await queuedRun();
    const step = { phase: "stepping" as const, step: 1, of: 1, txHash: `0x${"11".repeat(32)}`, runId: "7" };
    await first.recorder.onProgress(digest, step);
    await second.recorder.onProgress(digest, step);
    const result = { runId: "7", handles: [`0x${"22".repeat(32)}`], txHashes: [`0x${"33".repeat(32)}`, step.txHash], steps: 1 } as unknown as RunResult;
    await first.recorder.onCompleted(digest, result);
    await second.recorder.onCompleted(digest, result);

    for (const instance of [first, second]) {
      const shown = shownByStream(instance.heard);
      expect(shown.map((event) => [event.type, event.ordinal])).toEqual([
        ["running", 1],
        ["step", 2],
        ["done", Number.MAX_SAFE_INTEGER],
      ]);
      expect(shown.at(-1)!.data).toMatchObject({ id: run.id, status: "done", resultHandles: result.handles });
    }
    expect((await store.runs.get(run.id))!.status).toBe("done");
  });

  it("tells an instance's streams the running, each step and the end when another instance ended the run before it heard them", async () => {
    const [first, second] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const { run, digest } = await queuedRun();
    const step = { phase: "stepping" as const, step: 1, of: 1, txHash: `0x${"11".repeat(32)}`, runId: "7" };
    const result = { runId: "7", handles: [`0x${"22".repeat(32)}`], txHashes: [`0x${"33".repeat(32)}`, step.txHash], steps: 1 } as unknown as RunResult;
    // The first instance hears the step and the end before the second hears either.
    await first.recorder.onProgress(digest, step);
    await first.recorder.onCompleted(digest, result);
    await second.recorder.onProgress(digest, step);
    await second.recorder.onCompleted(digest, result);

    for (const instance of [first, second]) {
      const shown = shownByStream(instance.heard);
      expect(shown.map((event) => [event.type, event.ordinal])).toEqual([
        ["running", 1],
        ["step", 2],
        ["done", Number.MAX_SAFE_INTEGER],
      ]);
      expect(shown[1]!.data).toMatchObject({ runId: run.id, step: 1, of: 1, txHash: step.txHash });
      expect(shown.at(-1)!.data).toMatchObject({ id: run.id, status: "done", resultHandles: result.handles });
    }
  });

  it("tells an instance's streams the running, each step and the failure when another instance failed the run before it heard them", async () => {
    const [first, second] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const { run, digest } = await queuedRun();
    const step = { phase: "stepping" as const, step: 1, of: 2, txHash: `0x${"11".repeat(32)}`, runId: "7" };
    await first.recorder.onProgress(digest, step);
    await first.recorder.onFailed(digest, "the node went away");
    await second.recorder.onProgress(digest, step);
    await second.recorder.onFailed(digest, "the node went away");

    for (const instance of [first, second]) {
      const shown = shownByStream(instance.heard);
      expect(shown.map((event) => [event.type, event.ordinal])).toEqual([
        ["running", 1],
        ["step", 2],
        ["failed", Number.MAX_SAFE_INTEGER],
      ]);
      expect(shown.at(-1)!.data).toMatchObject({ id: run.id, status: "error", error: { code: "JOB_FAILED", message: "the node went away" } });
    }
  });

  it("tells each instance's streams that a run failed, whichever instance recorded it first", async () => {
    const [first, second] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const { run, digest } = await queuedRun();
    await first.recorder.onFailed(digest, "the node went away");
    await second.recorder.onFailed(digest, "the node went away");
    for (const instance of [first, second]) {
      expect(shownByStream(instance.heard).map((event) => event.type)).toEqual(["failed"]);
      expect(instance.heard[0]!.data).toMatchObject({ id: run.id, status: "error", error: { code: "JOB_FAILED", message: "the node went away" } });
    }
  });
});

/** What an event stream sends of what its bus delivers: each ordinal once, in increasing order (event-stream.ts). */
function shownByStream(heard: readonly RunStreamEvent[]): RunStreamEvent[] {
  let last = -1;
  return heard.filter((event) => (event.ordinal > last ? ((last = event.ordinal), true) : false));
}
