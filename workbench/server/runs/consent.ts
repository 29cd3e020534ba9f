import { Contract, getAddress, Signature, verifyTypedData, type Provider, type TypedDataDomain, type TypedDataField } from "ethers";
import {
  marketDomain,
  runRequestDigest,
  RUN_REQUEST_TYPES,
  standingAuthorizationDigest,
  STANDING_AUTHORIZATION_TYPES,
  type RunRequest,
  type StandingAuthorization,
} from "@iotdm/contracts-client";
import type { MarketDeployment } from "../chain/market-deployment";

/** A RunRequest as JSON (uint fields as decimal strings), as the browser signs and the worker takes it. */
export interface RunRequestJson {
  buyer: string;
  datasetId: string;
  programHash: string;
  fromIndex: string;
  toIndex: string;
  nonce: string;
  deadline: string;
}

/** A StandingAuthorization as JSON. */
export interface StandingAuthorizationJson {
  buyer: string;
  datasetId: string;
  programHash: string;
  cadence: string;
  expiry: string;
  maxRuns: number;
  nonce: string;
}

/** The market's EIP-712 domain. */
export function domainOf(deployment: Pick<MarketDeployment, "chainId" | "address">): TypedDataDomain {
  return marketDomain({ chainId: deployment.chainId, market: deployment.address });
}

export function toRunRequest(json: RunRequestJson): RunRequest {
  return {
    buyer: json.buyer,
    datasetId: BigInt(json.datasetId),
    programHash: json.programHash,
    fromIndex: BigInt(json.fromIndex),
    toIndex: BigInt(json.toIndex),
    nonce: BigInt(json.nonce),
    deadline: BigInt(json.deadline),
  };
}

export function toStandingAuthorization(json: StandingAuthorizationJson): StandingAuthorization {
  return {
    buyer: json.buyer,
    datasetId: BigInt(json.datasetId),
    programHash: json.programHash,
    cadence: BigInt(json.cadence),
    expiry: BigInt(json.expiry),
    maxRuns: json.maxRuns,
    nonce: BigInt(json.nonce),
  };
}

/** The request's EIP-712 digest, lower case: the run's job id and the contract's `runIdOf` key. */
export function runDigest(domain: TypedDataDomain, request: RunRequestJson): string {
  return runRequestDigest(domain, toRunRequest(request)).toLowerCase();
}

/** The authorization's EIP-712 digest, lower case: the schedule's id in the worker. */
export function authorizationDigest(domain: TypedDataDomain, authorization: StandingAuthorizationJson): string {
  return standingAuthorizationDigest(domain, toStandingAuthorization(authorization)).toLowerCase();
}

const ERC1271 = ["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"];
const ERC1271_MAGIC = "0x1626ba7e";

/**
 * Whether `signature` is `signer`'s over the typed data: an EOA's ECDSA signature, or, when `signer`
 * is a contract wallet, one its ERC-1271 `isValidSignature` accepts (what the market's
 * SignatureChecker accepts too). The chain is asked only when the ECDSA check fails.
 */
async function signedBy(options: {
  provider: Provider;
  signer: string;
  domain: TypedDataDomain;
  types: Record<string, TypedDataField[]>;
  value: Record<string, unknown>;
  digest: string;
  signature: string;
}): Promise<boolean> {
  const { signer, signature } = options;
  try {
    const recovered = verifyTypedData(options.domain, options.types, options.value, Signature.from(signature));
    if (getAddress(recovered) === getAddress(signer)) return true;
  } catch {
    // Not a 65-byte ECDSA signature: maybe a contract wallet's.
  }
  if ((await options.provider.getCode(signer)) === "0x") return false;
  try {
    const magic = (await new Contract(signer, ERC1271, options.provider).isValidSignature(options.digest, signature)) as string;
    return magic.toLowerCase() === ERC1271_MAGIC;
  } catch {
    return false;
  }
}

/** Whether `signature` is the buyer's over the run request. */
export function isRunRequestSignedByBuyer(options: { provider: Provider; domain: TypedDataDomain; request: RunRequestJson; signature: string }) {
  const value = toRunRequest(options.request);
  return signedBy({
    provider: options.provider,
    signer: options.request.buyer,
    domain: options.domain,
    types: RUN_REQUEST_TYPES,
    value: { ...value },
    digest: runRequestDigest(options.domain, value),
    signature: options.signature,
  });
}

/** Whether `signature` is the buyer's over the standing authorization. */
export function isAuthorizationSignedByBuyer(options: {
  provider: Provider;
  domain: TypedDataDomain;
  authorization: StandingAuthorizationJson;
  signature: string;
}) {
  const value = toStandingAuthorization(options.authorization);
  return signedBy({
    provider: options.provider,
    signer: options.authorization.buyer,
    domain: options.domain,
    types: STANDING_AUTHORIZATION_TYPES,
    value: { ...value },
    digest: standingAuthorizationDigest(options.domain, value),
    signature: options.signature,
  });
}

export { RUN_REQUEST_TYPES, STANDING_AUTHORIZATION_TYPES };
