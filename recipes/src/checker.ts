/**
 * The checker: from source text to the typed IR, with every problem reported as a diagnostic a
 * person understands. It resolves names (the dataset's field, parameters with their overrides),
 * matches each statistic against the catalogue's forms, checks windows, histogram bounds and, when
 * the dataset is known, that constants fit its fixed-point encoding and that the seller approved
 * every recipe kind the recipe needs.
 */
import type {
  ArgumentNode,
  ConditionNode,
  FromStatement,
  ListNode,
  Operand,
  ParamStatement,
  PrivacyNode,
  PrivacyStatement,
  RecipeAst,
  Statement,
  StatisticStatement,
  WhereNode,
  WindowNode,
} from "./ast";
import {
  FIELD_ALIAS,
  KIND_INFO,
  MAX_HISTOGRAM_BOUNDS,
  MAX_PROGRAM_OPS,
  RECIPE_KIND_NAMES,
  STATISTICS,
  WINDOW_UNITS,
  findStatistic,
  formOf,
  type ArgShape,
  type RecipeKindName,
  type StatisticForm,
  type StatisticSpec,
} from "./catalogue";
import {
  DECIMAL_LITERAL,
  compareDecimals,
  decimalToString,
  formatFixed,
  parseDecimal,
  pow10,
  trimFraction,
  type Decimal,
} from "./decimal";
import { closest, diagnostic, hasErrors, type Diagnostic, type DiagnosticCode, type Span } from "./diagnostics";
import { RecipeIRSchema, type Predicate, type RecipeIR, type RecipeParam, type RecipeWindow, type Statistic } from "./ir";
import { parse } from "./parser";
import { printCall, printCondition, printOperand, printStatement, printString } from "./printer";
import {
  epsilonToMilli,
  formatEpsilon,
  isNoisedKind,
  MAX_STATISTIC_EPSILON_MILLI,
  NOT_PRIVATE_KINDS,
  privateSetting,
  type DatasetPrivacy,
  type PrivateSetting,
} from "./privacy";
import { HCU_TRANSACTION_LIMIT, maxStepSize, stepHcu } from "./cost-model";
import { abstractProgram, costShape } from "./program";
import { parseDateTime } from "./time";
import { encodeValue, highestValue, isValidScale, lowestValue, resolution, toOffset, type ValueEncoding } from "./values";

/** What the checker knows about the dataset a recipe will run on. */
export interface DatasetContext {
  /** The dataset's measured quantity as recipes name it, e.g. `temperature`. `value` always works too. */
  readonly field: string;
  /** Unit for messages, e.g. `°C`. */
  readonly unit?: string;
  /** Decimals of the fixed-point encoding (uint8). */
  readonly scale: number;
  /** Offset in scaled units (int64): `encoded = round(v × 10^scale) − offset`. */
  readonly offset: bigint | number;
  /** Aggregation bucket size: windows are aligned to multiples of k readings. */
  readonly k?: number;
  /** Recipe kinds the seller approved; when given, unapproved statistics are errors. */
  readonly approvedKinds?: readonly RecipeKindName[];
  /**
   * The dataset's privacy setting; when given, a private dataset refuses min, max, range and alert and
   * ε outside its bounds, and an exact one refuses any ε.
   */
  readonly privacy?: DatasetPrivacy;
}

/** Parameter values that override the declared defaults (a template forked with values). */
export type ParamOverrides = Readonly<Record<string, number | string>>;

/** Input of {@link check}. */
export interface CheckOptions {
  readonly source: string;
  readonly params?: ParamOverrides;
  readonly dataset?: DatasetContext;
}

/** The result of checking a recipe; the AST is always there for editor features. */
export type CheckResult =
  | { readonly ok: true; readonly ir: RecipeIR; readonly diagnostics: Diagnostic[]; readonly ast: RecipeAst }
  | { readonly ok: false; readonly diagnostics: Diagnostic[]; readonly ast: RecipeAst };

/** Checks a recipe; `ok` when it has no error (warnings may remain). Never throws on bad input text. */
export function check(options: CheckOptions): CheckResult {
  const { ast, diagnostics: syntax } = parse(options.source);
  const checker = new Checker(ast, options);
  const ir = checker.run();
  const diagnostics = [...syntax, ...checker.diagnostics].sort((a, b) => a.line - b.line || a.column - b.column);
  if (ir === undefined || hasErrors(diagnostics)) return { ok: false, diagnostics, ast };
  return { ok: true, ir, diagnostics, ast };
}

/** The recipe kinds a recipe (or a list of statistics) needs, in kind-code order. */
export function requiredKinds(recipe: RecipeIR | readonly Statistic[]): RecipeKindName[] {
  const statistics = "statistics" in recipe ? recipe.statistics : recipe;
  const needed = new Set(statistics.flatMap((s) => formOf(s.stat).kinds));
  return RECIPE_KIND_NAMES.filter((k) => needed.has(k));
}

