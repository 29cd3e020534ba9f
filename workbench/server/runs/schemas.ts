import { z } from "zod";
import { runRequestJson } from "@iotdm/contracts-client/wire";
import { RecipeDiagnostic } from "../recipes/schemas";
import { RECIPE_KIND_NAMES } from "../shared/recipe-kinds";
import { RUN_STATUSES } from "../store/records";
import {
  AddressOutput,
  Bytes32,
  DatasetId,
  Id,
  IdOutput,
  multiLineText,
  pageOf,
  pageQuery,
  ParamValues,
  SignatureHex,
  TimestampOutput,
} from "../shared/schemas";

/**
 * The longest recipe a run or schedule accepts: the worker's job schema (`recipeInputSchema`)
 * refuses longer ones, and a request must not pass here only to fail there.
 */
export const RUN_SOURCE_LIMIT = 20_000;

export const RunSource = multiLineText(RUN_SOURCE_LIMIT).meta({
  description: "The recipe to run (the cell's source when it was run)",
  example: 'from "greenhouse" window all\nmean(temperature)',
});

/**
 * The buyer's EIP-712 RunRequest (domain IoTDataMarket v1), uint fields as decimal strings: the
 * contracts client's wire schema, which the worker parses its jobs with; unknown fields refused.
 */
export const RunRequestJson = runRequestJson.strict().meta({ id: "RunRequest" });

/** A RunRequest in a response: the same shape (the wire schema transforms nothing, so it encodes as it parses). */
export const RunRequestOutput = runRequestJson.meta({ id: "RunRequestOutput" });

/** The EIP-712 domain and types the browser signs a RunRequest with. */
export const TypedDataSpec = z.object({
  domain: z.object({ name: z.string(), version: z.string(), chainId: z.number().int(), verifyingContract: AddressOutput }),
  types: z.record(z.string(), z.array(z.object({ name: z.string(), type: z.string() }))),
  primaryType: z.string(),
});

const PlanNote = z.object({ code: z.string(), message: z.string() });

export const PlanWindow = z.object({
  fromIndex: z.number().int(),
  toIndex: z.number().int(),
  length: z.number().int(),
  requestedFrom: z.number().int().meta({ description: "The reading range the recipe asked for, before alignment to k" }),
  requestedTo: z.number().int(),
  firstTimestamp: z.number().int().optional(),
  lastTimestamp: z.number().int().optional(),
});

const thousandths = (description: string) => z.number().int().meta({ description: `${description}, in thousandths of ε (1000 = ε 1)` });

/** The noise on one statistic's estimate (recipes/ `NoiseFigure`). */
const NoiseFigure = z
  .object({
    standardDeviation: z.number().nullable().meta({ description: "Standard deviation of the estimate's error, in `unit`; null where it depends on the result (stddev)" }),
    halfWidth: z.number().nullable().meta({ description: "Half-width of the 95 % interval around the estimate, in `unit`; null when it cannot be bounded" }),
    interval: z.enum(["exact", "bound"]).meta({ description: "exact: from the noise's exact law; bound: a conservative bound over several noises (coverage ≥ 95 %)" }),
    unit: z.string().meta({ description: "The dataset's unit, its square (variance), `readings` (counts, histogram buckets) or `%` (shares, percentage points)" }),
    assumption: z.string().optional().meta({ description: "What the figure assumes about the result, when it depends on it" }),
    text: z.string().meta({ example: "± 0.5 °C (95 %)" }),
  })
  .meta({ id: "NoiseFigure" });

/** A plan's privacy figures on a private dataset (recipes/ `PlanPrivacy`). */
export const PlanPrivacy = z
  .object({
    mode: z.literal("private"),
    lowerBound: z.string().meta({ description: "Readings are clamped into [lowerBound, upperBound], encoded units, decimal" }),
    upperBound: z.string(),
    epsilonMilli: thousandths("What the run charges to every reading of [fromIndex, toIndex): the sum over its ops"),
    fromIndex: z.number().int(),
    toIndex: z.number().int(),
    confidence: z.number().meta({ description: "The confidence of every interval (0.95)" }),
    budget: z.object({
      budgetMilli: thousandths("The most ε any one reading may spend on one buyer"),
      spentMilli: thousandths("The most ε a reading of the window has already spent on you (the contract's privacySpent)").nullable(),
      remainingAfterMilli: thousandths("What the most-spent reading of the window keeps after this run (negative: refused)").nullable(),
      exceeded: z.boolean().meta({ description: "Whether the contract will refuse the run (PrivacyBudgetExceeded)" }),
      runsAfter: z.number().int().nullable().meta({ description: "How many more runs like this one over this window the budget allows after it" }),
      text: z.string(),
    }),
    schedule: z
      .object({
        epsilonPerReportMilli: thousandths("What each report charges to each reading of its window"),
        reportsAllowed: z.number().int().nullable().meta({ description: "Reports the budget allows: null when it does not limit them (consecutive windows), 0 when none fits" }),
        leftPerReadingMilli: thousandths("What each reading keeps for your other runs after its report"),
        text: z.string(),
      })
      .optional(),
    statistics: z.array(
      z.object({
        output: z.number().int().meta({ description: "The statistic's index in the recipe" }),
        label: z.string(),
        epsilonMilli: thousandths("What its ops spend (count() spends none)"),
        epsilonSource: z.enum(["statistic", "recipe", "dataset-default", "none"]),
        noise: NoiseFigure.nullable().meta({ description: "The noise on its estimate; null for count(), which is exact" }),
      }),
    ),
  })
  .meta({ id: "PlanPrivacy" });

