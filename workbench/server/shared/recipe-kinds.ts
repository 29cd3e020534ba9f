import { RecipeKind } from "@iotdm/contracts-client";

/** The recipe kinds by name, in code order (bit i of a dataset's approval mask is kind i). */
export const RECIPE_KIND_NAMES = Object.keys(RecipeKind).filter((key) => Number.isNaN(Number(key))) as (keyof typeof RecipeKind)[];

/** A recipe kind's name, e.g. `HISTOGRAM`. */
export type RecipeKindName = (typeof RECIPE_KIND_NAMES)[number];

/** The kinds an approval mask allows, in code order. */
export function kindsOfMask(mask: number): RecipeKindName[] {
  return RECIPE_KIND_NAMES.filter((name) => (mask >> RecipeKind[name]) & 1);
}

/** The approval mask of a set of kinds. */
export function maskOfKinds(kinds: Iterable<string>): number {
  let mask = 0;
  for (const kind of kinds) {
    const code = RecipeKind[kind as RecipeKindName];
    if (code !== undefined) mask |= 1 << code;
  }
  return mask;
}

/** "COUNT_IF and HISTOGRAM": kind names for a sentence. */
export function listKinds(kinds: readonly string[]): string {
  return kinds.length <= 1 ? (kinds[0] ?? "") : `${kinds.slice(0, -1).join(", ")} and ${kinds[kinds.length - 1]}`;
}
