/**
 * The privacy budget as the contract accounts it (PrivacyLedger): a run charges the sum of its ops'
 * ε to every reading of its window at start, and is refused (`PrivacyBudgetExceeded`) when a reading
 * would pass the seller's budget. The service asks the same question before it enqueues a run or
 * records a schedule, and refuses with the same numbers in words.
 */
import { formatEpsilon } from "@iotdm/recipes";
import { createError, type AppError } from "../errors";

/** A plan's privacy figures, as far as the budget check reads them. */
export interface BudgetFigures {
  epsilonMilli: number;
  budget: { budgetMilli: number };
  schedule?: { reportsAllowed: number | null };
}

/** ERR_PRIVACY_BUDGET_EXCEEDED when `spent + requested` passes the budget (all thousandths of ε), else undefined. */
export function runBudgetRefusal(options: { datasetId: string; fromIndex: number; toIndex: number; spent: number; figures: BudgetFigures }): AppError | undefined {
  const { spent, figures } = options;
  if (spent + figures.epsilonMilli <= figures.budget.budgetMilli) return undefined;
  return createError("ERR_PRIVACY_BUDGET_EXCEEDED", {
    params: {
      requested: formatEpsilon(figures.epsilonMilli),
      fromIndex: options.fromIndex,
      lastIndex: options.toIndex - 1,
      datasetId: options.datasetId,
      spent: formatEpsilon(spent),
      budget: formatEpsilon(figures.budget.budgetMilli),
    },
    details: { contractError: "PrivacyBudgetExceeded", spentMilli: spent, requestedMilli: figures.epsilonMilli, budgetMilli: figures.budget.budgetMilli },
  });
}

/** ERR_SCHEDULE_PRIVACY_BUDGET_EXCEEDED when not even one report fits the budget, else undefined. */
export function scheduleBudgetRefusal(options: { datasetId: string; figures: BudgetFigures }): AppError | undefined {
  const { figures } = options;
  if (figures.schedule?.reportsAllowed !== 0) return undefined;
  return createError("ERR_SCHEDULE_PRIVACY_BUDGET_EXCEEDED", {
    params: { requested: formatEpsilon(figures.epsilonMilli), budget: formatEpsilon(figures.budget.budgetMilli), datasetId: options.datasetId },
  });
}
