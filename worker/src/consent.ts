/**
 * EIP-712 consent the buyer signs (interface: domain "IoTDataMarket" v1), from a job's market
 * reference. The worker needs the digests for deterministic ids (a run job's id is its request
 * digest, a schedule's id its authorization digest). Who signed is the contracts client's one rule
 * (`checkRunRequestSignature`, through the {@link MarketGateway}), the rule the service applies too.
 */
import {
  RUN_REQUEST_TYPES,
  STANDING_AUTHORIZATION_TYPES,
  marketDomain as clientMarketDomain,
  runRequestDigest as clientRunRequestDigest,
  standingAuthorizationDigest as clientStandingAuthorizationDigest,
} from "@iotdm/contracts-client";
import type { MarketRef, RunRequest, StandingAuthorization } from "./job-schemas";

export { RUN_REQUEST_TYPES, STANDING_AUTHORIZATION_TYPES };

/** The market's EIP-712 domain (the contracts client's, from a job's market reference). */
export function marketDomain(market: MarketRef) {
  return clientMarketDomain({ chainId: market.chainId, market: market.address });
}

/** EIP-712 digest of a run request: the run job's id and the contract's `runIdOf` key. */
export function runRequestDigest(options: { market: MarketRef; request: RunRequest }): string {
  return clientRunRequestDigest(marketDomain(options.market), options.request);
}

/** EIP-712 digest of a standing authorization: the schedule's id. */
export function standingAuthorizationDigest(options: { market: MarketRef; authorization: StandingAuthorization }): string {
  return clientStandingAuthorizationDigest(marketDomain(options.market), options.authorization);
}
