/**
 * The notebook's Preview: a recipe run instantly in the browser on synthetic readings shaped like
 * the dataset's sensor — no chain, no signature, nothing sent — so that a buyer sees the output's
 * shape, its chart and what the real run would cost before signing anything.
 */
import type { Dataset } from "../api/datasets-api";
import { checkerContext, recipePrivacy } from "../datasets/dataset-context";
import { check, encodeValue, evaluatePlan, interpretResults, parseDecimal, planRecipe, rollupsOf, type Plan, type PlanNote, type StatisticResult } from "../lib/recipes";
import { syntheticReadings, type SyntheticReadings } from "./synthetic-readings";

/** What a preview shows. */
export type PreviewOutcome =
  | {
      readonly ok: true;
      readonly results: StatisticResult[];
      readonly readings: SyntheticReadings;
      /** The window the real run would cover, over readings like these. */
      readonly window: { fromIndex: number; toIndex: number; length: number };
      readonly notes: readonly PlanNote[];
      /** What the real run would cost: its transactions (sent by the relayer) and their HCU. */
      readonly cost: { transactions: number; hcu: number };
    }
  | { readonly ok: false; readonly message: string };

/** Options of {@link previewRecipe}. */
export interface PreviewOptions {
  source: string;
  dataset: Dataset;
  /** Parameter values to use instead of the recipe's defaults. */
  params?: Readonly<Record<string, string>>;
  /** Unix seconds. */
  now: number;
  seed?: string;
}

/** Runs a recipe on synthetic readings; never throws for a recipe's or a plan's problem. */
export function previewRecipe(options: PreviewOptions): PreviewOutcome {
  const { dataset } = options;
  const checked = check({ source: options.source, dataset: checkerContext(dataset), ...(options.params ? { params: options.params } : {}) });
  if (!checked.ok || !checked.ir) {
    const errors = checked.diagnostics.filter((d) => d.severity === "error").length;
    return { ok: false, message: `Fix the recipe's ${errors === 1 ? "error" : `${errors} errors`} first; the problems list shows ${errors === 1 ? "it" : "them"}.` };
  }
  const readings = syntheticReadings({ dataset, now: options.now, ...(options.seed ? { seed: options.seed } : {}) });
  const privacy = recipePrivacy(dataset.privacy);
  const planned = planRecipe({
    ir: checked.ir,
    dataset: {
      id: dataset.id,
      scale: dataset.scale,
      offset: BigInt(dataset.offset),
      k: dataset.k,
      readingCount: readings.values.length,
      timestamps: readings.timestamps,
      ...(dataset.unit ? { unit: dataset.unit } : {}),
      // A private dataset's plan clamps like the contract and gives each result its ± (95 %): the accuracy before any run.
      ...(privacy ? { privacy } : {}),
      // The dataset's rollups: the cost below is the rolled-up run's when the window is aligned to their blocks.
      rollups: rollupsOf(dataset),
    },
    now: options.now,
  });
  if (!planned.ok) return { ok: false, message: planned.error.message.replace(/^./, (c) => c.toUpperCase()) };
  const plan: Plan = planned.plan;
  const { fromIndex, toIndex } = plan.window;
  const encoding = plan.encoding;
  const encoded = readings.values.slice(fromIndex, toIndex).map((value) => {
    const result = encodeValue(parseDecimal(value.toFixed(dataset.scale))!, encoding);
    return result.ok ? result.encoded : 0n;
  });
  const results = interpretResults({ plan, decrypted: evaluatePlan(plan, encoded), extraDigits: 0 });
  return {
    ok: true,
    results,
    readings,
    window: { fromIndex, toIndex, length: toIndex - fromIndex },
    notes: plan.notes,
    cost: { transactions: plan.steps.length + 1, hcu: plan.totalHcu },
  };
}
