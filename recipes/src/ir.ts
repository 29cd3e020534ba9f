/**
 * The typed intermediate form of a checked recipe, as zod schemas (the single source of truth)
 * and the types inferred from them. The IR is plain JSON: decimals are canonical strings, times
 * are unix seconds. The server stores and re-validates it; the planner consumes it.
 */
import { z } from "zod";
import { CANONICAL_DECIMAL, compareDecimals, parseDecimal } from "./decimal";
import { MAX_HISTOGRAM_BOUNDS, MAX_PROGRAM_OPS } from "./catalogue";
import { abstractProgram } from "./program";

/** A decimal in canonical text (`"30.5"`, `"-12"`, `"0"`). */
export const DecimalSchema = z.string().regex(CANONICAL_DECIMAL, "expected a canonical decimal such as 30.5");

/** A source range (1-based; end column exclusive). */
export const SpanSchema = z.object({
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  endLine: z.number().int().positive(),
  endColumn: z.number().int().positive(),
});

const lessOrEqual = (a: string, b: string) => compareDecimals(parseDecimal(a)!, parseDecimal(b)!) <= 0;

/** A condition on the field: `x > a`, `x >= a`, `x < a`, `x <= a`, or `a <= x <= b`. */
export const PredicateSchema = z
  .discriminatedUnion("cmp", [
    z.object({ cmp: z.enum(["GT", "GE", "LT", "LE"]), a: DecimalSchema }).strict(),
    z.object({ cmp: z.literal("BETWEEN"), a: DecimalSchema, b: DecimalSchema }).strict(),
  ])
  .refine((p) => p.cmp !== "BETWEEN" || lessOrEqual(p.a, p.b), { message: "between needs a <= b" });

const base = {
  /** The label shown with the result (`as "…"`, or the statistic's canonical text). */
  label: z.string().min(1),
  /** The statistic's canonical source text, e.g. `count(temperature > hot)`. */
  source: z.string(),
  /** Where the statistic is in the recipe source, when the IR came from source. */
  span: SpanSchema.optional(),
  /**
   * The ε this statistic spends on a private dataset (`privacy 0.5` after it), as written; without it
   * the recipe's `epsilon`, else the dataset's default (the planner resolves it).
   */
  epsilon: DecimalSchema.optional(),
};

const plain = <T extends string>(stat: T) => z.object({ stat: z.literal(stat), ...base }).strict();
const conditional = <T extends string>(stat: T) =>
  z.object({ stat: z.literal(stat), predicate: PredicateSchema, ...base }).strict();

/** Strictly increasing histogram bounds, 1 to 8 of them. */
export const BoundsSchema = z
  .array(DecimalSchema)
  .min(1)
  .max(MAX_HISTOGRAM_BOUNDS)
  .refine((b) => b.every((x, i) => i === 0 || compareDecimals(parseDecimal(b[i - 1])!, parseDecimal(x)!) < 0), {
    message: "histogram bounds must be strictly increasing",
  });

/** One statistic of a recipe; `stat` is the catalogue form id. */
export const StatisticSchema = z.discriminatedUnion("stat", [
  plain("count"),
  conditional("countIf"),
  conditional("share"),
  plain("sum"),
  conditional("sumIf"),
  plain("mean"),
  conditional("meanIf"),
  plain("min"),
  plain("max"),
  plain("range"),
  z.object({ stat: z.literal("histogram"), bounds: BoundsSchema, ...base }).strict(),
  plain("variance"),
  plain("stddev"),
  conditional("alert"),
]);

/**
 * The window of readings a recipe reads, before alignment to the dataset's bucket size `k`
 * (the planner aligns it):
 * - `duration`: readings stamped in (now − seconds, now];
 * - `readings`: the most recent `count` readings;
 * - `range`: readings stamped in [from, to) (unix seconds);
 * - `sinceLastReport`: readings after the previous report's window;
 * - `all`: every reading.
 */
export const WindowSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("duration"), seconds: z.number().int().positive() }).strict(),
  z.object({ type: z.literal("readings"), count: z.number().int().positive() }).strict(),
  z
    .object({ type: z.literal("range"), from: z.number().int().nonnegative(), to: z.number().int().nonnegative() })
    .strict()
    .refine((w) => w.to > w.from, { message: "a date range must end after it starts" }),
  z.object({ type: z.literal("sinceLastReport") }).strict(),
  z.object({ type: z.literal("all") }).strict(),
]);

/** A parameter with the value used and its declared default. */
export const ParamSchema = z
  .object({
    name: z.string().min(1),
    value: DecimalSchema,
    default: DecimalSchema,
    description: z.string().optional(),
  })
  .strict();

/** A checked recipe. */
export const RecipeIRSchema = z
  .object({
    version: z.literal(1),
    /** The dataset as written in `from "…"`: a name or an id; the server resolves it. */
    dataset: z.string().min(1),
    /** The field name the recipe uses (`value` when it only uses the alias). */
    field: z.string().min(1),
    window: WindowSchema,
    params: z.array(ParamSchema),
    statistics: z.array(StatisticSchema).min(1),
    /** The recipe's `privacy 0.5` line: the ε of every statistic that names none (private datasets). */
    epsilon: DecimalSchema.optional(),
  })
  .strict()
  .superRefine((ir, ctx) => {
    const ops = abstractProgram(ir.statistics, ir.epsilon).ops.length;
    if (ops > MAX_PROGRAM_OPS) {
      ctx.addIssue({ code: "custom", message: `needs ${ops} contract operations; a program holds at most ${MAX_PROGRAM_OPS}` });
    }
  });

/** A decimal in canonical text. */
export type DecimalString = z.infer<typeof DecimalSchema>;
/** A condition on the field. */
export type Predicate = z.infer<typeof PredicateSchema>;
/** One statistic of a recipe. */
export type Statistic = z.infer<typeof StatisticSchema>;
/** The window of a recipe, before alignment. */
export type RecipeWindow = z.infer<typeof WindowSchema>;
/** A parameter of a recipe. */
export type RecipeParam = z.infer<typeof ParamSchema>;
/** A checked recipe. */
export type RecipeIR = z.infer<typeof RecipeIRSchema>;
