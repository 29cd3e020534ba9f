import { TypedDataEncoder, getBytes, hexlify, type TypedDataDomain, type TypedDataField } from "ethers";
import type { RunRequestJson, StandingAuthorizationJson } from "./wire";

/** EIP-712 domain of a market: name "IoTDataMarket", version "1", the chain and the market's address. */
export function marketDomain(options: { chainId: bigint | number; market: string }): TypedDataDomain {
  return { name: "IoTDataMarket", version: "1", chainId: BigInt(options.chainId), verifyingContract: options.market };
}

/** A buyer's consent to one run, which the relayer carries to `startRunFor`. */
export interface RunRequest {
  buyer: string;
  datasetId: bigint;
  programHash: string;
  fromIndex: bigint;
  toIndex: bigint;
  nonce: bigint;
  /** Unix seconds after which the request can no longer start a run. */
  deadline: bigint;
  /** The most (wei) the buyer agrees to pay for the run, the quote; locked from its market balance at start. */
  maxPayment: bigint;
}

/** A buyer's consent to recurring runs over consecutive windows, for `startScheduledRun`. */
export interface StandingAuthorization {
  buyer: string;
  datasetId: bigint;
  programHash: string;
  /** Where the first window starts (the contract rounds it up to the dataset's k, and to where private runs may start). */
  fromIndex: bigint;
  /** At most one run per `cadence` seconds. */
  cadence: bigint;
  /** Unix seconds; no run starts at or after it. */
  expiry: bigint;
  maxRuns: number;
  nonce: bigint;
  /** The most (wei) the buyer agrees to pay per report; locked from its market balance at each start. */
  maxPaymentPerRun: bigint;
}

export const RUN_REQUEST_TYPES: Record<string, TypedDataField[]> = {
  RunRequest: [
    { name: "buyer", type: "address" },
    { name: "datasetId", type: "uint256" },
    { name: "programHash", type: "bytes32" },
    { name: "fromIndex", type: "uint64" },
    { name: "toIndex", type: "uint64" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
    { name: "maxPayment", type: "uint256" },
  ],
};

export const STANDING_AUTHORIZATION_TYPES: Record<string, TypedDataField[]> = {
  StandingAuthorization: [
    { name: "buyer", type: "address" },
    { name: "datasetId", type: "uint256" },
    { name: "programHash", type: "bytes32" },
    { name: "fromIndex", type: "uint64" },
    { name: "cadence", type: "uint64" },
    { name: "expiry", type: "uint64" },
    { name: "maxRuns", type: "uint32" },
    { name: "nonce", type: "uint256" },
    { name: "maxPaymentPerRun", type: "uint256" },
  ],
};

/** Anything that signs EIP-712 typed data: an ethers Signer, or a browser wallet adapter. */
export interface TypedDataSigner {
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

export function signRunRequest(options: { signer: TypedDataSigner; domain: TypedDataDomain; request: RunRequest }) {
  return options.signer.signTypedData(options.domain, RUN_REQUEST_TYPES, { ...options.request });
}

export function signStandingAuthorization(options: {
  signer: TypedDataSigner;
  domain: TypedDataDomain;
  authorization: StandingAuthorization;
}) {
  return options.signer.signTypedData(options.domain, STANDING_AUTHORIZATION_TYPES, { ...options.authorization });
}

/** The EIP-712 digest the contract computes (`runRequestDigest`), the key of `runIdOf`; of the struct or its JSON. */
export function runRequestDigest(domain: TypedDataDomain, request: RunRequest | RunRequestJson): string {
  return TypedDataEncoder.hash(domain, RUN_REQUEST_TYPES, { ...request });
}

/** The EIP-712 digest of a standing authorization (`standingAuthorizationDigest`), the key of its state; of the struct or its JSON. */
export function standingAuthorizationDigest(domain: TypedDataDomain, authorization: StandingAuthorization | StandingAuthorizationJson): string {
  return TypedDataEncoder.hash(domain, STANDING_AUTHORIZATION_TYPES, { ...authorization });
}

/** A random 64-bit nonce (nonces are unordered: the contract keeps a used-nonce map per buyer). */
export function randomNonce(): bigint {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return BigInt(hexlify(getBytes(bytes)));
}
