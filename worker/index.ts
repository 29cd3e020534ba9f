/**
 * worker/ — the BullMQ processors of recipe runs and recurring reports. This entry runs a worker
 * in the calling process (what `src/main.ts` does with the environment's configuration; tests and
 * benchmarks with their own). The workbench enqueues through `@iotdm/worker/queues` alone; test
 * fixtures are `@iotdm/worker/testing`.
 */
export { startWorker, type WorkerRuntime } from "./src/start-worker";
export { loadConfig, type WorkerConfig } from "./src/config";