export const PlanBody = z.strictObject({
  datasetId: DatasetId,
  source: RunSource,
  params: ParamValues.optional(),
  scheduled: z.boolean().optional().meta({
    description: "Plan it as a schedule's report: on a private dataset `privacy.schedule` says how many reports the budget allows",
  }),
});

/**
 * What a run may take from the buyer's market balance (issue 15): the relayer's gas for start, steps
 * and noise at the operator's published gas price, plus the seller's price per run. Decimal wei.
 */
export const RunQuote = z
  .object({
    gasPriceWei: z.string().meta({ description: "The operator's published run gas price (runGasPrice()), wei per gas: the most the contract reimburses per gas" }),
    relayerGas: z.string().meta({ description: "Gas of every transaction the relayer sends for the run (start, steps, noise), with the quote's safety margin (recipes/ QUOTE_GAS_MARGIN_PERCENT)" }),
    relayerWei: z.string().meta({ description: "relayerGas × gasPriceWei: the most the relayer is reimbursed" }),
    sellerWei: z.string().meta({ description: "The seller's price per run on the dataset (0: none)" }),
    totalWei: z.string().meta({ description: "relayerWei + sellerWei: the maxPayment to sign, locked from the balance at start" }),
  })
  .meta({ id: "RunQuote" });

/** What the browser shows and signs before a run. */
export const RunPlan = z
  .object({
    datasetId: z.string(),
    programHash: Bytes32,
    window: PlanWindow,
    steps: z.number().int().meta({ description: "The number of `step` transactions the worker will send" }),
    totalHcu: z.number().int(),
    notes: z.array(PlanNote).meta({ description: "Window alignment and other adjustments, in words" }),
    requiredKinds: z.array(z.enum(RECIPE_KIND_NAMES)),
    approved: z.boolean().meta({ description: "Whether the seller approved every recipe type the run needs" }),
    missingKinds: z.array(z.enum(RECIPE_KIND_NAMES)),
    accessExpiresAt: z.number().int().nullable().meta({ description: "Your access to the dataset (unix seconds; null: none)" }),
    request: RunRequestOutput.meta({ description: "The RunRequest to sign: nonce (random) and deadline (in an hour) are suggestions" }),
    typedData: TypedDataSpec,
    plan: z.record(z.string(), z.unknown()).meta({ description: "The whole plan (recipes/ PlanSchema): result layout for interpreting the results" }),
    quote: RunQuote.meta({ description: "The run's price before signing: request.maxPayment is its totalWei" }),
    privacy: PlanPrivacy.nullable().meta({
      description: "On a private dataset: ε spent on which readings, your budget before and after, and each statistic's ± at 95 %; null: exact results",
    }),
  })
  .meta({ id: "RunPlan" });

export const SubmitRunBody = z.strictObject({
  notebookId: Id,
  cellId: Id,
  datasetId: DatasetId,
  source: RunSource,
  params: ParamValues.optional(),
  request: RunRequestJson,
  signature: SignatureHex,
});

const RunError = z.object({
  code: z.string().meta({ description: "The contract's custom error name, the worker's rejection code, or CHAIN_RESET" }),
  message: z.string(),
});

/** A run as the API shows it: never a decrypted value, only result handles its buyer can decrypt. */
export const Run = z
  .object({
    id: IdOutput,
    buyer: AddressOutput,
    notebookId: IdOutput.nullable(),
    cellId: IdOutput.nullable(),
    scheduleId: IdOutput.nullable(),
    datasetId: z.string(),
    marketAddress: AddressOutput.nullable().meta({ description: "The contract the result handles belong to (user-decrypt against it)" }),
    programHash: z.string(),
    source: z.string(),
    params: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
    fromIndex: z.number().int(),
    toIndex: z.number().int(),
    status: z.enum(RUN_STATUSES),
    progress: z.object({ stepsDone: z.number().int(), stepsTotal: z.number().int().nullable(), cursorIndex: z.number().int().nullable() }),
    chainRunId: z.string().nullable(),
    resultHandles: z.array(z.string()).nullable().meta({ description: "Result ciphertext handles in plan order, once done" }),
    txHashes: z.array(z.string()),
    error: RunError.nullable(),
    stale: z.string().nullable().meta({ description: "Why the run's results cannot be decrypted any more: it was made on a previous chain (the chain was reset). Never offered for decryption" }),
    plan: z.record(z.string(), z.unknown()).nullable(),
    createdAt: TimestampOutput,
    updatedAt: TimestampOutput,
    startedAt: TimestampOutput.nullable(),
    finishedAt: TimestampOutput.nullable(),
  })
  .meta({ id: "Run" });

export const RunPage = pageOf(Run);
export const RunParams = z.strictObject({ runId: Id });
export const NotebookRunsParams = z.strictObject({ notebookId: Id });
export const NotebookRunsQuery = z.strictObject({ cellId: Id.optional().meta({ description: "Only this cell's runs" }), ...pageQuery });

export { RecipeDiagnostic };
