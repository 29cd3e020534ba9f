/**
 * Test support: signed run requests and standing authorizations for a market address that need not
 * exist (queue tests), or for a deployed market (chain tests).
 */
import { hexlify, randomBytes, type Signer } from "ethers";
import { RUN_REQUEST_TYPES, STANDING_AUTHORIZATION_TYPES, marketDomain } from "../../src/consent";
import type { MarketRef, RunRequest, StandingAuthorization } from "../../src/job-schemas";

/** A random 64-bit nonce as the browser picks it. */
export function randomNonce(): string {
  return BigInt(hexlify(randomBytes(8))).toString();
}

/** A run request signed by `buyer` (defaults: dataset 1, a dummy program, window [0, 8), deadline in an hour). */
export async function signRunRequest(options: {
  market: MarketRef;
  buyer: Signer;
  request?: Partial<RunRequest>;
}): Promise<{ request: RunRequest; signature: string }> {
  const request: RunRequest = {
    buyer: await options.buyer.getAddress(),
    datasetId: "1",
    programHash: `0x${"11".repeat(32)}`,
    fromIndex: "0",
    toIndex: "8",
    nonce: randomNonce(),
    deadline: String(Math.floor(Date.now() / 1000) + 3600),
    maxPayment: "0",
    ...options.request,
  };
  const signature = await options.buyer.signTypedData(marketDomain(options.market), RUN_REQUEST_TYPES, request);
  return { request, signature };
}

/** A standing authorization signed by `buyer`. */
export async function signStandingAuthorization(options: {
  market: MarketRef;
  buyer: Signer;
  authorization?: Partial<StandingAuthorization>;
}): Promise<{ authorization: StandingAuthorization; signature: string }> {
  const authorization: StandingAuthorization = {
    buyer: await options.buyer.getAddress(),
    datasetId: "1",
    programHash: `0x${"22".repeat(32)}`,
    fromIndex: "0",
    cadence: "1",
    expiry: String(Math.floor(Date.now() / 1000) + 3600),
    maxRuns: 10,
    nonce: randomNonce(),
    maxPaymentPerRun: "0",
    ...options.authorization,
  };
  const signature = await options.buyer.signTypedData(
    marketDomain(options.market),
    STANDING_AUTHORIZATION_TYPES,
    authorization,
  );
  return { authorization, signature };
}
