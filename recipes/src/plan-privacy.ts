/**
 * The privacy part of a plan on a private dataset: the ε each op spends (the statistic's `privacy`,
 * else the recipe's, else the dataset's default), what the run charges to which readings, the buyer's
 * budget before and after it, how many reports a schedule's budget allows, and per statistic the noise
 * on its estimate (privacy-figures.ts). Pure; the service supplies the buyer's spent ε over the window
 * (the contract's `privacySpent`).
 */
import { KIND_INFO, formOf, type RecipeKindName } from "./catalogue";
import type { RecipeIR } from "./ir";
import { statisticNoise, type NoiseFigure } from "./privacy-figures";
import { defaultEpsilonMilli, epsilonToMilli, formatEpsilon, isNoisedKind, NOT_PRIVATE_KINDS, type PrivateSetting } from "./privacy";
import type { AbstractOp, ContractOp } from "./program";

/** The privacy figures of one statistic. */
export interface StatisticPrivacy {
  /** Index of the statistic in `plan.outputs` (recipe order). */
  readonly output: number;
  readonly label: string;
  /** ε (thousandths) its ops spend; 0 for count(), which is public. An op shared with another statistic counts for both. */
  readonly epsilonMilli: number;
  /** Where its ε comes from: its own `privacy`, the recipe's `privacy` line, the dataset's default, or none (count()). */
  readonly epsilonSource: "statistic" | "recipe" | "dataset-default" | "none";
  /** The noise on its estimate; null for count(), which is exact. */
  readonly noise: NoiseFigure | null;
}

/** The buyer's budget over the run's window. */
export interface PlanBudget {
  /** The most ε (thousandths) any one reading may spend on one buyer. */
  readonly budgetMilli: number;
  /** The most ε any reading of the window has already spent on the buyer (`privacySpent`); null when not known. */
  readonly spentMilli: number | null;
  /** budget − spent − this run's ε: what the most-spent reading of the window keeps after the run (negative: the run is refused); null when spent is not known. */
  readonly remainingAfterMilli: number | null;
  /** Whether the contract will refuse the run (`PrivacyBudgetExceeded`): spent + this run's ε > budget. */
  readonly exceeded: boolean;
  /** How many more runs like this one over this window the budget allows after it; null when spent is not known. */
  readonly runsAfter: number | null;
  /** The budget in words. */
  readonly text: string;
}

/** What a schedule's budget allows: its reports read consecutive windows, so each charges only its own readings. */
export interface ScheduleBudget {
  /** ε (thousandths) each report charges to each reading of its window. */
  readonly epsilonPerReportMilli: number;
  /** How many reports the budget allows: null when it does not limit them (each reads new readings), 0 when not even one fits. */
  readonly reportsAllowed: number | null;
  /** ε (thousandths) each reading keeps for the buyer's other runs after its report. */
  readonly leftPerReadingMilli: number;
  readonly text: string;
}

/** A plan's privacy figures (private datasets only; a plan without them is exact). */
export interface PlanPrivacy {
  readonly mode: "private";
  /** The private range readings are clamped into, encoded units (the interpreter centres VARIANCE on it). */
  readonly lowerBound: bigint;
  readonly upperBound: bigint;
  /** ε (thousandths) the run charges to every reading of the window [fromIndex, toIndex): the sum over its ops. */
  readonly epsilonMilli: number;
  /** The readings it charges: the plan's window. */
  readonly fromIndex: number;
  readonly toIndex: number;
  /** The confidence of every interval: 0.95. */
  readonly confidence: number;
  readonly budget: PlanBudget;
  /** Present when the plan is a schedule's (`scheduled`, or a `since last report` window). */
  readonly schedule?: ScheduleBudget;
  /** One per statistic, in recipe order. */
  readonly statistics: readonly StatisticPrivacy[];
}

/** Why ε cannot be resolved for a private dataset. */
export type EpsilonError = { readonly code: "not-private" | "epsilon-out-of-bounds"; readonly message: string };

/**
 * The ε (thousandths) of each abstract op on a private dataset, or why the program cannot run there:
 * a kind it does not offer, an ε outside the seller's bounds.
 */
export function resolveEpsilons(ops: readonly AbstractOp[], setting: PrivateSetting): { ok: true; epsilons: number[] } | { ok: false; error: EpsilonError } {
  const fallback = defaultEpsilonMilli(setting);
  const epsilons: number[] = [];
  for (const op of ops) {
    if (NOT_PRIVATE_KINDS.has(op.kind)) {
      return { ok: false, error: { code: "not-private", message: notPrivateMessage(op.kind) } };
    }
    if (!isNoisedKind(op.kind)) {
      epsilons.push(0);
      continue;
    }
    if (op.epsilon === undefined) {
      epsilons.push(fallback);
      continue;
    }
    const milli = epsilonToMilli(op.epsilon);
    if (!milli.ok || milli.milli < setting.minEpsilon || milli.milli > setting.maxEpsilon) {
      return {
        ok: false,
        error: {
          code: "epsilon-out-of-bounds",
          message: `ε ${op.epsilon} is outside what the seller allows per statistic on this dataset: from ${formatEpsilon(setting.minEpsilon)} to ${formatEpsilon(setting.maxEpsilon)}`,
        },
      };
    }
    epsilons.push(milli.milli);
  }
  return { ok: true, epsilons };
}

