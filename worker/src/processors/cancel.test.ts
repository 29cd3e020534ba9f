import { describe, expect, it } from "vitest";
import { RunRejectedError } from "../errors";
import { throwIfCancelled } from "./step-run";

describe("a buyer's cancellation, seen between steps", () => {
  it("lets the run go on while nobody asked", async () => {
    await expect(throwIfCancelled({ cancelRequested: async () => false, done: 1, total: 3 })).resolves.toBeUndefined();
    await expect(throwIfCancelled({ done: 1, total: 3 })).resolves.toBeUndefined();
  });

  it("stops with CANCELLED, saying how far the run got", async () => {
    const stop = throwIfCancelled({ cancelRequested: async () => true, done: 2, total: 5 });
    await expect(stop).rejects.toBeInstanceOf(RunRejectedError);
    await expect(stop).rejects.toMatchObject({
      code: "CANCELLED",
      message: "You cancelled the run after step 2 of 5; the contract run stays unfinished and nothing more is sent.",
    });
    await expect(throwIfCancelled({ cancelRequested: async () => true, done: 0, total: 0 })).rejects.toMatchObject({
      message: "You cancelled the run before it started; nothing was sent.",
    });
  });
});
