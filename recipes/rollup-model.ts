/**
 * `@iotdm/recipes/rollup-model`: the exact model of the contracts' encrypted rollups alone (src/rollup-model.ts),
 * for the contracts' tests and benchmark, which need its cost formulas and nothing of the language.
 */
export * from "./src/rollup-model";
