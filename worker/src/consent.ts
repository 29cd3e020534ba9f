/**
 * EIP-712 consent the buyer signs (interface: domain "IoTDataMarket" v1). The worker needs the
 * digests for deterministic ids (a run job's id is its request digest, a schedule's id its
 * authorization digest) and checks signatures before it spends gas on a call that would revert.
 */
import { Signature, TypedDataEncoder, verifyTypedData } from "ethers";
import {
  RUN_REQUEST_TYPES,
  STANDING_AUTHORIZATION_TYPES,
  marketDomain as clientMarketDomain,
} from "@iotdm/contracts-client";
import type { MarketRef, RunRequest, StandingAuthorization } from "./job-schemas";

export { RUN_REQUEST_TYPES, STANDING_AUTHORIZATION_TYPES };

/** The market's EIP-712 domain (the contracts client's, from a job's market reference). */
export function marketDomain(market: MarketRef) {
  return clientMarketDomain({ chainId: market.chainId, market: market.address });
}

/** EIP-712 digest of a run request: the run job's id and the contract's `runIdOf` key. */
export function runRequestDigest(options: { market: MarketRef; request: RunRequest }): string {
  return TypedDataEncoder.hash(marketDomain(options.market), RUN_REQUEST_TYPES, options.request);
}

/** EIP-712 digest of a standing authorization: the schedule's id. */
export function standingAuthorizationDigest(options: {
  market: MarketRef;
  authorization: StandingAuthorization;
}): string {
  return TypedDataEncoder.hash(marketDomain(options.market), STANDING_AUTHORIZATION_TYPES, options.authorization);
}

/** Outcome of a local signature check. */
export type SignatureCheck = { ok: true } | { ok: false; reason: string };

function checkSigner(expected: string, recover: () => string, what: string): SignatureCheck {
  let signer: string;
  try {
    signer = recover();
  } catch {
    return { ok: false, reason: `the ${what} signature is malformed (expected a 65-byte ECDSA signature)` };
  }
  if (signer.toLowerCase() !== expected.toLowerCase()) {
    return { ok: false, reason: `the ${what} was not signed by the buyer ${expected} (signer ${signer})` };
  }
  return { ok: true };
}

/** Checks that `signature` is the buyer's signature of the run request. */
export function checkRunRequestSignature(options: {
  market: MarketRef;
  request: RunRequest;
  signature: string;
}): SignatureCheck {
  const { market, request, signature } = options;
  return checkSigner(
    request.buyer,
    () => verifyTypedData(marketDomain(market), RUN_REQUEST_TYPES, request, Signature.from(signature)),
    "run request",
  );
}

/** Checks that `signature` is the buyer's signature of the standing authorization. */
export function checkStandingAuthorizationSignature(options: {
  market: MarketRef;
  authorization: StandingAuthorization;
  signature: string;
}): SignatureCheck {
  const { market, authorization, signature } = options;
  return checkSigner(
    authorization.buyer,
    () =>
      verifyTypedData(marketDomain(market), STANDING_AUTHORIZATION_TYPES, authorization, Signature.from(signature)),
    "standing authorization",
  );
}
