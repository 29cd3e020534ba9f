/**
 * `@iotdm/recipes/noise-model`: the exact model of the contracts' differential-privacy noise alone
 * (src/noise-model.ts), for the contracts' tests, which need the sampler and nothing of the language.
 */
export * from "./src/noise-model";
