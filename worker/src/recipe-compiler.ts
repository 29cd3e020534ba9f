/**
 * The worker's edge with recipes/: recipe source + parameters + the dataset's public metadata
 * become the program the contract runs (and, for reports, the window), or a readable reason why
 * not. The same parser, checker and planner run in the buyer's browser, so what the buyer signed
 * and what the worker sends are computed by one piece of code.
 */
import { privacyParamsToJson } from "@iotdm/contracts-client/wire";
import {
  check,
  compileProgram as compileRecipeProgram,
  plan,
  planRolledUpSteps,
  planSteps,
  programHash,
  rollupsOf,
  type ContractOp,
  type Diagnostic,
  type Plan,
  type RecipeIR,
} from "@iotdm/recipes";
import type { DatasetView, ProgramOp } from "./chain/market-gateway";
import type { RecipeInput } from "./job-schemas";

/** A compiled program, or why the recipe cannot run. */
export type CompileResult =
  | { ok: true; ir: RecipeIR; ops: ContractOp[]; programHash: string }
  | { ok: false; reason: string };

/** A planned report window, or why there is none (`tooShort`: not one whole bucket of new readings yet). */
export type PlanReportResult =
  | { ok: true; plan: Plan }
  | { ok: false; tooShort: boolean; reason: string };

function describeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => `line ${d.line}, column ${d.column}: ${d.message}`)
    .join("; ");
}

function checkRecipe(recipe: RecipeInput, dataset: DatasetView) {
  return check({
    source: recipe.source,
    params: recipe.params,
    // Approvals are not passed: the contract is the authority on them and says so in its rejection.
    dataset: {
      field: dataset.field,
      unit: dataset.unit,
      scale: dataset.scale,
      offset: dataset.offset,
      k: Number(dataset.bucketSize),
      privacy: privacyParamsToJson(dataset.privacy, dataset.privateFrom),
    },
  });
}

/**
 * The program of a recipe over a dataset, independent of any window (a signed run's window is the
 * one the buyer signed, not one the worker re-resolves later).
 */
export function compileProgram(options: { recipe: RecipeInput; dataset: DatasetView }): CompileResult {
  const checked = checkRecipe(options.recipe, options.dataset);
  if (!checked.ok) return { ok: false, reason: `The recipe has errors: ${describeDiagnostics(checked.diagnostics)}` };
  const compiled = compileRecipeProgram({
    ir: checked.ir,
    encoding: { scale: options.dataset.scale, offset: options.dataset.offset },
    privacy: privacyParamsToJson(options.dataset.privacy, options.dataset.privateFrom),
  });
  if (!compiled.ok) return { ok: false, reason: `The recipe cannot run on dataset ${options.dataset.id}: ${compiled.error.message}` };
  return { ok: true, ir: checked.ir, ops: compiled.ops, programHash: programHash(compiled.ops) };
}

/**
 * The plan of one scheduled report: the readings from `previousReportEnd` (where the contract
 * requires the window to start: the authorization's `fromIndex` for the first report, the previous
 * window's end for the others) to the last whole bucket. Without it, the recipe's own window.
 */
export function planReport(options: {
  recipe: RecipeInput;
  dataset: DatasetView;
  timestamps: readonly number[];
  now: number;
  /** Where the report's window must start (aligned to k); undefined: the recipe's window. */
  previousReportEnd?: number;
}): PlanReportResult {
  const { dataset, previousReportEnd } = options;
  const checked = checkRecipe(options.recipe, dataset);
  if (!checked.ok) return { ok: false, tooShort: false, reason: `The recipe has errors: ${describeDiagnostics(checked.diagnostics)}` };
  const ir: RecipeIR = previousReportEnd === undefined ? checked.ir : { ...checked.ir, window: { type: "sinceLastReport" } };
  const planned = plan({
    ir,
    dataset: {
      id: dataset.id,
      scale: dataset.scale,
      offset: dataset.offset,
      k: Number(dataset.bucketSize),
      readingCount: Number(dataset.readingCount),
      timestamps: options.timestamps,
      unit: dataset.unit,
      privacy: privacyParamsToJson(dataset.privacy, dataset.privateFrom),
      rollups: rollupsOf(dataset),
    },
    now: options.now,
    previousReportEnd,
  });
  if (planned.ok) return { ok: true, plan: planned.plan };
  return { ok: false, tooShort: planned.error.code === "window-too-short", reason: planned.error.message };
}

/**
 * The sizes of the `step` transactions that consume `remaining` readings, from the planner's cost
 * model (the fewest steps the HCU limit allows). Deterministic, so a worker resuming at the cursor
 * plans exactly the tail of the first worker's plan.
 */
export function planStepSizes(options: { ops: readonly ProgramOp[]; remaining: number }): number[] {
  if (options.remaining <= 0) return [];
  const planned = planSteps({
    ops: options.ops as readonly ContractOp[],
    length: options.remaining,
  });
  if (!planned.ok) throw new Error(`the program needs ${planned.hcuForOneReading} HCU for one reading, over the limit`);
  return planned.steps.map((step) => step.size);
}

/**
 * The sizes of the `step` transactions of a rolled-up run over readings [from, to): the fewest the
 * HCU limit allows over the dataset's rollup nodes (recipes' rollup model, which mirrors the
 * contract's). Deterministic from the cursor, like {@link planStepSizes}.
 */
export function planRolledUpStepSizes(options: { ops: readonly ProgramOp[]; blockSize: number; from: number; to: number }): number[] {
  if (options.from >= options.to) return [];
  return planRolledUpSteps(options.ops as readonly ContractOp[], options.blockSize, options.from, options.to).map((step) => step.size);
}
