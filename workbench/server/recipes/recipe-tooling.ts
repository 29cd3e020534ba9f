/**
 * The narrow seam between the workbench and the recipe language (recipes/): the service needs to
 * check a recipe, read its parameter declarations, and fork it with other parameter values; nothing
 * more. recipes-package.ts adapts the recipes/ package; tests may inject another implementation.
 */
import type { PrivacyParamsJson } from "@iotdm/contracts-client/wire";

/** A 1-based position range in a recipe's source (columns in UTF-16 code units, end exclusive). */
export interface SourceSpan {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** One message about a recipe, as editors show it. */
export interface RecipeDiagnostic extends SourceSpan {
  message: string;
  severity: "error" | "warning" | "info";
  /** The recipes/ package's diagnostic code, e.g. `unknown-statistic`, `unknown-override`. */
  code: string;
}

/** A `param name = default "description"` declaration of a recipe. */
export interface RecipeParamDeclaration {
  name: string;
  /** The default value, a canonical decimal (`30.0` is `30`). */
  default: string;
  description?: string;
}

/** The outcome of checking a recipe: `ok` when it has no error (warnings may remain). */
export interface RecipeCheck {
  ok: boolean;
  diagnostics: RecipeDiagnostic[];
  params: RecipeParamDeclaration[];
}

/** Values for a recipe's parameters: numbers, or decimals as text (`"30.5"`). */
export type RecipeParamValues = Readonly<Record<string, number | string>>;

/** A dataset's public metadata, as recipes are checked and planned against it. */
export interface RecipeDataset {
  /** uint256, decimal. */
  id: string;
  /** What a reading measures, as recipes name it (`value` always works too). */
  field: string;
  unit: string;
  scale: number;
  /** int64 offset in scaled units, decimal. */
  offset: string;
  /** Bucket size: windows are whole multiples of k readings. */
  k: number;
  /** Bit i set: recipe kind i approved. */
  approvedMask: number;
  /** The dataset's privacy setting (ε in thousandths, bounds in encoded units); exact when omitted. */
  privacy?: RecipeDatasetPrivacy;
  /** The encrypted rollups it keeps (recipes/ `DatasetRollups`: mask and block size); plans read every reading when omitted. */
  rollups?: { kinds: number; blockSize: number };
}

/** A dataset's privacy setting as recipes read it (the catalogue's `privacy` without its sentence). */
export type RecipeDatasetPrivacy = PrivacyParamsJson;

/**
 * A plan's privacy figures on a private dataset, as JSON (recipes/ `PlanPrivacy`, bigints as decimal
 * strings): the ε the run charges per reading of its window, the buyer's budget, a schedule's reports,
 * and per statistic the noise on its estimate. runs/schemas.ts holds the full zod schema.
 */
export type RecipePlanPrivacy = { epsilonMilli: number; budget: { budgetMilli: number; spentMilli: number | null; exceeded: boolean }; schedule?: { reportsAllowed: number | null; text: string } } & Record<string, unknown>;

/** What the checker says about a recipe against a dataset (or alone). */
export interface RecipeAnalysis {
  /** No error (warnings may remain), approvals included when a dataset was given. */
  ok: boolean;
  diagnostics: RecipeDiagnostic[];
  params: RecipeParamDeclaration[];
  /** The recipe kinds (COUNT, SUM, …) its statistics need, in code order; empty when it does not check. */
  requiredKinds: string[];
  /** Needed kinds the dataset's seller has not approved; null without a dataset. */
  missingKinds: string[] | null;
}

/** A plan note for the buyer (window alignment, clamping, overflow bounds). */
export interface RecipePlanNote {
  code: string;
  message: string;
}

/** A recipe's execution plan over a dataset, as JSON (recipes/ `planToJSON`: bigints as decimal strings). */
export interface RecipePlan {
  datasetId: string;
  programHash: string;
  window: { fromIndex: number; toIndex: number; length: number; requestedFrom: number; requestedTo: number; firstTimestamp?: number; lastTimestamp?: number };
  /** The contract's ops (uint64 fields as decimal strings). */
  ops: { kind: number; cmp: number; a: string; b: string; bounds: string[] }[];
  steps: { size: number; finalizes: boolean; hcu: number }[];
  totalHcu: number;
  notes: RecipePlanNote[];
  /** The whole plan document (recipes/ `PlanSchema` reads it back). */
  json: Record<string, unknown>;
  /** On a private dataset: the plan's privacy figures; null: exact results. */
  privacy: RecipePlanPrivacy | null;
}

/** A plan, or why there is none: the recipe's own errors, or a planning problem (too few readings, …). */
export type RecipePlanResult =
  | { ok: true; plan: RecipePlan; requiredKinds: string[] }
  | { ok: false; problem: "recipe"; diagnostics: RecipeDiagnostic[] }
  | { ok: false; problem: "plan"; code: string; message: string };

/** A forked recipe, or the diagnostics that prevent the fork. */
export type RecipeFork = { ok: true; source: string } | { ok: false; diagnostics: RecipeDiagnostic[] };

/** What the workbench needs from the recipe language. */
export interface RecipeTooling {
  /** Checks a recipe without a dataset (grammar, names, statistics, windows, parameters). */
  check(source: string): RecipeCheck;
  /**
   * The recipe with `params` written over the defaults of its declared parameters and, when given,
   * reading `dataset` (a dataset id or name) in its `from` line and naming the value `field` (the
   * dataset's field) wherever it named its own. Fails with the checker's diagnostics
   * (`unknown-override`, `invalid-override`, or any error of the recipe).
   */
  fork(input: { source: string; params: Readonly<Record<string, string>>; dataset?: string; field?: string }): RecipeFork;
  /**
   * Checks a recipe with parameter values, against a dataset when given: its field, the precision
   * and range of its values, and (reported as `kind-not-approved` errors) the seller's approvals.
   */
  analyze(input: { source: string; params?: RecipeParamValues; dataset?: RecipeDataset }): RecipeAnalysis;
  /**
   * Plans a recipe over a dataset's readings (approvals are not checked here): the recipe's own
   * window resolved at `now`, or exactly `window` (a window the buyer signed, aligned to k).
   */
  plan(input: {
    source: string;
    params?: RecipeParamValues;
    dataset: RecipeDataset & { readingCount: number; timestamps?: readonly number[] };
    now: number;
    window?: { fromIndex: number; toIndex: number };
    /** On a private dataset: the most ε (thousandths) a reading of the plan's window has spent on the buyer (`privacySpent`). */
    privacySpent?: number;
    /** A schedule's plan: the privacy figures say how many reports the budget allows. */
    scheduled?: boolean;
  }): RecipePlanResult;
  /**
   * The price of running `plan` (recipes' gas model and `quoteRun`): the relayer's gas for its start, steps and noise
   * with the quote's safety margin at `gasPriceWei` (the operator's published `runGasPrice()`), plus the seller's
   * `sellerWei` (`runPrice(datasetId)`). `programStored`: the chain already keeps the plan's program (only its first run
   * stores it); `ledgerUsed`: on a private dataset, ε was already spent on the window's readings (the first charge
   * writes the buyer's ledger and costs more).
   */
  quote(input: { plan: RecipePlan; programStored: boolean; ledgerUsed: boolean; gasPriceWei: bigint; sellerWei: bigint }): RecipeQuote;
}

/** A run's price, wei and gas as decimal strings (recipes/ `RunQuote`): totalWei = relayerWei + sellerWei is the maxPayment to sign. */
export interface RecipeQuote {
  gasPriceWei: string;
  relayerGas: string;
  relayerWei: string;
  sellerWei: string;
  totalWei: string;
}

/** Diagnostic codes that blame the parameter values given to a fork rather than the recipe. */
export const OVERRIDE_DIAGNOSTICS: ReadonlySet<string> = new Set(["unknown-override", "invalid-override"]);
