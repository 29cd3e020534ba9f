import { z } from "zod";
import { privacySettingJson } from "@iotdm/contracts-client/wire";
import { Address, AddressOutput, DatasetId, pageOf, pageQuery } from "../shared/schemas";
import { ROLLUP, type RollupName } from "@iotdm/recipes";
import { RECIPE_KIND_NAMES } from "../shared/recipe-kinds";

const RecipeKindName = z.enum(RECIPE_KIND_NAMES);
const RollupNameSchema = z.enum(Object.keys(ROLLUP) as [RollupName, ...RollupName[]]);

/** A dataset's privacy setting as the chain last announced it (PrivacyChanged). */
export const DatasetPrivacy = privacySettingJson.meta({ id: "DatasetPrivacy" });

/** What pay per run has earned the seller of a dataset so far (issue 15), from the market's RunSettled events. */
export const RunEarnings = z
  .object({
    settledRuns: z.number().int().meta({ description: "Runs finished and settled on-chain" }),
    sellerWei: z.string().meta({ description: "The seller's per-run price summed over them, wei, decimal" }),
  })
  .meta({ id: "RunEarnings" });

/** A dataset as the catalogue shows it: the chain's public metadata, indexed, and the caller's access. */
export const Dataset = z
  .object({
    id: z.string().meta({ description: "uint256, decimal" }),
    seller: AddressOutput,
    name: z.string(),
    field: z.string().meta({ description: "What a reading measures, as recipes name it (`value` always works too)" }),
    unit: z.string(),
    scale: z.number().int().meta({ description: "Decimals of the fixed-point encoding: encoded = round(value × 10^scale) − offset" }),
    offset: z.string().meta({ description: "int64 offset in scaled units, decimal" }),
    priceWei: z.string().meta({ description: "Price of one access period in wei, decimal" }),
    periodSeconds: z.number().int(),
    k: z.number().int().meta({ description: "Bucket size: run windows are whole multiples of k readings" }),
    readingCount: z.number().int(),
    firstTimestamp: z.number().int().nullable().meta({ description: "Unix seconds of the first reading" }),
    lastTimestamp: z.number().int().nullable().meta({ description: "Unix seconds of the last reading" }),
    approvedMask: z.number().int().meta({ description: "Bit i set: recipe kind i approved" }),
    approvedKinds: z.array(RecipeKindName).meta({ description: "The approved recipe types, by name" }),
    paused: z.boolean(),
    privacy: DatasetPrivacy,
    rollups: z.number().int().meta({ description: "The encrypted rollups kept at ingestion, a mask: bit 0 SUM, 1 SQUARES, 2 MIN, 3 MAX (0: none)" }),
    rollupNames: z
      .array(RollupNameSchema)
      .meta({ description: "The rollups by name: SUM serves SUM and MEAN, SUM with SQUARES serves VARIANCE, MIN and MAX serve themselves" }),
    rollupBlockSize: z
      .number()
      .int()
      .meta({ description: "Readings per rollup block (0 without rollups): a window aligned to it is combined from the rollups in one transaction or two" }),
    accessExpiresAt: z
      .number()
      .int()
      .nullable()
      .meta({ description: "The signed-in caller's access: unix seconds it ends (maybe past); null without a session or a purchase" }),
    runEarnings: RunEarnings,
    createdBlock: z.number().int(),
    updatedBlock: z.number().int(),
  })
  .meta({ id: "Dataset" });

export const DatasetPage = pageOf(Dataset);
export const DatasetParams = z.strictObject({ datasetId: DatasetId });

export const CatalogueQuery = z.strictObject({
  q: z.string().max(200).optional().meta({ description: "Words that must all appear in the name, field or unit" }),
  seller: Address.optional(),
  field: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "must be a field name").optional(),
  kind: z
    .string()
    .max(200)
    .transform((text) => text.split(",").map((kind) => kind.trim().toUpperCase()))
    .pipe(z.array(RecipeKindName).min(1))
    .optional()
    .meta({ description: "Recipe types that must all be approved, comma-separated (e.g. `MEAN,HISTOGRAM`)" }),
  access: z.stringbool().optional().meta({ description: "`true`: only datasets you hold unexpired access to (needs a session)" }),
  paused: z.stringbool().optional(),
  ...pageQuery,
});

const unixSeconds = z.coerce.number().int().nonnegative().max(2 ** 40);

/** Which time ranges of a private dataset's history the budget picture covers. */
export const BudgetQuery = z
  .strictObject({
    from: unixSeconds.optional().meta({ description: "Start (unix seconds, inclusive); default: the first private reading's timestamp" }),
    to: unixSeconds.optional().meta({ description: "End (unix seconds, exclusive); default: just after the last reading" }),
    parts: z.coerce.number().int().min(1).max(64).default(1).meta({ description: "How many equal time ranges to split [from, to) into (1 to 64)" }),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.to > q.from, { message: "to must be after from", path: ["to"] });

const thousandths = (description: string) => z.number().int().meta({ description: `${description}, in thousandths of ε (1000 = ε 1)` });

/** The buyer's privacy budget on a private dataset over time ranges, as the contract accounts it. */
export const BudgetPicture = z
  .object({
    datasetId: z.string(),
    buyer: z.string(),
    budgetMilli: thousandths("The seller's budget: the most ε any one reading may spend on one buyer"),
    privateFrom: z.number().int().meta({ description: "The first private reading: earlier ones were released exactly and keep no budget" }),
    ranges: z.array(
      z.object({
        from: z.number().int().meta({ description: "Readings stamped in [from, to), unix seconds" }),
        to: z.number().int(),
        fromIndex: z.number().int().meta({ description: "The range's private readings: [fromIndex, toIndex)" }),
        toIndex: z.number().int(),
        readings: z.number().int(),
        spentMilli: thousandths("The most ε a reading of the range has spent on you (privacySpent); 0 without readings"),
        remainingMilli: thousandths("budget − spent: the most ε any run over the range can still spend"),
      }),
    ),
  })
  .meta({ id: "BudgetPicture" });
