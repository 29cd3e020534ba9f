/** The workbench's Monaco theme: the light editor palette of the app, by token class of recipe.ts. */
import type { editor } from "monaco-editor/editor";

export const RECIPE_THEME = "workbench-light";

export const theme: editor.IStandaloneThemeData = {
  base: "vs",
  inherit: true,
  rules: [
    { token: "comment", foreground: "6b7280", fontStyle: "italic" },
    { token: "keyword", foreground: "7c3aed", fontStyle: "bold" },
    { token: "predefined", foreground: "1d4ed8", fontStyle: "bold" },
    { token: "variable.predefined", foreground: "0f766e" },
    { token: "variable.parameter", foreground: "b45309" },
    { token: "type.unit", foreground: "0e7490" },
    { token: "number", foreground: "0f766e" },
    { token: "number.date", foreground: "0f766e" },
    { token: "string", foreground: "a16207" },
    { token: "string.invalid", foreground: "b91c1c", fontStyle: "underline" },
    { token: "operator", foreground: "be185d" },
    { token: "identifier", foreground: "111827" },
    { token: "invalid", foreground: "b91c1c" },
  ],
  colors: {
    "editor.background": "#ffffff",
    "editor.lineHighlightBackground": "#f5f7ff",
    "editorLineNumber.foreground": "#9ca3af",
    "editorLineNumber.activeForeground": "#4338ca",
    "editorCursor.foreground": "#4338ca",
    "editor.selectionBackground": "#c7d2fe",
    "editorIndentGuide.background1": "#eef0f4",
    "editorWidget.border": "#d1d5db",
  },
};
