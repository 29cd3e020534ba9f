/**
 * THE catalogue of the recipe language: the contract's recipe kinds and comparators, the
 * statistics a recipe can ask for, the language's keywords and window units.
 *
 * The lexer, the checker, the planner, the editor (Monarch grammar, completions, hover) and the
 * sellers' approval screen all read this one module, so they cannot drift apart. The numeric
 * enums mirror the shared interface (`/tmp/spec/interface.md`); recipes/ may not import
 * contracts/, so the lead adds a cross-check test against the contract's own constants.
 */

/** Recipe kinds of the contract (uint8; also the bit index in a dataset's uint16 approval mask). */
export const RecipeKind = {
  COUNT: 0,
  SUM: 1,
  MEAN: 2,
  MIN: 3,
  MAX: 4,
  COUNT_IF: 5,
  SUM_IF: 6,
  HISTOGRAM: 7,
  VARIANCE: 8,
  ALERT: 9,
} as const;

/** Name of a recipe kind, e.g. `"HISTOGRAM"`. */
export type RecipeKindName = keyof typeof RecipeKind;
/** Numeric code of a recipe kind as the contract encodes it. */
export type RecipeKindCode = (typeof RecipeKind)[RecipeKindName];

/** All kind names in code order. */
export const RECIPE_KIND_NAMES = Object.keys(RecipeKind) as readonly RecipeKindName[];

/** Comparators of a predicate (uint8 in the contract's `Op.cmp`). */
export const Comparator = {
  /** x > a */
  GT: 0,
  /** x >= a */
  GE: 1,
  /** x < a */
  LT: 2,
  /** x <= a */
  LE: 3,
  /** a <= x <= b (inclusive) */
  BETWEEN: 4,
} as const;

/** Name of a comparator, e.g. `"GE"`. */
export type ComparatorName = keyof typeof Comparator;
/** Numeric code of a comparator as the contract encodes it. */
export type ComparatorCode = (typeof Comparator)[ComparatorName];

/** Most operations one program may hold (the contract rejects longer programs). */
export const MAX_PROGRAM_OPS = 8;
/** Most histogram bounds one HISTOGRAM op may hold (bounds.length + 1 buckets). */
export const MAX_HISTOGRAM_BOUNDS = 8;

/** What a seller needs to know about a recipe kind before approving it on a dataset. */
export interface KindInfo {
  /** The kind's name as the contract knows it. */
  readonly kind: RecipeKindName;
  /** Short human name for screens ("conditional count"). */
  readonly title: string;
  /** What a buyer learns from it, in plain words for sellers. */
  readonly reveals: string;
}

/** One entry per recipe kind, in code order: the sellers' approval screen reads this. */
export const KIND_INFO: Readonly<Record<RecipeKindName, KindInfo>> = {
  COUNT: {
    kind: "COUNT",
    title: "count",
    reveals: "How many readings the window holds. This is already public on-chain, so it reveals nothing new.",
  },
  SUM: {
    kind: "SUM",
    title: "sum",
    reveals: "The total of all readings in the window (one number); nothing about any single reading.",
  },
  MEAN: {
    kind: "MEAN",
    title: "mean",
    reveals: "The average of the readings in the window (one number); nothing about any single reading.",
  },
  MIN: {
    kind: "MIN",
    title: "minimum",
    reveals: "The lowest reading in the window: the exact value of one reading, but not which one or when.",
  },
  MAX: {
    kind: "MAX",
    title: "maximum",
    reveals: "The highest reading in the window: the exact value of one reading, but not which one or when.",
  },
  COUNT_IF: {
    kind: "COUNT_IF",
    title: "conditional count",
    reveals: "How many readings in the window meet a condition the buyer chooses (e.g. above 30).",
  },
  SUM_IF: {
    kind: "SUM_IF",
    title: "conditional sum",
    reveals: "The total of the readings that meet a condition the buyer chooses.",
  },
  HISTOGRAM: {
    kind: "HISTOGRAM",
    title: "histogram",
    reveals: "How many readings fall in each of up to 9 value ranges the buyer chooses: the shape of the distribution.",
  },
  VARIANCE: {
    kind: "VARIANCE",
    title: "variance",
    reveals: "The sum and the sum of squares of the readings: how much they vary (variance, standard deviation, mean).",
  },
  ALERT: {
    kind: "ALERT",
    title: "alert",
    reveals: "Only whether at least one reading in the window meets a condition (yes or no).",
  },
};

