import { describe, expect, it } from "vitest";
import { parseEthAmount } from "./eth-amount";

describe("an amount of ETH typed by the user", () => {
  it.each([
    ["0.01", 10_000_000_000_000_000n],
    [" 1 ", 1_000_000_000_000_000_000n],
    [".5", 500_000_000_000_000_000n],
    ["2.", 2_000_000_000_000_000_000n],
    ["0.000000000000000001", 1n],
  ])("reads %j as %s wei, exactly", (text, wei) => {
    expect(parseEthAmount(text)).toEqual({ ok: true, wei });
  });

  it.each([
    ["", /Enter an amount/],
    ["0", /above zero/],
    ["0.000", /above zero/],
    ["-1", /plain decimal/],
    ["1e-3", /plain decimal/],
    ["1,5", /plain decimal/],
    ["abc", /plain decimal/],
    ["0.0000000000000000001", /at most 18 decimals/],
  ])("refuses %j, saying what to type", (text, error) => {
    const amount = parseEthAmount(text);
    expect(amount.ok).toBe(false);
    expect(!amount.ok && amount.error).toMatch(error);
  });

  it("takes zero where it means none (a price), and still refuses no amount at all", () => {
    expect(parseEthAmount("0.0", { allowZero: true })).toEqual({ ok: true, wei: 0n });
    expect(parseEthAmount(" ", { allowZero: true }).ok).toBe(false);
  });

  it("refuses more than the most that can be withdrawn, and takes all of it", () => {
    const max = 3_000_000_000_000_000n;
    expect(parseEthAmount("0.0031", { withdrawable: max })).toEqual({ ok: false, error: "You can withdraw at most 0.003 ETH." });
    expect(parseEthAmount("0.003", { withdrawable: max })).toEqual({ ok: true, wei: max });
  });
});
