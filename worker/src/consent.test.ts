import { describe, expect, it } from "vitest";
import { runRequestDigest, standingAuthorizationDigest } from "./consent";
import type { RunRequest, StandingAuthorization } from "./job-schemas";

const market = { chainId: 31337, address: "0x00000000000000000000000000000000000000aa" };
const request: RunRequest = {
  buyer: "0x00000000000000000000000000000000000000bb",
  datasetId: "1",
  programHash: `0x${"11".repeat(32)}`,
  fromIndex: "0",
  toIndex: "64",
  nonce: "42",
  deadline: "1900000000",
  maxPayment: "0",
};
const authorization: StandingAuthorization = {
  buyer: request.buyer,
  datasetId: "1",
  programHash: request.programHash,
  fromIndex: "64",
  cadence: "3600",
  expiry: "1900000000",
  maxRuns: 3,
  nonce: "42",
  maxPaymentPerRun: "0",
};

// Who signed is the contracts client's rule (contracts/test/client/signatures.test.ts); these are the ids.
describe("consent digests", () => {
  it("gives a different digest (job id) to any change of the request", () => {
    const digest = runRequestDigest({ market, request });
    expect(digest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(runRequestDigest({ market, request: { ...request, nonce: "43" } })).not.toBe(digest);
    expect(runRequestDigest({ market: { ...market, chainId: 1 }, request })).not.toBe(digest);
  });

  it("gives a schedule the digest of its authorization, apart from any run request's", () => {
    const digest = standingAuthorizationDigest({ market, authorization });
    expect(digest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(standingAuthorizationDigest({ market, authorization: { ...authorization, maxRuns: 4 } })).not.toBe(digest);
    expect(standingAuthorizationDigest({ market, authorization: { ...authorization, fromIndex: "72" } })).not.toBe(digest);
    expect(digest).not.toBe(runRequestDigest({ market, request }));
  });
});
