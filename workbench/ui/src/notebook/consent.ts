/**
 * What the buyer's browser checks before it signs a run request the service prepared: the program
 * is exactly the one this browser's own checker derives from the recipe (so the signature covers
 * the statistics the user wrote, nothing else), for the right buyer, dataset and window.
 */
import type { PrivacyParams } from "@iotdm/contracts-client";
import { compileProgram, PlanSchema, programHash, type Plan, type RecipeIR } from "../lib/recipes";
import type { PreparedRun } from "../api/runs-api";
import { recipePrivacy } from "../datasets/dataset-context";

/** The outcome of checking a prepared run. */
export type ConsentCheck = { ok: true; plan: Plan } | { ok: false; message: string };

/** Checks a prepared run against the recipe's IR, the dataset's encoding and the buyer. */
export function checkPreparedRun(options: {
  prepared: PreparedRun;
  ir: RecipeIR;
  /** `privacy`: on a private dataset, the ε each statistic spends is resolved here as the planner does (the signature covers it). */
  dataset: { id: string; scale: number; offset: string | bigint; privacy?: PrivacyParams };
  buyer: string;
  market: string;
  /** The chain the workbench runs on. */
  chainId: number;
}): ConsentCheck {
  const { prepared, ir, dataset, buyer } = options;
  const parsed = PlanSchema.safeParse(prepared.plan);
  if (!parsed.success) return { ok: false, message: "The service sent a run plan this browser cannot read." };
  const plan = parsed.data;
  // The planner's and the worker's own compilation: constants encoded, each op's ε resolved on a private dataset.
  const privacy = recipePrivacy(dataset.privacy);
  const compiled = compileProgram({ ir, encoding: { scale: dataset.scale, offset: BigInt(dataset.offset) }, ...(privacy ? { privacy } : {}) });
  if (!compiled.ok) return { ok: false, message: `Not signed: ${compiled.error.message}.` };
  const expectedHash = programHash(compiled.ops);
  const request = prepared.request;
  const problems = [
    programHash(plan.ops) !== expectedHash && "the planned program is not the one your recipe asks for",
    request.programHash.toLowerCase() !== expectedHash && "the request names another program",
    request.buyer.toLowerCase() !== buyer.toLowerCase() && "the request is for another account",
    request.datasetId !== dataset.id && plan.datasetId !== dataset.id && "the request is for another dataset",
    (request.datasetId !== plan.datasetId) && "the request and the plan name different datasets",
    (BigInt(request.fromIndex) !== BigInt(plan.window.fromIndex) || BigInt(request.toIndex) !== BigInt(plan.window.toIndex)) &&
      "the request's window differs from the plan's",
    prepared.typedData.domain.verifyingContract.toLowerCase() !== options.market.toLowerCase() && "the request is for another market contract",
    (prepared.typedData.domain.name !== "IoTDataMarket" || prepared.typedData.domain.version !== "1") && "the request names another signing domain",
    prepared.typedData.domain.chainId !== options.chainId && "the request is for another chain",
  ].filter((p): p is string => typeof p === "string");
  if (problems.length > 0) return { ok: false, message: `Not signed: ${problems.join("; ")}.` };
  return { ok: true, plan };
}