function notPrivateMessage(kind: RecipeKindName): string {
  return `this dataset is private and does not offer ${KIND_INFO[kind].title}: it would reveal single readings, which no noise can hide (the contract refuses it with RecipeKindNotPrivate)`;
}

/** Input of {@link planPrivacy}. */
export interface PlanPrivacyOptions {
  readonly ir: RecipeIR;
  readonly setting: PrivateSetting;
  readonly ops: readonly ContractOp[];
  /** For each statistic, its op indices (plan.outputs). */
  readonly statisticOps: readonly (readonly number[])[];
  readonly window: { readonly fromIndex: number; readonly toIndex: number; readonly length: number };
  readonly scale: number;
  readonly offset: bigint;
  readonly unit?: string;
  readonly spentMilli?: number;
  readonly scheduled: boolean;
}

/** The privacy figures of a plan on a private dataset. Throws NoiseTooWideError where the contract would refuse the noise. */
export function planPrivacy(options: PlanPrivacyOptions): PlanPrivacy {
  const { ir, setting, ops, statisticOps, window } = options;
  const context = { setting, scale: options.scale, offset: options.offset, length: window.length, ...(options.unit === undefined ? {} : { unit: options.unit }) };
  const statistics = ir.statistics.map((statistic, output): StatisticPrivacy => {
    const own = statisticOps[output].map((i) => ops[i]);
    const epsilonMilli = own.reduce((sum, op) => sum + op.epsilon, 0);
    const noised = formOf(statistic.stat).kinds.some(isNoisedKind);
    const epsilonSource = !noised ? "none" : statistic.epsilon !== undefined ? "statistic" : ir.epsilon !== undefined ? "recipe" : "dataset-default";
    return { output, label: statistic.label, epsilonMilli, epsilonSource, noise: statisticNoise(statistic, own, context) };
  });
  const epsilonMilli = ops.reduce((sum, op) => sum + op.epsilon, 0);
  return {
    mode: "private",
    lowerBound: setting.lowerBound,
    upperBound: setting.upperBound,
    epsilonMilli,
    fromIndex: window.fromIndex,
    toIndex: window.toIndex,
    confidence: 0.95,
    budget: budgetOf(setting.budget, epsilonMilli, options.spentMilli, window),
    ...(options.scheduled ? { schedule: scheduleOf(setting.budget, epsilonMilli) } : {}),
    statistics,
  };
}

function budgetOf(budget: number, run: number, spent: number | undefined, window: { fromIndex: number; toIndex: number }): PlanBudget {
  const readings = `readings ${window.fromIndex} to ${window.toIndex - 1}`;
  if (spent === undefined) {
    return {
      budgetMilli: budget,
      spentMilli: null,
      remainingAfterMilli: null,
      exceeded: run > budget,
      runsAfter: null,
      text: `This run spends ε ${formatEpsilon(run)} of your budget of ε ${formatEpsilon(budget)} on each of ${readings}.`,
    };
  }
  const remainingAfter = budget - spent - run;
  const exceeded = remainingAfter < 0;
  const runsAfter = exceeded ? 0 : run === 0 ? null : Math.floor(remainingAfter / run);
  const left = budget - spent;
  return {
    budgetMilli: budget,
    spentMilli: spent,
    remainingAfterMilli: remainingAfter,
    exceeded,
    runsAfter,
    text: exceeded
      ? `This run needs ε ${formatEpsilon(run)} but ${left > 0 ? `only ε ${formatEpsilon(left)} is` : "nothing is"} left of your budget of ε ${formatEpsilon(budget)} on ${readings}: the contract will refuse it. Choose a smaller ε, fewer statistics or other readings.`
      : `This run spends ε ${formatEpsilon(run)} on ${readings}; ε ${formatEpsilon(remainingAfter)} of your budget of ε ${formatEpsilon(budget)} will be left on them${runsAfter === null ? "" : ` (${runsAfter} more run${runsAfter === 1 ? "" : "s"} like this one)`}.`,
  };
}

function scheduleOf(budget: number, perReport: number): ScheduleBudget {
  const fits = perReport <= budget;
  return {
    epsilonPerReportMilli: perReport,
    reportsAllowed: fits ? null : 0,
    leftPerReadingMilli: Math.max(0, budget - perReport),
    text: fits
      ? `Each report spends ε ${formatEpsilon(perReport)} on its own new readings only (reports never overlap), so the budget of ε ${formatEpsilon(budget)} allows every report; each reading keeps ε ${formatEpsilon(budget - perReport)} for your other runs.`
      : `Each report would spend ε ${formatEpsilon(perReport)}, more than the budget of ε ${formatEpsilon(budget)} per reading: no report can run. Choose a smaller ε or fewer statistics.`,
  };
}

