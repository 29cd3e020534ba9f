/**
 * recipes/ — the recipe language (catalogue, parser, checker, typed IR, formatter), the planner
 * and cost model, the result interpreter, and the library of built-in templates.
 * Pure TypeScript for Node and the browser; imports nothing else of this repository.
 */
export * from "./src/index";
export * from "./library/index";
export {
  benchmarkCompile,
  benchmarkWorstCheck,
  type BenchmarkCompileOptions,
  type CompileBenchmark,
  type CompileTiming,
  type WorstCheckTiming,
} from "./library/benchmark";
