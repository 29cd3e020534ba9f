import { describe, expect, it } from "vitest";
import { SHORTCUT_HELP, ShortcutHandler, type KeyLike, type NotebookCommand, type NotebookMode } from "./shortcuts";

describe("notebook shortcuts", () => {
  it.each<[KeyLike, NotebookMode, NotebookCommand | undefined]>([
    [{ key: "Enter", shiftKey: true }, "edit", "run-and-advance"],
    [{ key: "Enter", shiftKey: true }, "command", "run-and-advance"],
    [{ key: "Enter", ctrlKey: true }, "edit", "run"],
    [{ key: "Enter", metaKey: true }, "command", "run"],
    [{ key: "Enter", altKey: true }, "command", "run-and-insert"],
    [{ key: "Enter", ctrlKey: true, shiftKey: true }, "command", "run-all"],
    [{ key: "Enter" }, "command", "enter-edit"],
    [{ key: "Enter" }, "edit", undefined],
    [{ key: "Escape" }, "edit", "exit-edit"],
    [{ key: "a" }, "edit", undefined],
    [{ key: "a" }, "command", "insert-above"],
    [{ key: "B" }, "command", "insert-below"],
    [{ key: "j" }, "command", "select-next"],
    [{ key: "ArrowUp" }, "command", "select-previous"],
    [{ key: "m" }, "command", "to-markdown"],
    [{ key: "y" }, "command", "to-recipe"],
    [{ key: "ArrowUp", ctrlKey: true, shiftKey: true }, "command", "move-up"],
    [{ key: "ArrowDown", ctrlKey: true, shiftKey: true }, "command", "move-down"],
    [{ key: "c", ctrlKey: true }, "command", undefined],
    [{ key: "h" }, "command", "show-help"],
    [{ key: "c" }, "command", "copy"],
    [{ key: "c" }, "edit", undefined],
    [{ key: "x" }, "command", "cut"],
    [{ key: "v" }, "command", "paste-below"],
    [{ key: "V", shiftKey: true }, "command", "paste-above"],
    [{ key: "z" }, "command", "undo-delete"],
    [{ key: "z", ctrlKey: true }, "command", undefined],
    [{ key: "M", shiftKey: true }, "command", "merge-below"],
    [{ key: "s", ctrlKey: true }, "edit", "save"],
    [{ key: "s", metaKey: true }, "command", "save"],
    [{ key: "S", ctrlKey: true, shiftKey: true }, "command", undefined],
  ])("%j in %s mode → %s", (event, mode, command) => {
    expect(new ShortcutHandler().handle(event, mode)).toBe(command);
  });

  it("lists every command a key gives in the shortcuts dialog", () => {
    const help = SHORTCUT_HELP.map((row) => row.keys).join(" ");
    for (const keys of ["A / B", "C", "X", "V / Shift+V", "Z", "Shift+M", "Ctrl+S", "D, D"]) expect(help).toContain(keys);
  });

  it("deletes on D pressed twice in quick succession only", () => {
    const handler = new ShortcutHandler();
    expect(handler.handle({ key: "d" }, "command", 1_000)).toBeUndefined();
    expect(handler.handle({ key: "d" }, "command", 1_500)).toBe("delete");
    expect(handler.handle({ key: "d" }, "command", 5_000)).toBeUndefined();
    expect(handler.handle({ key: "d" }, "command", 7_000)).toBeUndefined();
    expect(handler.handle({ key: "j" }, "command", 7_100)).toBe("select-next");
    expect(handler.handle({ key: "d" }, "command", 7_200)).toBeUndefined();
  });
});
