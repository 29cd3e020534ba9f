/**
 * Keyboard shortcuts of the notebook, in the spirit of JupyterLab: command mode (Esc) acts on
 * cells, edit mode (Enter) types in one. Pure: {@link ShortcutHandler} maps key events to commands;
 * the notebook view executes them.
 */

/** What a shortcut asks the notebook to do. */
export type NotebookCommand =
  | "run-and-advance"
  | "run"
  | "run-and-insert"
  | "run-all"
  | "enter-edit"
  | "exit-edit"
  | "select-next"
  | "select-previous"
  | "insert-above"
  | "insert-below"
  | "delete"
  | "to-markdown"
  | "to-recipe"
  | "move-up"
  | "move-down"
  | "copy"
  | "cut"
  | "paste-below"
  | "paste-above"
  | "undo-delete"
  | "merge-below"
  | "save"
  | "show-help";

/** The parts of a KeyboardEvent the handler reads. */
export interface KeyLike {
  key: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** Command mode or edit mode. */
export type NotebookMode = "command" | "edit";

/** Two presses of D within this many milliseconds delete the cell. */
export const DOUBLE_PRESS_MS = 800;

/** The shortcut table, for the help dialog. */
export const SHORTCUT_HELP: readonly { keys: string; mode: NotebookMode | "both"; does: string }[] = [
  { keys: "Shift+Enter", mode: "both", does: "Run the cell and select the next one" },
  { keys: "Ctrl+Enter", mode: "both", does: "Run the cell" },
  { keys: "Alt+Enter", mode: "both", does: "Run the cell and insert one below" },
  { keys: "Ctrl+Shift+Enter", mode: "both", does: "Run all cells" },
  { keys: "Enter", mode: "command", does: "Edit the selected cell" },
  { keys: "Esc", mode: "edit", does: "Stop editing (command mode)" },
  { keys: "↑ / K, ↓ / J", mode: "command", does: "Select the previous / next cell" },
  { keys: "Ctrl+S", mode: "both", does: "Save the notebook now" },
  { keys: "A / B", mode: "command", does: "Insert a cell above / below (staying in command mode)" },
  { keys: "C", mode: "command", does: "Copy the selected cell" },
  { keys: "X", mode: "command", does: "Cut the selected cell" },
  { keys: "V / Shift+V", mode: "command", does: "Paste the copied cell below / above" },
  { keys: "D, D", mode: "command", does: "Delete the selected cell" },
  { keys: "Z", mode: "command", does: "Undo the last cell deletion (or cut)" },
  { keys: "Shift+M", mode: "command", does: "Merge the selected cell with the one below" },
  { keys: "M / Y", mode: "command", does: "Make the cell markdown / a recipe" },
  { keys: "Ctrl+Shift+↑ / ↓", mode: "command", does: "Move the cell up / down" },
  { keys: "H", mode: "command", does: "Show these shortcuts" },
];

/** Maps key presses to notebook commands, remembering a pending first D. */
export class ShortcutHandler {
  #pendingDeleteAt: number | undefined;

  /** The command for a key press in `mode`, or undefined to let the key through. */
  handle(event: KeyLike, mode: NotebookMode, now = Date.now()): NotebookCommand | undefined {
    const ctrl = Boolean(event.ctrlKey || event.metaKey);
    const shift = Boolean(event.shiftKey);
    const alt = Boolean(event.altKey);
    const key = event.key;

    // Ctrl/Cmd-S saves in both modes, instead of the browser's "Save page as".
    if (ctrl && !alt && !shift && key.toLowerCase() === "s") return "save";
    if (key === "Enter") {
      if (ctrl && shift) return "run-all";
      if (shift && !ctrl && !alt) return "run-and-advance";
      if (ctrl && !shift && !alt) return "run";
      if (alt && !ctrl && !shift) return "run-and-insert";
      if (mode === "command" && !ctrl && !shift && !alt) return "enter-edit";
      return undefined;
    }
    if (mode === "edit") return key === "Escape" ? "exit-edit" : undefined;

    if (ctrl && shift && key === "ArrowUp") return "move-up";
    if (ctrl && shift && key === "ArrowDown") return "move-down";
    if (ctrl || alt) return undefined;

    const lower = key.length === 1 ? key.toLowerCase() : key;
    if (lower !== "d") this.#pendingDeleteAt = undefined;
    if (shift) {
      if (lower === "m") return "merge-below";
      if (lower === "v") return "paste-above";
    }
    switch (lower) {
      case "ArrowDown":
      case "j":
        return shift ? undefined : "select-next";
      case "ArrowUp":
      case "k":
        return shift ? undefined : "select-previous";
      case "a":
        return "insert-above";
      case "b":
        return "insert-below";
      case "m":
        return "to-markdown";
      case "y":
        return shift ? undefined : "to-recipe";
      case "h":
        return shift ? undefined : "show-help";
      case "c":
        return shift ? undefined : "copy";
      case "x":
        return shift ? undefined : "cut";
      case "v":
        return "paste-below";
      case "z":
        return shift ? undefined : "undo-delete";
      case "d": {
        const pending = this.#pendingDeleteAt;
        if (pending !== undefined && now - pending <= DOUBLE_PRESS_MS) {
          this.#pendingDeleteAt = undefined;
          return "delete";
        }
        this.#pendingDeleteAt = now;
        return undefined;
      }
      default:
        return undefined;
    }
  }
}
