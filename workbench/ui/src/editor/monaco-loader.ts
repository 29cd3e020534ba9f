/**
 * Loads Monaco once (a separate chunk) and registers the recipe language with the app's host.
 */
import type * as Monaco from "monaco-editor/editor";
import { registerRecipeLanguage, type RecipeLanguageHost } from "../recipe-language/register";

let loading: Promise<typeof Monaco> | undefined;

/** Monaco with the recipe language registered; the first call loads it. */
export function loadMonaco(host: RecipeLanguageHost): Promise<typeof Monaco> {
  loading ??= import("./monaco").then(({ monaco }) => {
    registerRecipeLanguage(monaco, host);
    return monaco;
  });
  return loading;
}