/**
 * Argument shapes a statistic form accepts, matched against the parsed arguments:
 * - `field`: the dataset's field, e.g. `temperature`;
 * - `predicate`: a condition on the field, e.g. `temperature > 30`, `temperature between 18 and 24`;
 * - `fieldWhere`: the field restricted by a condition, e.g. `temperature where temperature > 30`;
 * - `bounds`: a list of increasing numbers, e.g. `[0, 10, 20]`.
 */
export type ArgShape = "field" | "predicate" | "fieldWhere" | "bounds";

/**
 * How the interpreter presents a form's result:
 * `count` (a whole number of readings), `share` (a fraction of the window, 0..1),
 * `value` (in the dataset's unit), `squared` (in the unit squared), `histogram`, `boolean`.
 */
export type ResultShape = "count" | "share" | "value" | "squared" | "histogram" | "boolean";

/** Identifier of a statistic form; it is the discriminant `stat` of the typed IR. */
export type StatisticFormId =
  | "count"
  | "countIf"
  | "share"
  | "sum"
  | "sumIf"
  | "mean"
  | "meanIf"
  | "min"
  | "max"
  | "range"
  | "histogram"
  | "variance"
  | "stddev"
  | "alert";

/** One way of calling a statistic (an overload), with everything the tools need to know about it. */
export interface StatisticForm {
  /** The IR discriminant this form compiles to. */
  readonly id: StatisticFormId;
  /** How a person writes it, e.g. `count(field > value)`. */
  readonly signature: string;
  /** The argument shapes, in order. */
  readonly args: readonly ArgShape[];
  /** The contract operations it needs, in the order they are added to the program. */
  readonly kinds: readonly RecipeKindName[];
  /** One line on what it computes. */
  readonly description: string;
  /** What it reveals, in plain words for sellers. */
  readonly reveals: string;
  /** How the interpreter presents the result. */
  readonly result: ResultShape;
  /** Editor completion snippet (Monaco/VS Code snippet syntax; `field` is replaced by the dataset's field). */
  readonly snippet: string;
}

/** A statistic of the language (a function name) with its forms. */
export interface StatisticSpec {
  /** The name written in recipes, e.g. `count`. */
  readonly name: string;
  /** One-line summary for completion lists and hover. */
  readonly summary: string;
  /** Other names people try, used only to suggest the right one ("avg" → "mean"). */
  readonly aliases: readonly string[];
  /** The forms, tried in order against the arguments. */
  readonly forms: readonly StatisticForm[];
}

const FIELD = "${1:field}";

