import { z } from "zod";
import { privacySettingJson } from "@iotdm/contracts-client/wire";
import { Address, AddressOutput, DatasetId, pageOf, pageQuery } from "../shared/schemas";
import { RECIPE_KIND_NAMES } from "../shared/recipe-kinds";

const RecipeKindName = z.enum(RECIPE_KIND_NAMES);

/** A dataset's privacy setting as the chain last announced it (PrivacyChanged). */
export const DatasetPrivacy = privacySettingJson.meta({ id: "DatasetPrivacy" });

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
    accessExpiresAt: z
      .number()
      .int()
      .nullable()
      .meta({ description: "The signed-in caller's access: unix seconds it ends (maybe past); null without a session or a purchase" }),
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
