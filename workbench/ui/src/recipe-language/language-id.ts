/** The language id Monaco knows the recipe language by (kept apart so that the grammar loads lazily). */
export const RECIPE_LANGUAGE_ID = "recipe";
