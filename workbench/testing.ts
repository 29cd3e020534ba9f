/**
 * `@iotdm/workbench/testing`: the workbench's test fixtures for its own tests, the other parts'
 * tests and the benchmarks — signing in to a running service, reading its server-sent events, and
 * `npm start` as its own process.
 */
export * from "./server/test/support/sign-in";
export * from "./server/test/support/sse";
export * from "./launcher/test/support/launcher-process";
