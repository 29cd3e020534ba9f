/**
 * Monaco, as the workbench uses it: the core editor API and the features the recipe cells need
 * (tree-shaken entry points of monaco-editor ≥ 0.56), its editor worker bundled by Vite, and the
 * recipe language registered. Import it only through {@link loadMonaco}: it is a large chunk that
 * loads with the first editor.
 */
import * as monaco from "monaco-editor/editor";
import "monaco-editor/features/codicon/register";
import "monaco-editor/features/hover/register";
import "monaco-editor/features/suggest/register";
import "monaco-editor/editor/contrib/suggest/browser/suggestController";
import "monaco-editor/features/snippet/register";
import "monaco-editor/features/codeAction/register";
import "monaco-editor/features/gotoError/register";
import "monaco-editor/features/bracketMatching/register";
import "monaco-editor/features/comment/register";
import "monaco-editor/features/find/register";
import "monaco-editor/features/clipboard/register";
import "monaco-editor/features/contextmenu/register";
import "monaco-editor/features/cursorUndo/register";
import "monaco-editor/features/linesOperations/register";
import "monaco-editor/features/multicursor/register";
import "monaco-editor/features/wordOperations/register";
import "monaco-editor/features/wordHighlighter/register";
import "monaco-editor/features/smartSelect/register";
import "monaco-editor/features/placeholderText/register";
import "monaco-editor/features/tokenization/register";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";

self.MonacoEnvironment = {
  getWorker: () => new EditorWorker({ name: "monaco-editor" }),
};

export { monaco };
