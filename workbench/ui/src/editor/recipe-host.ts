/**
 * The app's side of the recipe language providers: which dataset and which diagnostics belong to
 * which editor model, and the catalogue's dataset names.
 */
import type * as Monaco from "monaco-editor/editor";
import type { Diagnostic } from "../lib/recipes";
import type { HoverDataset } from "../recipe-language/hover";
import type { RecipeLanguageHost } from "../recipe-language/register";

/** Per-model facts the editors register. */
export class RecipeEditorRegistry implements RecipeLanguageHost {
  readonly #models = new Map<string, { dataset?: HoverDataset; diagnostics: readonly Diagnostic[] }>();

  constructor(private readonly names: () => readonly { name: string; unit?: string; field?: string }[]) {}

  set(uri: string, facts: { dataset?: HoverDataset; diagnostics?: readonly Diagnostic[] }): void {
    const current = this.#models.get(uri) ?? { diagnostics: [] };
    this.#models.set(uri, { ...current, ...facts, diagnostics: facts.diagnostics ?? current.diagnostics });
  }

  delete(uri: string): void {
    this.#models.delete(uri);
  }

  datasets() {
    return this.names();
  }

  datasetOf(model: Monaco.editor.ITextModel): HoverDataset | undefined {
    return this.#models.get(model.uri.toString())?.dataset;
  }

  diagnosticsOf(model: Monaco.editor.ITextModel): readonly Diagnostic[] {
    return this.#models.get(model.uri.toString())?.diagnostics ?? [];
  }
}
