import { UnrecoverableError } from "bullmq";
import { makeError } from "ethers";
import { describe, expect, it } from "vitest";
import { classifyChainError, isRevert, isTransient, RunRejectedError, TransientChainError } from "./errors";

function callException(revert?: { name: string; args: unknown[] }) {
  return makeError("execution reverted", "CALL_EXCEPTION", {
    action: "estimateGas",
    data: "0x12345678",
    reason: null,
    transaction: { to: null, data: "0x" },
    invocation: null,
    revert: revert ? { name: revert.name, signature: `${revert.name}()`, args: revert.args } : null,
  });
}

describe("failure model", () => {
  it("classifies a contract revert as a rejection with the decoded custom error, never transient", () => {
    const error = callException({ name: "AccessExpired", args: [1n, 1700000000n] });
    const classified = classifyChainError({ error, action: "starting the run" });

    expect(isRevert(error)).toBe(true);
    expect(isTransient(error)).toBe(false);
    expect(classified).toBeInstanceOf(RunRejectedError);
    expect(classified).toBeInstanceOf(UnrecoverableError);
    expect((classified as RunRejectedError).toFailure()).toEqual({
      code: "CONTRACT_REJECTED",
      reason: "The market rejected starting the run: AccessExpired(1, 1700000000)",
      contractError: "AccessExpired",
    });
  });

  it("prefers the contracts client's decoder when one is given", () => {
    const classified = classifyChainError({
      error: callException(),
      action: "step 2 of 5",
      decode: () => ({ name: "RecipeTypeNotApproved", message: "the seller has not approved HISTOGRAM on dataset 3" }),
    }) as RunRejectedError;

    expect(classified.message).toBe("The market rejected step 2 of 5: the seller has not approved HISTOGRAM on dataset 3");
    expect(classified.contractError).toBe("RecipeTypeNotApproved");
  });

  it.each([
    ["a timeout", makeError("timeout", "TIMEOUT", { operation: "request" })],
    ["a network error", makeError("network down", "NETWORK_ERROR", { event: "x" })],
    ["a 5xx from the node", makeError("bad gateway", "SERVER_ERROR", { request: null as never, response: null as never })],
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" })],
    ["a nonce race", new Error("nonce too low: next nonce 5, tx nonce 4")],
    ["a wrapped reset", new Error("request failed", { cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }) })],
  ])("classifies %s as transient", (_label, error) => {
    expect(isTransient(error)).toBe(true);
    expect(classifyChainError({ error, action: "step 1" })).toBeInstanceOf(TransientChainError);
  });

  it("leaves an unexpected error unchanged (retried by BullMQ, shown with its own message)", () => {
    const error = new TypeError("cannot read properties of undefined");
    expect(classifyChainError({ error, action: "x" })).toBe(error);
  });

  it("turns insufficient funds into a plain, readable error the job retries", () => {
    const error = makeError("insufficient funds", "INSUFFICIENT_FUNDS", { transaction: {} });
    const classified = classifyChainError({ error, action: "starting the run" }) as Error;
    expect(classified).not.toBeInstanceOf(RunRejectedError);
    expect(classified.message).toBe("The relayer account cannot pay for starting the run: insufficient funds for gas");
  });
});