/** Every statistic of the language. */
export const STATISTICS: readonly StatisticSpec[] = [
  {
    name: "count",
    summary: "Number of readings, or of readings meeting a condition.",
    aliases: ["n", "number", "countif", "count_if"],
    forms: [
      {
        id: "count",
        signature: "count()",
        args: [],
        kinds: ["COUNT"],
        description: "Number of readings in the window.",
        reveals: KIND_INFO.COUNT.reveals,
        result: "count",
        snippet: "count()",
      },
      {
        id: "count",
        signature: "count(field)",
        args: ["field"],
        kinds: ["COUNT"],
        description: "Number of readings in the window (same as count()).",
        reveals: KIND_INFO.COUNT.reveals,
        result: "count",
        snippet: `count(${FIELD})`,
      },
      {
        id: "countIf",
        signature: "count(field > value)",
        args: ["predicate"],
        kinds: ["COUNT_IF"],
        description: "Number of readings meeting a condition (>, >=, <, <=, ==, between … and …).",
        reveals: KIND_INFO.COUNT_IF.reveals,
        result: "count",
        snippet: `count(${FIELD} > \${2:value})`,
      },
    ],
  },
  {
    name: "share",
    summary: "Fraction of the readings that meet a condition (0 to 1).",
    aliases: ["fraction", "ratio", "percent", "proportion"],
    forms: [
      {
        id: "share",
        signature: "share(field > value)",
        args: ["predicate"],
        kinds: ["COUNT_IF"],
        description: "Fraction of the window's readings meeting a condition, e.g. the share of time in a comfort band.",
        reveals: KIND_INFO.COUNT_IF.reveals,
        result: "share",
        snippet: `share(${FIELD} between \${2:low} and \${3:high})`,
      },
    ],
  },
  {
    name: "sum",
    summary: "Total of the readings, or of the readings meeting a condition.",
    aliases: ["total", "sumif", "sum_if"],
    forms: [
      {
        id: "sum",
        signature: "sum(field)",
        args: ["field"],
        kinds: ["SUM"],
        description: "Total of all readings in the window.",
        reveals: KIND_INFO.SUM.reveals,
        result: "value",
        snippet: `sum(${FIELD})`,
      },
      {
        id: "sumIf",
        signature: "sum(field where field > value)",
        args: ["fieldWhere"],
        kinds: ["SUM_IF", "COUNT_IF"],
        description:
          "Total of the readings meeting a condition (also counts them: the count undoes the dataset's offset).",
        reveals: `${KIND_INFO.SUM_IF.reveals} Also how many readings meet it.`,
        result: "value",
        snippet: `sum(${FIELD} where ${FIELD} > \${2:value})`,
      },
    ],
  },
  {
    name: "mean",
    summary: "Average of the readings, or of the readings meeting a condition.",
    aliases: ["avg", "average"],
    forms: [
      {
        id: "mean",
        signature: "mean(field)",
        args: ["field"],
        kinds: ["MEAN"],
        description: "Average of the readings in the window.",
        reveals: KIND_INFO.MEAN.reveals,
        result: "value",
        snippet: `mean(${FIELD})`,
      },
      {
        id: "meanIf",
        signature: "mean(field where field > value)",
        args: ["fieldWhere"],
        kinds: ["SUM_IF", "COUNT_IF"],
        description: "Average of the readings meeting a condition (a conditional sum divided by a conditional count).",
        reveals: `${KIND_INFO.SUM_IF.reveals} Also how many readings meet it.`,
        result: "value",
        snippet: `mean(${FIELD} where ${FIELD} > \${2:value})`,
      },
    ],
  },
  {
    name: "min",
    summary: "Lowest reading.",
    aliases: ["minimum", "lowest"],
    forms: [
      {
        id: "min",
        signature: "min(field)",
        args: ["field"],
        kinds: ["MIN"],
        description: "Lowest reading in the window.",
        reveals: KIND_INFO.MIN.reveals,
        result: "value",
        snippet: `min(${FIELD})`,
      },
    ],
  },
  {
    name: "max",
    summary: "Highest reading.",
    aliases: ["maximum", "highest", "peak"],
    forms: [
      {
        id: "max",
        signature: "max(field)",
        args: ["field"],
        kinds: ["MAX"],
        description: "Highest reading in the window.",
        reveals: KIND_INFO.MAX.reveals,
        result: "value",
        snippet: `max(${FIELD})`,
      },
    ],
  },
  {
    name: "range",
    summary: "Highest minus lowest reading.",
    aliases: ["spread", "span"],
    forms: [
      {
        id: "range",
        signature: "range(field)",
        args: ["field"],
        kinds: ["MIN", "MAX"],
        description: "Difference between the highest and the lowest reading in the window.",
        reveals: `${KIND_INFO.MIN.reveals} ${KIND_INFO.MAX.reveals}`,
        result: "value",
        snippet: `range(${FIELD})`,
      },
    ],
  },
  {
    name: "histogram",
    summary: "Number of readings in each value range.",
    aliases: ["hist", "buckets", "distribution"],
    forms: [
      {
        id: "histogram",
        signature: "histogram(field, [b1, b2, …])",
        args: ["field", "bounds"],
        kinds: ["HISTOGRAM"],
        description:
          "Counts per bucket: below b1, [b1, b2), …, from the last bound up; 1 to 8 strictly increasing bounds.",
        reveals: KIND_INFO.HISTOGRAM.reveals,
        result: "histogram",
        snippet: `histogram(${FIELD}, [\${2:0}, \${3:10}, \${4:20}])`,
      },
    ],
  },
  {
    name: "variance",
    summary: "Population variance of the readings.",
    aliases: ["var"],
    forms: [
      {
        id: "variance",
        signature: "variance(field)",
        args: ["field"],
        kinds: ["VARIANCE"],
        description: "Population variance of the readings (mean of the squared distances to the mean), in unit².",
        reveals: KIND_INFO.VARIANCE.reveals,
        result: "squared",
        snippet: `variance(${FIELD})`,
      },
    ],
  },
  {
    name: "stddev",
    summary: "Population standard deviation of the readings.",
    aliases: ["std", "stdev", "sd", "deviation"],
    forms: [
      {
        id: "stddev",
        signature: "stddev(field)",
        args: ["field"],
        kinds: ["VARIANCE"],
        description: "Population standard deviation (square root of the variance), in the dataset's unit.",
        reveals: KIND_INFO.VARIANCE.reveals,
        result: "value",
        snippet: `stddev(${FIELD})`,
      },
    ],
  },
  {
    name: "alert",
    summary: "Whether any reading meets a condition.",
    aliases: ["any", "exists", "anomaly"],
    forms: [
      {
        id: "alert",
        signature: "alert(field > value)",
        args: ["predicate"],
        kinds: ["ALERT"],
        description: "Yes if at least one reading in the window meets the condition, otherwise no.",
        reveals: KIND_INFO.ALERT.reveals,
        result: "boolean",
        snippet: `alert(${FIELD} > \${2:value})`,
      },
    ],
  },
];

