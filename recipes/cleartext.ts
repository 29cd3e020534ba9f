/**
 * `@iotdm/recipes/cleartext`: what a program computes on cleartext (src/cleartext.ts) alone, for the
 * contracts' tests, whose expected results are the same rule and which need nothing of the language.
 */
export { evaluatePlan, predicateHolds } from "./src/cleartext";
