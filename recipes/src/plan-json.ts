/**
 * Plans as JSON (BullMQ job data, HTTP bodies): bigints become decimal strings, and
 * {@link PlanSchema} validates such a document and turns it back into a {@link Plan}.
 */
import { z } from "zod";
import { StatisticSchema } from "./ir";
import type { Plan } from "./planner";
import type { ContractOp } from "./program";
import { UINT64_MAX } from "./values";

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

const integer = z.union([z.bigint(), z.string().regex(/^-?\d+$/, "expected an integer in decimal")]).transform((v) => BigInt(v));
const uint64 = integer.refine((v) => v >= 0n && v <= UINT64_MAX, "expected a uint64");
const int64 = integer.refine((v) => v >= INT64_MIN && v <= INT64_MAX, "expected an int64");
const count = z.number().int().nonnegative();

/** A uint64 as JSON carries it: a decimal string (a bigint from memory is accepted and written as one). */
const uint64Decimal = z
  .union([z.bigint(), z.string().regex(/^\d+$/, "expected a uint64 as a decimal string")])
  .transform((v) => BigInt(v))
  .refine((v) => v <= UINT64_MAX, "does not fit in a uint64")
  .transform((v) => v.toString());

/**
 * One op of a program as it travels — in plans, BullMQ job data and results, HTTP bodies — with its
 * uint64 fields as decimal strings. The one schema of an op on the wire: the worker's run results
 * keep ops in this form (BullMQ stores results as JSON, which has no bigint and loses integers above
 * 2^53), and {@link ContractOpSchema} is this schema turned into the bigints the planner, the
 * contract calls and the interpreter work with. Deciding on strings for the wire and bigints in
 * memory, with one set of field rules, is what keeps the two encodings from drifting apart.
 */
export const ContractOpJsonSchema = z
  .object({
    kind: z.number().int().min(0).max(9),
    cmp: z.number().int().min(0).max(4),
    /** ε in thousandths (0 on an exact dataset); plans and results written before ε existed have none. */
    epsilon: z.number().int().min(0).max(0xffff_ffff).default(0),
    a: uint64Decimal,
    b: uint64Decimal,
    bounds: z.array(uint64Decimal).max(8),
  })
  .strict();

/** An op as JSON: {@link ContractOpJsonSchema}'s output. */
export type ContractOpJSON = z.output<typeof ContractOpJsonSchema>;

/** An op from JSON (or memory) as the contract takes it: {@link ContractOpJsonSchema} with bigints. */
export const ContractOpSchema = ContractOpJsonSchema.transform(
  (op): ContractOp => ({ ...op, kind: op.kind as ContractOp["kind"], cmp: op.cmp as ContractOp["cmp"], a: BigInt(op.a), b: BigInt(op.b), bounds: op.bounds.map(BigInt) }),
);

/** An op as JSON (what {@link ContractOpSchema} reads back). */
export function contractOpToJSON(op: ContractOp): ContractOpJSON {
  return { kind: op.kind, cmp: op.cmp, epsilon: op.epsilon, a: op.a.toString(), b: op.b.toString(), bounds: op.bounds.map(String) };
}

const milli = z.number().int();
const figure = z
  .object({
    standardDeviation: z.number().nonnegative().nullable(),
    halfWidth: z.number().nonnegative().nullable(),
    interval: z.enum(["exact", "bound"]),
    unit: z.string(),
    assumption: z.string().optional(),
    text: z.string(),
  })
  .strict();

/** The privacy figures of a plan on a private dataset (plan-privacy.ts documents every field). */
const PlanPrivacySchema = z
  .object({
    mode: z.literal("private"),
    lowerBound: uint64,
    upperBound: uint64,
    epsilonMilli: milli.nonnegative(),
    fromIndex: count,
    toIndex: count,
    confidence: z.number().positive().max(1),
    budget: z
      .object({
        budgetMilli: milli.nonnegative(),
        spentMilli: milli.nonnegative().nullable(),
        remainingAfterMilli: milli.nullable(),
        exceeded: z.boolean(),
        runsAfter: count.nullable(),
        text: z.string(),
      })
      .strict(),
    schedule: z
      .object({
        epsilonPerReportMilli: milli.nonnegative(),
        reportsAllowed: count.nullable(),
        leftPerReadingMilli: milli.nonnegative(),
        text: z.string(),
      })
      .strict()
      .optional(),
    statistics: z.array(
      z
        .object({
          output: count,
          label: z.string(),
          epsilonMilli: milli.nonnegative(),
          epsilonSource: z.enum(["statistic", "recipe", "dataset-default", "none"]),
          noise: figure.nullable(),
        })
        .strict(),
    ),
  })
  .strict();

/** A plan, from JSON (decimal strings) or from memory (bigints). */
export const PlanSchema = z
  .object({
    version: z.literal(1),
    datasetId: z.string().regex(/^\d+$/),
    encoding: z.object({ scale: z.number().int().min(0).max(18), offset: int64 }).strict(),
    unit: z.string().optional(),
    k: z.number().int().positive(),
    window: z
      .object({
        fromIndex: count,
        toIndex: count,
        length: count,
        requestedFrom: count,
        requestedTo: count,
        firstTimestamp: count.optional(),
        lastTimestamp: count.optional(),
      })
      .strict(),
    ops: z.array(ContractOpSchema).min(1).max(8),
    programHash: z.string().regex(/^0x[0-9a-f]{64}$/),
    steps: z.array(z.object({ size: z.number().int().positive(), finalizes: z.boolean(), hcu: count }).strict()).min(1),
    totalHcu: count,
    rolledUp: z.boolean().default(false),
    handles: z.array(
      z
        .object({
          op: count,
          type: z.enum(["euint64", "euint32", "ebool"]),
          role: z.enum(["windowLength", "sum", "min", "max", "count", "bucket", "sumOfSquares", "centredSquares", "any"]),
        })
        .strict(),
    ),
    outputs: z.array(z.object({ statistic: StatisticSchema, ops: z.array(count) }).strict()),
    notes: z.array(
      z.object({ code: z.enum(["aligned", "clamped", "no-previous-report", "overflow-bound", "private-from"]), message: z.string() }).strict(),
    ),
    privacy: PlanPrivacySchema.optional(),
  })
  .strict()
  .transform((p) => p as Plan);

/** A plan with its bigints as decimal strings. */
export type PlanJSON = z.input<typeof PlanSchema>;

/** A plan as plain JSON (bigints as decimal strings); `PlanSchema.parse` reverses it. */
export function planToJSON(plan: Plan): PlanJSON {
  return JSON.parse(JSON.stringify(plan, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))) as PlanJSON;
}
