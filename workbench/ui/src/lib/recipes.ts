/**
 * The recipe language (`@iotdm/recipes`), the one import path the UI uses for it: catalogue, checker,
 * formatter, planner, programs and the result interpreter. Pure TypeScript that runs in the browser.
 */
export * from "@iotdm/recipes";
export { plan as planRecipe } from "@iotdm/recipes";
