/**
 * Registers the recipe language with a Monaco instance: the language id, and — lazily, when a
 * recipe model first appears — its Monarch grammar, configuration, completions, hover help and
 * quick fixes. Diagnostics are pushed per model by the editor (see editor/recipe-editor.svelte.ts)
 * because they come from the checker worker.
 *
 * The providers ask {@link RecipeLanguageHost} for what only the app knows: the dataset catalogue,
 * the dataset a model's cell runs against, the model's latest diagnostics.
 */
import type * as Monaco from "monaco-editor/editor";
import type { Diagnostic } from "../lib/recipes";
import { completionContext, completionItems, declaredParams, type CompletionItem } from "./completions";
import { hoverAt, type HoverDataset } from "./hover";
import { quickFixes } from "./markers";
import { RECIPE_LANGUAGE_ID } from "./language-id";
import { RECIPE_THEME, theme } from "./theme";

/** What the language providers need from the app, per model. */
export interface RecipeLanguageHost {
  /** Dataset names (and their field and unit) for `from "…"`. */
  datasets(): readonly { name: string; unit?: string; field?: string }[];
  /** The dataset a model's recipe runs against, when known. */
  datasetOf(model: Monaco.editor.ITextModel): HoverDataset | undefined;
  /** The latest diagnostics of a model (for quick fixes). */
  diagnosticsOf(model: Monaco.editor.ITextModel): readonly Diagnostic[];
}

let registered = false;

/** Registers the language once per page. */
export function registerRecipeLanguage(monaco: typeof Monaco, host: RecipeLanguageHost): void {
  if (registered) return;
  registered = true;
  const { languages } = monaco;
  languages.register({ id: RECIPE_LANGUAGE_ID, extensions: [".recipe"], aliases: ["Recipe", "recipe"] });
  monaco.editor.defineTheme(RECIPE_THEME, theme);

  languages.onLanguageEncountered(RECIPE_LANGUAGE_ID, async () => {
    const { conf, language } = await import("./recipe");
    languages.setLanguageConfiguration(RECIPE_LANGUAGE_ID, conf);
    languages.setMonarchTokensProvider(RECIPE_LANGUAGE_ID, language);
  });

  const kindOf = (kind: CompletionItem["kind"]): Monaco.languages.CompletionItemKind => {
    const k = languages.CompletionItemKind;
    return { statistic: k.Function, keyword: k.Keyword, unit: k.Unit, dataset: k.Module, field: k.Field, parameter: k.Variable, snippet: k.Snippet }[kind];
  };

  languages.registerCompletionItemProvider(RECIPE_LANGUAGE_ID, {
    triggerCharacters: ['"', "(", " ", "[", ","],
    provideCompletionItems(model, position) {
      const line = model.getLineContent(position.lineNumber);
      const context = completionContext(line.slice(0, position.column - 1));
      const dataset = host.datasetOf(model);
      const items = completionItems(context, {
        datasets: host.datasets(),
        field: dataset?.field,
        params: declaredParams(model.getValue()),
      });
      const word = model.getWordUntilPosition(position);
      let range: Monaco.IRange = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
      if (context.kind === "dataset") {
        // Replace what was typed inside the quotes, up to an auto-closed quote.
        const start = position.column - context.typed.length;
        const rest = line.slice(position.column - 1);
        const end = position.column + (rest.indexOf('"') === -1 ? rest.length : rest.indexOf('"'));
        range = { ...range, startColumn: start, endColumn: end };
      }
      return {
        suggestions: items.map((item) => ({
          label: item.label,
          kind: kindOf(item.kind),
          insertText: item.insertText,
          insertTextRules: item.snippet ? languages.CompletionItemInsertTextRule.InsertAsSnippet : undefined,
          filterText: item.filterText,
          detail: item.detail,
          documentation: item.documentation ? { value: item.documentation } : undefined,
          sortText: item.sortText,
          range,
        })),
      };
    },
  });

  languages.registerHoverProvider(RECIPE_LANGUAGE_ID, {
    provideHover(model, position) {
      const info = hoverAt({ source: model.getValue(), line: position.lineNumber, column: position.column, dataset: host.datasetOf(model) });
      if (!info) return null;
      return {
        range: { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: info.startColumn, endColumn: info.endColumn },
        contents: info.contents.map((value) => ({ value })),
      };
    },
  });

  languages.registerCodeActionProvider(RECIPE_LANGUAGE_ID, {
    provideCodeActions(model, range) {
      const fixes = quickFixes(host.diagnosticsOf(model), { start: range.startLineNumber, end: range.endLineNumber });
      return {
        actions: fixes.map((fix) => ({
          title: fix.title,
          kind: "quickfix",
          isPreferred: true,
          diagnostics: [],
          edit: { edits: [{ resource: model.uri, versionId: model.getVersionId(), textEdit: { range: fix.range, text: fix.text } }] },
        })),
        dispose() {},
      };
    },
  });
}