/** Statistic names of the language, in catalogue order (for completions and the Monarch grammar). */
export const STATISTIC_NAMES: readonly string[] = STATISTICS.map((s) => s.name);

/** Looks a statistic up by the name written in a recipe. */
export function findStatistic(name: string): StatisticSpec | undefined {
  return STATISTICS.find((s) => s.name === name);
}

/** The form (and so the contract kinds) an IR statistic compiles to. */
export function formOf(id: StatisticFormId): StatisticForm {
  for (const spec of STATISTICS) {
    for (const form of spec.forms) if (form.id === id) return form;
  }
  throw new Error(`catalogue has no form '${id}'`);
}

/** The statistic name (as written in recipes) of an IR form id. */
export function statisticNameOf(id: StatisticFormId): string {
  const spec = STATISTICS.find((s) => s.forms.some((f) => f.id === id));
  if (!spec) throw new Error(`catalogue has no form '${id}'`);
  return spec.name;
}

/**
 * Reserved words of the language. Lower case; the language is case-sensitive.
 * The lexer builds its keyword tokens from this list.
 */
export const KEYWORDS = [
  "param",
  "from",
  "window",
  "last",
  "to",
  "since",
  "report",
  "all",
  "as",
  "where",
  "between",
  "and",
  "privacy",
] as const;

/** A reserved word. */
export type Keyword = (typeof KEYWORDS)[number];

/** Comparison operators a predicate may use, with the comparator each one compiles to. */
export const COMPARISON_OPERATORS = [
  { symbol: ">", comparator: "GT", description: "greater than" },
  { symbol: ">=", comparator: "GE", description: "greater than or equal to" },
  { symbol: "<", comparator: "LT", description: "less than" },
  { symbol: "<=", comparator: "LE", description: "less than or equal to" },
  { symbol: "==", comparator: "BETWEEN", description: "equal to (compiled as between v and v)" },
] as const satisfies readonly { symbol: string; comparator: ComparatorName; description: string }[];

/** Units of `window last <n> <unit>`: seconds per unit, or `readings` for a count window. */
export const WINDOW_UNITS: Readonly<Record<string, number | "readings">> = {
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  minute: 60,
  minutes: 60,
  h: 3_600,
  hour: 3_600,
  hours: 3_600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
  reading: "readings",
  readings: "readings",
};

/** The dataset's field can always be written `value`, whatever the dataset calls it. */
export const FIELD_ALIAS = "value";

/**
 * The kinds a dataset approval mask (uint16, bit i = kind i) allows.
 * @param mask the on-chain approval mask
 */
export function kindsFromMask(mask: number): RecipeKindName[] {
  return RECIPE_KIND_NAMES.filter((k) => (mask >> RecipeKind[k]) & 1);
}

/** The approval mask (uint16, bit i = kind i) of a set of kinds. */
export function maskFromKinds(kinds: Iterable<RecipeKindName>): number {
  let mask = 0;
  for (const k of kinds) mask |= 1 << RecipeKind[k];
  return mask;
}
