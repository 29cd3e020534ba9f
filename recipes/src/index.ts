/**
 * The recipe language: catalogue, parser, checker, typed IR and formatter.
 * Pure TypeScript for Node and the browser; imports nothing else of this repository.
 */
export * from "./catalogue";
export * from "./diagnostics";
export type * from "./ast";
export { parse, type ParseResult } from "./parser";
export { lex, type LexResult } from "./lexer";
export {
  check,
  checkApprovals,
  requiredKinds,
  type CheckApprovalsOptions,
  type CheckOptions,
  type CheckResult,
  type DatasetContext,
  type ParamOverrides,
} from "./checker";
export * from "./ir";
export { format, type FormatResult } from "./formatter";
export * from "./decimal";
export { parseDateTime, formatUnixTime, describeDuration } from "./time";
export * from "./cost-model";
export * from "./rollup-model";
export * from "./gas-model";
export {
  abstractProgram,
  encodeProgram,
  encodeProgramAbi,
  handleLayout,
  handlesOf,
  programHash,
  PROGRAM_ABI_TYPE,
  type AbstractOp,
  type AbstractProgram,
  type ContractOp,
  type EncodeProgramResult,
  type HandleRole,
  type HandleSpec,
  type HandleType,
} from "./program";
export {
  compileProgram,
  plan,
  type CompiledProgram,
  type CompileProgramOptions,
  type Plan,
  type PlanDataset,
  type PlanError,
  type PlanNote,
  type PlanOptions,
  type PlanOutput,
  type PlanResult,
  type PlanWindow,
} from "./planner";
export { ContractOpJsonSchema, ContractOpSchema, contractOpToJSON, PlanSchema, planToJSON, type ContractOpJSON, type PlanJSON } from "./plan-json";
export type { PlanBudget, PlanPrivacy, ScheduleBudget, StatisticPrivacy } from "./plan-privacy";
export {
  CONFIDENCE,
  formatFigure,
  statisticNoise,
  unitSensitivity,
  varianceCentre,
  type FigureContext,
  type NoiseFigure,
  type ObservedResult,
} from "./privacy-figures";
export {
  DEFAULT_EPSILON_MILLI,
  MAX_STATISTIC_EPSILON_MILLI,
  NOT_PRIVATE_KINDS,
  defaultEpsilonMilli,
  epsilonToMilli,
  formatEpsilon,
  privateSetting,
  type DatasetPrivacy,
  type PrivateSetting,
} from "./privacy";
export {
  interpretResults,
  type HistogramBucket,
  type InterpretOptions,
  type Quantity,
  type StatisticResult,
} from "./interpreter";
export {
  encodeValue,
  decodeScaled,
  lowestValue,
  highestValue,
  resolution,
  UINT64_MAX,
  type ValueEncoding,
  type EncodeResult,
  type EncodeFailure,
} from "./values";
export { evaluatePlan } from "./cleartext";
export { forkRecipe, type ForkOptions, type ForkResult } from "./fork";
// The noise model's helpers (bitLength, ratioToNumber) stay in the `@iotdm/recipes/noise-model` entry.
export {
  LN2_48,
  MAX_ENUMERABLE_NOISE_BITS,
  MAX_EPSILON_MILLI,
  MAX_NOISE_BITS,
  NOISE_MEAN,
  noiseAlphaQ128,
  noiseAsUint64,
  noiseBitCount,
  noiseCoverage,
  noiseDistribution,
  noiseCentredCoverage,
  noiseCentredInterval,
  noiseInterval,
  noiseLambdaQ128,
  noiseMeanSquare,
  noiseParameters,
  noiseStandardDeviation,
  noiseTailLength,
  noiseThresholds,
  noiseVariance,
  NoiseTooWideError,
  replayNoise,
  type NoiseDistribution,
  type NoiseOptions,
  type NoiseParameters,
  type Ratio,
} from "./noise-model";
