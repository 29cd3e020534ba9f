/**
 * `@iotdm/recipes/plan-json`: plans and program ops as JSON (src/plan-json.ts) alone — the one op
 * schema of the wire — for the worker's job schemas, which the workbench loads through
 * `@iotdm/worker/queues` and which need nothing of the language (no parser).
 */
export { ContractOpJsonSchema, ContractOpSchema, contractOpToJSON, PlanSchema, planToJSON, type ContractOpJSON, type PlanJSON } from "./src/plan-json";
