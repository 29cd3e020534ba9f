import { Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { RUN_REQUEST_TYPES, checkRunRequestSignature, marketDomain, runRequestDigest } from "./consent";
import type { RunRequest } from "./job-schemas";

const market = { chainId: 31337, address: "0x00000000000000000000000000000000000000aa" };
const buyer = Wallet.createRandom();
const request: RunRequest = {
  buyer: buyer.address,
  datasetId: "1",
  programHash: `0x${"11".repeat(32)}`,
  fromIndex: "0",
  toIndex: "64",
  nonce: "42",
  deadline: "1900000000",
};

describe("run request consent", () => {
  it("accepts the buyer's signature", async () => {
    const signature = await buyer.signTypedData(marketDomain(market), RUN_REQUEST_TYPES, request);
    expect(checkRunRequestSignature({ market, request, signature })).toEqual({ ok: true });
  });

  it("rejects a signature by someone else, naming both addresses", async () => {
    const other = Wallet.createRandom();
    const signature = await other.signTypedData(marketDomain(market), RUN_REQUEST_TYPES, request);
    expect(checkRunRequestSignature({ market, request, signature })).toEqual({
      ok: false,
      reason: `the run request was not signed by the buyer ${buyer.address} (signer ${other.address})`,
    });
  });

  it("rejects a signature over another market's domain", async () => {
    const signature = await buyer.signTypedData(marketDomain({ ...market, chainId: 1 }), RUN_REQUEST_TYPES, request);
    expect(checkRunRequestSignature({ market, request, signature }).ok).toBe(false);
  });

  it("rejects a malformed signature with a reason", () => {
    expect(checkRunRequestSignature({ market, request, signature: "0x1234" })).toEqual({
      ok: false,
      reason: "the run request signature is malformed (expected a 65-byte ECDSA signature)",
    });
  });

  it("gives a different digest (job id) to any change of the request", () => {
    const digest = runRequestDigest({ market, request });
    expect(digest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(runRequestDigest({ market, request: { ...request, nonce: "43" } })).not.toBe(digest);
    expect(runRequestDigest({ market: { ...market, chainId: 1 }, request })).not.toBe(digest);
  });
});