/** Input of {@link checkApprovals}. */
export interface CheckApprovalsOptions {
  readonly ir: Pick<RecipeIR, "statistics">;
  readonly approvedKinds: readonly RecipeKindName[];
}

/**
 * One error per statistic that needs a recipe kind the seller has not approved on the dataset
 * ("the seller has not approved histogram on this dataset"), at the statistic's position.
 */
export function checkApprovals({ ir, approvedKinds }: CheckApprovalsOptions): Diagnostic[] {
  const approved = new Set(approvedKinds);
  const out: Diagnostic[] = [];
  for (const statistic of ir.statistics) {
    const missing = formOf(statistic.stat).kinds.filter((k) => !approved.has(k));
    if (missing.length === 0) continue;
    const titles = [...new Set(missing)].map((k) => KIND_INFO[k].title);
    const list = titles.length === 1 ? titles[0] : `${titles.slice(0, -1).join(", ")} and ${titles[titles.length - 1]}`;
    out.push(
      diagnostic(
        "kind-not-approved",
        statistic.span ?? START,
        `the seller has not approved ${list} on this dataset, so ${statistic.source} cannot run`,
      ),
    );
  }
  return out;
}

/** A statistic without the parts every statistic has. */
type StatisticBody = Statistic extends infer S ? (S extends unknown ? Omit<S, "label" | "source" | "span"> : never) : never;

/**
 * The longest `last <duration>` window: 100 years (36,525 days). Longer reaches before 1970, where no
 * reading is; the bound keeps every amount, however many digits it is written with, a safe integer.
 */
export const MAX_WINDOW_SECONDS = 36_525 * 86_400;

/** The most readings a `last <n> readings` window names (the largest exact JavaScript integer). */
export const MAX_WINDOW_READINGS = Number.MAX_SAFE_INTEGER;

const START: Span = { line: 1, column: 1, endLine: 1, endColumn: 1 };

interface ParamEntry {
  readonly statement: ParamStatement;
  readonly value: Decimal | undefined;
  readonly defaultValue: Decimal;
  used: boolean;
}

/** Names of all statistics and their aliases, mapped to the statistic to suggest. */
const STATISTIC_SUGGESTIONS = new Map<string, string>(
  STATISTICS.flatMap((s) => [[s.name, s.name] as const, ...s.aliases.map((a) => [a, s.name] as const)]),
);

