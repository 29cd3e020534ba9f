/**
 * `@iotdm/recipes/cost-model`: the HCU model of a step (src/cost-model.ts) and the relayer's gas and the quote of a
 * run (src/gas-model.ts) alone, for the contracts' tests and benchmark, which need the formulas and nothing of the
 * language.
 */
export * from "./src/cost-model";
export * from "./src/gas-model";
