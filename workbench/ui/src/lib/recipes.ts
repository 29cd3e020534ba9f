/**
 * The recipe language (recipes/src), the one import path the UI uses for it: catalogue, checker,
 * formatter, planner, programs and the result interpreter. Pure TypeScript that runs in the browser.
 */
export * from "../../../../recipes/src/index";
export { plan as planRecipe, type Plan, type PlanDataset, type PlanNote, type PlanResult } from "../../../../recipes/src/planner";
export { PlanSchema, planToJSON, type PlanJSON } from "../../../../recipes/src/plan-json";
export {
  abstractProgram,
  encodeProgram,
  programHash,
  handleLayout,
  type ContractOp,
  type HandleSpec,
} from "../../../../recipes/src/program";
export {
  interpretResults,
  type HistogramBucket,
  type Quantity,
  type StatisticResult,
} from "../../../../recipes/src/interpreter";
export { encodeValue, lowestValue, highestValue, resolution, type ValueEncoding } from "../../../../recipes/src/values";
export { describeDuration } from "../../../../recipes/src/time";
