/**
 * `@iotdm/worker/testing`: the worker's test fixtures, for its own tests, the other parts' tests
 * and the benchmarks — a local chain with a deployed market and its people, signed requests as the
 * buyer's browser makes them, throwaway queues, polling, the worker as a child process.
 */
export * from "./buyer";
export * from "./consent";
export * from "./market-fixture";
export * from "./redis-queue";
export * from "./source-process";
export * from "./wait";
export * from "./worker-process";
