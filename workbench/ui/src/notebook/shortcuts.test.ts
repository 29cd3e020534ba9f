import { describe, expect, it } from "vitest";
import { ShortcutHandler, type KeyLike, type NotebookCommand, type NotebookMode } from "./shortcuts";

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
  ])("%j in %s mode → %s", (event, mode, command) => {
    expect(new ShortcutHandler().handle(event, mode)).toBe(command);
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