const MIRRORED: Record<string, ">" | ">=" | "<" | "<=" | "=="> = { ">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "==" };

class Checker {
  readonly diagnostics: Diagnostic[] = [];
  private readonly params = new Map<string, ParamEntry>();
  private readonly encoding: ValueEncoding | undefined;
  private readonly dataset: DatasetContext | undefined;
  /** Field names used (not the alias), first use first, for the mixed-fields warning. */
  private readonly fieldNames = new Map<string, Span>();

  constructor(
    private readonly ast: RecipeAst,
    options: CheckOptions,
  ) {
    this.dataset = options.dataset;
    if (options.dataset) {
      if (!isValidScale(options.dataset.scale)) throw new RangeError(`dataset scale must be 0..18, got ${options.dataset.scale}`);
      this.encoding = { scale: options.dataset.scale, offset: toOffset(options.dataset.offset) };
    }
    this.declareParams(options.params ?? {});
  }

  run(): RecipeIR | undefined {
    const froms = this.ast.statements.filter((s): s is FromStatement => s.type === "from");
    const statements = this.ast.statements.filter((s): s is StatisticStatement => s.type === "statistic");
    const first = this.ast.statements[0]?.span ?? START;
    if (froms.length === 0) {
      this.report(
        "missing-from",
        first,
        'the recipe does not say which dataset it reads — add a line such as: from "dataset-name" window last 24h',
      );
    }
    for (const extra of froms.slice(1)) {
      this.report("duplicate-from", extra.span, `a recipe reads one dataset; it already has a 'from' line on line ${froms[0].span.line}`);
    }
    const window = froms[0] ? this.window(froms[0].window) : undefined;

    for (const name of mentionedNames(this.ast.statements)) {
      const entry = this.params.get(name);
      if (entry) entry.used = true;
    }
    const recipeEpsilon = this.privacyLine();
    const statistics: Statistic[] = [];
    for (const statement of statements) {
      const statistic = this.statistic(statement);
      if (statistic) statistics.push(statistic);
    }
    if (statements.length === 0) {
      this.report("no-statistics", froms[0]?.span ?? first, "the recipe asks for no statistic — add one such as mean(value)");
    }
    this.checkProgramSize(statistics, recipeEpsilon ?? undefined);
    this.checkLabels(statistics);
    this.checkFields();
    for (const [name, entry] of this.params) {
      if (!entry.used) {
        this.report("unused-param", entry.statement.name.span, `parameter '${name}' is never used`);
      }
    }
    if (this.dataset?.approvedKinds && statistics.length > 0) {
      this.diagnostics.push(...checkApprovals({ ir: { statistics }, approvedKinds: this.dataset.approvedKinds }));
    }
    if (hasErrors(this.diagnostics) || !froms[0] || !window || statistics.length !== statements.length || recipeEpsilon === null) {
      return undefined;
    }

    const params: RecipeParam[] = [];
    for (const [name, entry] of this.params) {
      params.push({
        name,
        value: decimalToString(this.paramValue(entry)),
        default: decimalToString(entry.defaultValue),
        ...(entry.statement.description ? { description: entry.statement.description.value } : {}),
      });
    }
    const field = this.dataset?.field ?? this.fieldNames.keys().next().value ?? FIELD_ALIAS;
    return RecipeIRSchema.parse({
      version: 1,
      dataset: froms[0].dataset.value,
      field,
      window,
      params,
      statistics,
      ...(recipeEpsilon === undefined ? {} : { epsilon: recipeEpsilon }),
    } satisfies RecipeIR);
  }

  private report(code: DiagnosticCode, span: Span, message: string, suggestion?: string): void {
    this.diagnostics.push(diagnostic(code, span, message, suggestion === undefined ? {} : { suggestion }));
  }

  // ---- parameters ---------------------------------------------------------------------------

  private declareParams(overrides: ParamOverrides): void {
    for (const statement of this.ast.statements) {
      if (statement.type !== "param") continue;
      const name = statement.name.name;
      const previous = this.params.get(name);
      if (previous) {
        this.report(
          "duplicate-param",
          statement.name.span,
          `parameter '${name}' is already declared on line ${previous.statement.span.line}`,
        );
        continue;
      }
      if (name === FIELD_ALIAS || name === this.dataset?.field) {
        this.report(
          "param-shadows-field",
          statement.name.span,
          `'${name}' names the dataset's field; give the parameter another name`,
        );
      }
      const defaultValue = parseDecimal(statement.value.text)!;
      let value: Decimal | undefined;
      if (Object.hasOwn(overrides, name)) {
        value = overrideValue(overrides[name]);
        if (!value) {
          this.report(
            "invalid-override",
            statement.value.span,
            `the value given for parameter '${name}' (${String(overrides[name])}) is not a decimal number such as 30.5`,
          );
        }
      }
      this.params.set(name, { statement, value, defaultValue, used: false });
    }
    for (const name of Object.keys(overrides)) {
      if (this.params.has(name)) continue;
      const near = closest(name, this.params.keys());
      this.report(
        "unknown-override",
        START,
        `a value was given for parameter '${name}', which this recipe does not declare${near ? ` — did you mean '${near}'?` : ""}`,
      );
    }
  }

  private paramValue(entry: ParamEntry): Decimal {
    return entry.value ?? entry.defaultValue;
  }

  // ---- window -------------------------------------------------------------------------------

  private window(window: WindowNode | undefined): RecipeWindow | undefined {
    if (!window || window.type === "all") return { type: "all" };
    if (window.type === "sinceLastReport") return { type: "sinceLastReport" };
    if (window.type === "range") {
      const from = parseDateTime(window.from.text);
      const to = parseDateTime(window.to.text);
      if (from === undefined) this.report("invalid-date", window.from.span, `'${window.from.text}' is not a valid date or time`);
      if (to === undefined) this.report("invalid-date", window.to.span, `'${window.to.text}' is not a valid date or time`);
      if (from === undefined || to === undefined) return undefined;
      if (to <= from) {
        this.report(
          "empty-date-range",
          window.span,
          `the range must end after it starts (${window.to.text} is not after ${window.from.text}); the end is exclusive`,
        );
        return undefined;
      }
      if (from < 0) {
        this.report("invalid-date", window.from.span, "dates before 1970 hold no readings");
        return undefined;
      }
      return { type: "range", from, to };
    }
    const unit = WINDOW_UNITS[window.unit.name];
    if (unit === undefined) {
      const near = closest(window.unit.name, Object.keys(WINDOW_UNITS));
      this.report(
        "unknown-window-unit",
        window.unit.span,
        `unknown window unit '${window.unit.name}'${near ? ` — did you mean '${near}'?` : ""} Units: s, m, h, d, w (or seconds … weeks) and readings`,
        near,
      );
      return undefined;
    }
    const amount = parseDecimal(window.amount.text)!;
    if (unit === "readings") {
      if (amount.decimals > 0 || amount.units < 1n) {
        this.report("invalid-window", window.amount.span, "a number of readings must be a whole number of at least 1");
        return undefined;
      }
      if (amount.units > BigInt(MAX_WINDOW_READINGS)) {
        this.report(
          "invalid-window",
          window.amount.span,
          `a window holds at most ${MAX_WINDOW_READINGS.toLocaleString("en-US")} readings; 'window all' takes every reading`,
        );
        return undefined;
      }
      const count = Number(amount.units);
      const k = this.dataset?.k;
      if (k !== undefined && count < k) {
        this.report(
          "invalid-window",
          window.span,
          `last ${count} readings is less than one bucket of this dataset (k = ${k}); ask for at least ${k} readings`,
        );
        return undefined;
      }
      return { type: "readings", count };
    }
    const total = amount.units * BigInt(unit);
    const divisor = pow10(amount.decimals);
    if (total <= 0n || total % divisor !== 0n) {
      this.report("invalid-window", window.span, "a window must last a whole number of seconds, at least one");
      return undefined;
    }
    // Amounts are unbounded in the grammar: compare as bigint before converting to a number.
    if (total / divisor > BigInt(MAX_WINDOW_SECONDS)) {
      this.report(
        "invalid-window",
        window.span,
        `a window lasts at most ${MAX_WINDOW_SECONDS / 86_400} days (100 years); 'window all' takes every reading`,
      );
      return undefined;
    }
    return { type: "duration", seconds: Number(total / divisor) };
  }

  // ---- statistics ---------------------------------------------------------------------------

  private statistic(statement: StatisticStatement): Statistic | undefined {
    const spec = findStatistic(statement.name.name);
    if (!spec) {
      this.unknownStatistic(statement);
      return undefined;
    }
    const shapes = statement.args.map(shapeOf);
    const form = spec.forms.find((f) => f.args.length === shapes.length && f.args.every((s, i) => s === shapes[i]));
    if (!form) {
      this.wrongArguments(statement, spec, shapes);
      return undefined;
    }
    const before = this.diagnostics.length;
    const built = this.build(form, statement);
    this.checkPrivateKinds(form, statement);
    const epsilon = statement.privacy ? this.statisticEpsilon(form, statement, statement.privacy) : undefined;
    if (!built || epsilon === null || this.diagnostics.slice(before).some((d) => d.severity === "error")) return undefined;
    const source = printCall(statement);
    const statistic = {
      ...built,
      label: statement.label?.value || source,
      source,
      span: statement.span,
      ...(epsilon === undefined ? {} : { epsilon }),
    };
    return statistic as Statistic;
  }

  // ---- privacy ------------------------------------------------------------------------------

  private get privateSetting(): PrivateSetting | undefined {
    return privateSetting(this.dataset?.privacy);
  }

  /** The recipe-wide `privacy` line's ε (undefined without one, null when it is wrong). */
  private privacyLine(): string | undefined | null {
    const lines = this.ast.statements.filter((s): s is PrivacyStatement => s.type === "privacy");
    for (const extra of lines.slice(1)) {
      this.report(
        "duplicate-privacy",
        extra.span,
        `a recipe has one privacy line (it already has one on line ${lines[0].span.line}); give a statistic its own ε after its call instead: mean(value) privacy 0.5`,
        "",
      );
    }
    const line = lines[0];
    if (!line) return undefined;
    if (this.dataset?.privacy?.mode === "exact") {
      this.report(
        "epsilon-not-offered",
        line.span,
        "this dataset is exact: its results carry no noise and spend no ε, so the recipe needs no privacy line",
        "",
      );
      return null;
    }
    return this.epsilon(line) ?? null;
  }

  /** A statistic's own ε (undefined when it spends none, null when it is wrong). */
  private statisticEpsilon(form: StatisticForm, statement: StatisticStatement, privacy: PrivacyNode): string | undefined | null {
    const { privacy: _written, ...rest } = statement;
    const withoutIt = printStatement(rest);
    if (this.dataset?.privacy?.mode === "exact") {
      this.report(
        "epsilon-not-offered",
        privacy.span,
        `this dataset is exact: ${printCall(statement)} carries no noise and spends no ε; remove 'privacy ${printOperand(privacy.epsilon)}'`,
        withoutIt,
      );
      return null;
    }
    const epsilon = this.epsilon(privacy);
    if (epsilon === undefined) return null;
    if (!form.kinds.some(isNoisedKind) && form.kinds.every((k) => k === "COUNT")) {
      this.report(
        "epsilon-not-spent",
        privacy.span,
        `${printCall(statement)} is the window's number of readings, which is public: it is exact and spends no ε`,
        withoutIt,
      );
      return undefined;
    }
    return epsilon;
  }

  /** A written ε, checked (a number 0.001 … 5 with at most 3 decimals, within the dataset's bounds when known). */
  private epsilon(privacy: PrivacyNode): string | undefined {
    const operand = privacy.epsilon;
    let value: Decimal | undefined;
    if (operand.type === "number") {
      value = parseDecimal(operand.text);
    } else {
      const entry = this.params.get(operand.name);
      if (!entry) {
        const near = closest(operand.name, this.params.keys());
        this.report(
          "unknown-param",
          operand.span,
          near ? `unknown parameter '${operand.name}' — did you mean '${near}'?` : `unknown name '${operand.name}'; ε is a number such as 0.5 or a parameter`,
          near,
        );
        return undefined;
      }
      const base = this.paramValue(entry);
      value = operand.negative ? { units: -base.units, decimals: base.decimals } : base;
    }
    const milli = value && epsilonToMilli(value);
    if (!value || !milli || !milli.ok) {
      const problem = milli && !milli.ok ? milli.problem : "not-positive";
      const written = value ? decimalToString(value) : printOperand(operand);
      const why = {
        "not-positive": `ε must be more than 0 (ε ${written} would mean no noise at all)`,
        "too-precise": `ε is counted in thousandths: ${written} has more than 3 decimals`,
        "too-large": `one statistic spends at most ε ${formatEpsilon(MAX_STATISTIC_EPSILON_MILLI)}; ${written} is more`,
      }[problem];
      this.report("invalid-epsilon", operand.span, `${why} — write privacy followed by a number from 0.001 to 5, e.g. privacy 0.5`);
      return undefined;
    }
    const setting = this.privateSetting;
    if (setting && (milli.milli < setting.minEpsilon || milli.milli > setting.maxEpsilon)) {
      const nearest = milli.milli < setting.minEpsilon ? setting.minEpsilon : setting.maxEpsilon;
      this.report(
        "epsilon-out-of-bounds",
        operand.span,
        `the seller allows ε from ${formatEpsilon(setting.minEpsilon)} to ${formatEpsilon(setting.maxEpsilon)} per statistic on this dataset; ${decimalToString(value)} is ${milli.milli < setting.minEpsilon ? "below" : "above"} that`,
        formatEpsilon(nearest),
      );
      return undefined;
    }
    return decimalToString(value);
  }

  /** On a private dataset: min, max, range and alert are refused, with a noisy statistic that answers the same question. */
  private checkPrivateKinds(form: StatisticForm, statement: StatisticStatement): void {
    const setting = this.privateSetting;
    if (!setting || !form.kinds.some((k) => NOT_PRIVATE_KINDS.has(k))) return;
    const name = statement.name.name;
    const [first] = statement.args;
    if (form.id === "alert") {
      const fixed = `count(${printCondition(first as ConditionNode)})`;
      this.report(
        "kind-not-private",
        statement.callSpan,
        `a private dataset does not offer ${name}: a yes or no about single readings cannot be hidden by noise. A noisy count of the readings that meet the condition answers the same question: ${fixed}`,
        fixed,
      );
      return;
    }
    const field = first && (first.type === "name" || first.type === "number") ? printOperand(first) : FIELD_ALIAS;
    const fixed = `histogram(${field}, [${this.rangeQuartiles(setting).join(", ")}])`;
    this.report(
      "kind-not-private",
      statement.callSpan,
      `a private dataset does not offer ${name}: it would reveal one reading's exact value, which no noise can hide. A noisy histogram over the dataset's range shows where the ${form.id === "max" ? "highest" : form.id === "min" ? "lowest" : "lowest and highest"} readings lie: ${fixed}`,
      fixed,
    );
  }

  /** Three bounds cutting the private range into quarters, in the dataset's unit (rounded to its resolution). */
  private rangeQuartiles(setting: PrivateSetting): string[] {
    const encoding = this.encoding ?? { scale: 0, offset: 0n };
    const { lowerBound: lo, upperBound: hi } = setting;
    return [1n, 2n, 3n].map((q) => trimFraction(formatFixed(lo + ((hi - lo) * q) / 4n + encoding.offset, encoding.scale)));
  }

  private build(form: StatisticForm, statement: StatisticStatement): StatisticBody | undefined {
    const [first, second] = statement.args;
    switch (form.id) {
      case "count":
        if (first) this.field(first as Operand);
        return { stat: "count" };
      case "countIf":
      case "share":
      case "alert": {
        const predicate = this.predicate(first as ConditionNode);
        return predicate && ({ stat: form.id, predicate } as StatisticBody);
      }
      case "sumIf":
      case "meanIf": {
        const where = first as WhereNode;
        if (where.subject.type === "comparison" || where.subject.type === "between") {
          this.report(
            "where-field-mismatch",
            where.subject.span,
            `put the condition after 'where': ${statement.name.name}(${printOperand(conditionField(where.subject))} where ${printCondition(where.subject)})`,
          );
          return undefined;
        }
        const fieldOk = this.field(where.subject);
        const predicate = this.predicate(where.condition);
        return fieldOk && predicate ? ({ stat: form.id, predicate } as StatisticBody) : undefined;
      }
      case "histogram": {
        const fieldOk = this.field(first as Operand);
        const bounds = this.bounds(second as ListNode);
        return fieldOk && bounds ? { stat: "histogram", bounds } : undefined;
      }
      default:
        return this.field(first as Operand) ? ({ stat: form.id } as StatisticBody) : undefined;
    }
  }

  private unknownStatistic(statement: StatisticStatement): void {
    const name = statement.name.name;
    const near = closest(name, STATISTIC_SUGGESTIONS.keys());
    const suggestion = near && STATISTIC_SUGGESTIONS.get(near);
    if (suggestion) {
      this.report("unknown-statistic", statement.name.span, `unknown statistic '${name}' — did you mean '${suggestion}'?`, suggestion);
    } else {
      this.report(
        "unknown-statistic",
        statement.name.span,
        `unknown statistic '${name}'; the statistics are ${STATISTICS.map((s) => s.name).join(", ")}`,
      );
    }
  }

  private wrongArguments(statement: StatisticStatement, spec: StatisticSpec, shapes: ArgShape[]): void {
    const name = spec.name;
    const signatures = spec.forms.map((f) => f.signature).join(" or ");
    const [arg] = statement.args;
    // Two common slips with an exact fix: a condition where a `where` is needed, and the reverse.
    if (shapes.length === 1 && shapes[0] === "predicate" && spec.forms.some((f) => f.args[0] === "fieldWhere")) {
      const condition = arg as ConditionNode;
      const fixed = `${name}(${printOperand(conditionField(condition))} where ${printCondition(condition)})`;
      this.report(
        "wrong-arguments",
        statement.callSpan,
        `${name} of the readings that meet a condition is written ${fixed}`,
        fixed,
      );
      return;
    }
    if (shapes.length === 1 && shapes[0] === "fieldWhere" && spec.forms.some((f) => f.args[0] === "predicate")) {
      const where = arg as WhereNode;
      const fixed = `${name}(${printCondition(where.condition)})`;
      this.report("wrong-arguments", statement.callSpan, `write the condition directly: ${fixed}`, fixed);
      return;
    }
    this.report("wrong-arguments", statement.callSpan, `${name} is written ${signatures}`);
  }

  /** Checks that an operand is the dataset's field; reports and returns false otherwise. */
  private field(operand: Operand): boolean {
    if (operand.type === "number") {
      this.report("wrong-arguments", operand.span, `expected the dataset's field here (${this.fieldHint()}), found the number ${operand.text}`);
      return false;
    }
    if (this.params.has(operand.name)) {
      this.report("wrong-arguments", operand.span, `expected the dataset's field here (${this.fieldHint()}), found parameter '${operand.name}'`);
      return false;
    }
    if (this.dataset && operand.name !== FIELD_ALIAS && operand.name !== this.dataset.field) {
      this.report(
        "unknown-field",
        operand.span,
        `unknown field '${operand.name}' — this dataset measures '${this.dataset.field}'`,
        this.dataset.field,
      );
      return false;
    }
    if (operand.negative) {
      this.report("wrong-arguments", operand.span, `the field cannot be negated; compare it with a negative number instead`);
      return false;
    }
    if (operand.name !== FIELD_ALIAS && !this.fieldNames.has(operand.name)) this.fieldNames.set(operand.name, operand.span);
    return true;
  }

  private fieldHint(): string {
    return this.dataset ? `'${this.dataset.field}' or '${FIELD_ALIAS}'` : `e.g. '${FIELD_ALIAS}'`;
  }

  /** Whether an operand names the field (as opposed to a parameter or a number). */
  private isField(operand: Operand): boolean {
    if (operand.type !== "name" || this.params.has(operand.name)) return false;
    if (!this.dataset) return true;
    return operand.name === FIELD_ALIAS || operand.name === this.dataset.field;
  }

  /** Whether an operand certainly names the field: the alias, the dataset's field, or a field already used. */
  private isDefinitelyField(operand: Operand): boolean {
    if (operand.type !== "name" || this.params.has(operand.name)) return false;
    if (operand.name === FIELD_ALIAS) return true;
    return this.dataset ? operand.name === this.dataset.field : this.fieldNames.has(operand.name);
  }

  /** A constant: a number or a parameter, checked against the dataset's encoding. */
  private value(operand: Operand): Decimal | undefined {
    let value: Decimal;
    let what: string;
    if (operand.type === "number") {
      value = parseDecimal(operand.text)!;
      what = operand.text;
    } else {
      const entry = this.params.get(operand.name);
      if (!entry) {
        if (this.isDefinitelyField(operand)) {
          this.report("field-on-both-sides", operand.span, "compare the field with a number or a parameter, not with itself");
          return undefined;
        }
        const near = closest(operand.name, this.params.keys());
        this.report(
          "unknown-param",
          operand.span,
          near
            ? `unknown parameter '${operand.name}' — did you mean '${near}'?`
            : `unknown name '${operand.name}'; declare it first: param ${operand.name} = 0`,
          near,
        );
        return undefined;
      }
      const base = this.paramValue(entry);
      value = operand.negative ? { units: -base.units, decimals: base.decimals } : base;
      what = `${printOperand(operand)} (= ${decimalToString(value)})`;
    }
    if (this.encoding) {
      const encoded = encodeValue(value, this.encoding);
      if (!encoded.ok) {
        const unit = this.dataset?.unit ? ` ${this.dataset.unit}` : "";
        const messages = {
          "too-precise": `${what} is finer than this dataset's resolution of ${resolution(this.encoding)}${unit}; use at most ${this.encoding.scale} decimal${this.encoding.scale === 1 ? "" : "s"}`,
          "below-range": `${what} is below the lowest value this dataset can hold (${lowestValue(this.encoding)}${unit})`,
          "above-range": `${what} is above the highest value this dataset can hold (${highestValue(this.encoding)}${unit})`,
        } as const;
        this.report(encoded.reason, operand.span, messages[encoded.reason]);
        return undefined;
      }
    }
    return value;
  }

  private predicate(condition: ConditionNode): Predicate | undefined {
    if (condition.type === "between") {
      const fieldOk = this.field(condition.subject);
      const low = this.value(condition.low);
      const high = this.value(condition.high);
      if (!fieldOk || !low || !high) return undefined;
      if (compareDecimals(low, high) > 0) {
        const fixed = `${printOperand(condition.subject)} between ${printOperand(condition.high)} and ${printOperand(condition.low)}`;
        this.report(
          "between-reversed",
          condition.span,
          `the lower bound comes first: ${decimalToString(low)} is greater than ${decimalToString(high)}`,
          fixed,
        );
        return undefined;
      }
      return { cmp: "BETWEEN", a: decimalToString(low), b: decimalToString(high) };
    }
    const leftField = this.isField(condition.left);
    const rightField = this.isField(condition.right);
    const bothDefinite = this.isDefinitelyField(condition.left) && this.isDefinitelyField(condition.right);
    if (bothDefinite || (leftField && rightField && printOperand(condition.left) === printOperand(condition.right))) {
      this.report("field-on-both-sides", condition.span, "compare the field with a number or a parameter, not with itself");
      return undefined;
    }
    let fieldSide: Operand | undefined;
    let valueSide: Operand;
    let operator = condition.operator;
    // Without the dataset any unknown name may be the field: prefer the side known to be it, else the left.
    const fieldOnRight = rightField && (!leftField || (this.isDefinitelyField(condition.right) && !this.isDefinitelyField(condition.left)));
    if (leftField && !fieldOnRight) {
      fieldSide = condition.left;
      valueSide = condition.right;
    } else if (fieldOnRight) {
      // `30 < temperature` reads as `temperature > 30`.
      fieldSide = condition.right;
      valueSide = condition.left;
      operator = operator === "!=" ? operator : MIRRORED[operator];
    } else if (condition.left.type === "name" && !this.params.has(condition.left.name)) {
      fieldSide = condition.left; // a misspelt field: this.field() below says so
      valueSide = condition.right;
    } else {
      this.report(
        "constant-comparison",
        condition.span,
        `a condition compares the dataset's field with a value, e.g. ${this.dataset?.field ?? FIELD_ALIAS} > ${printOperand(condition.right)}`,
      );
      return undefined;
    }
    const fieldOk = this.field(fieldSide);
    if (operator === "!=") {
      this.report(
        "unsupported-comparison",
        condition.operatorSpan,
        "'!=' is not supported on encrypted readings; use '==' and take the complement (e.g. count() minus count(x == v))",
      );
      return undefined;
    }
    const value = this.value(valueSide);
    if (!fieldOk || !value) return undefined;
    const a = decimalToString(value);
    switch (operator) {
      case ">":
        return { cmp: "GT", a };
      case ">=":
        return { cmp: "GE", a };
      case "<":
        return { cmp: "LT", a };
      case "<=":
        return { cmp: "LE", a };
      case "==":
        return { cmp: "BETWEEN", a, b: a };
    }
  }

  private bounds(list: ListNode): string[] | undefined {
    if (list.items.length === 0 || list.items.length > MAX_HISTOGRAM_BOUNDS) {
      this.report(
        "bounds-count",
        list.span,
        `a histogram takes 1 to ${MAX_HISTOGRAM_BOUNDS} bounds (making 2 to ${MAX_HISTOGRAM_BOUNDS + 1} buckets), got ${list.items.length}`,
      );
      return undefined;
    }
    const values = list.items.map((item) => this.value(item));
    if (values.some((v) => v === undefined)) return undefined;
    const decimals = values as Decimal[];
    for (let i = 1; i < decimals.length; i++) {
      if (compareDecimals(decimals[i - 1], decimals[i]) >= 0) {
        this.report(
          "bounds-not-increasing",
          list.items[i].span,
          `histogram bounds must increase: ${printOperand(list.items[i])} is not greater than ${printOperand(list.items[i - 1])}`,
        );
        return undefined;
      }
    }
    return decimals.map(decimalToString);
  }

  // ---- whole-recipe checks ------------------------------------------------------------------

  private checkProgramSize(statistics: readonly Statistic[], defaultEpsilon: string | undefined): void {
    const { ops, statisticOps } = abstractProgram(statistics, defaultEpsilon);
    if (ops.length <= MAX_PROGRAM_OPS) {
      const costs = ops.map(costShape);
      if (statistics.length > 0 && maxStepSize(costs, true) < 1) {
        this.report(
          "too-expensive",
          statistics[statistics.length - 1].span ?? START,
          `these statistics cost ${stepHcu(costs, 1, true).toLocaleString("en-US")} HCU for a single reading, more than the ${HCU_TRANSACTION_LIMIT.toLocaleString("en-US")} one transaction allows; split the recipe`,
        );
      }
      return;
    }
    // Report at the first statistic that brings the program past the limit.
    const culprit = statisticOps.findIndex((indices) => indices.some((i) => i >= MAX_PROGRAM_OPS));
    this.report(
      "too-many-ops",
      statistics[culprit].span ?? START,
      `this recipe needs ${ops.length} contract operations and one program holds at most ${MAX_PROGRAM_OPS}; split it into two recipes`,
    );
  }

  private checkLabels(statistics: readonly Statistic[]): void {
    const seen = new Map<string, Statistic>();
    for (const statistic of statistics) {
      const previous = seen.get(statistic.label);
      if (previous) {
        this.report(
          "duplicate-label",
          statistic.span ?? START,
          `two statistics are labelled ${printString(statistic.label)} (also line ${previous.span?.line}); give one another label with as "…"`,
        );
      } else {
        seen.set(statistic.label, statistic);
      }
    }
  }

  private checkFields(): void {
    if (this.dataset) return;
    const [first, ...others] = [...this.fieldNames.keys()];
    for (const other of others) {
      this.report(
        "mixed-fields",
        this.fieldNames.get(other)!,
        `this recipe uses both '${first}' and '${other}' as the field, but a dataset measures one quantity`,
        first,
      );
    }
  }
}

/** Every name mentioned in the statistics' arguments and in ε values. */
function mentionedNames(all: readonly Statement[]): Set<string> {
  const statements = all.filter((s): s is StatisticStatement => s.type === "statistic");
  const names = new Set<string>();
  const operand = (o: Operand) => o.type === "name" && names.add(o.name);
  const condition = (c: ConditionNode) =>
    c.type === "between" ? [c.subject, c.low, c.high].forEach(operand) : [c.left, c.right].forEach(operand);
  const visit = (arg: ArgumentNode): void => {
    switch (arg.type) {
      case "number":
      case "name":
        operand(arg);
        break;
      case "comparison":
      case "between":
        condition(arg);
        break;
      case "where":
        visit(arg.subject);
        condition(arg.condition);
        break;
      case "list":
        arg.items.forEach(operand);
        break;
    }
  };
  for (const statement of statements) {
    statement.args.forEach(visit);
    if (statement.privacy) operand(statement.privacy.epsilon);
  }
  for (const line of all) if (line.type === "privacy") operand(line.epsilon);
  return names;
}

function shapeOf(arg: ArgumentNode): ArgShape {
  switch (arg.type) {
    case "number":
    case "name":
      return "field";
    case "comparison":
    case "between":
      return "predicate";
    case "where":
      return "fieldWhere";
    case "list":
      return "bounds";
  }
}

/** The operand of a condition that is most likely the field (for suggested rewrites). */
function conditionField(condition: ConditionNode): Operand {
  if (condition.type === "between") return condition.subject;
  return condition.left.type === "name" ? condition.left : condition.right;
}

function overrideValue(value: number | string): Decimal | undefined {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    const text = String(value);
    return DECIMAL_LITERAL.test(text) ? parseDecimal(text) : undefined;
  }
  return DECIMAL_LITERAL.test(value.trim()) ? parseDecimal(value.trim()) : undefined;
}
