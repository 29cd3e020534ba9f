/**
 * The market's signed structs and a dataset's privacy setting as they travel in JSON (the browser's
 * request body, the service's store and responses, the worker's job data): one zod schema each,
 * which the service validates with, the worker parses job data with and the UI takes its types
 * from. Integers that may exceed 2^53 (uint256 ids, uint64 indices, nonces) travel as decimal strings.
 */
import { z } from "zod";
import type { RunRequest, StandingAuthorization } from "./eip712";
import { EXACT_PRIVACY, isPrivate, PrivacyMode, type PrivacyParams } from "./privacy";
import { describePrivacy, type PrivacySubject } from "./privacy-words";

const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_UINT256 = (1n << 256n) - 1n;

/** A 20-byte address, any letter case (checksums are not enforced on the wire). */
export const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte address");

/** A 32-byte hex value: digests, program hashes, ciphertext handles, transaction hashes. */
export const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 0x-prefixed 32-byte hex value");

/** Any 0x-prefixed byte string (a contract wallet's signature may have any length). */
export const hexBytes = z.string().regex(/^0x(?:[0-9a-fA-F]{2})+$/, "expected 0x-prefixed hex bytes");

function unsignedDecimal(max: bigint, label: string) {
  return z
    .string()
    .regex(/^(?:0|[1-9]\d*)$/, `expected a ${label} as a decimal string`)
    .refine((value) => BigInt(value) <= max, `does not fit in a ${label}`);
}

/** uint64 as a decimal string. */
export const uint64 = unsignedDecimal(MAX_UINT64, "uint64");
/** uint256 as a decimal string. */
export const uint256 = unsignedDecimal(MAX_UINT256, "uint256");

/**
 * The buyer's EIP-712 `RunRequest` (domain "IoTDataMarket" v1): consent to run one program over one
 * window of one dataset. Field names and order match the typed-data struct.
 */
export const runRequestJson = z.object({
  buyer: address,
  datasetId: uint256,
  programHash: bytes32,
  fromIndex: uint64,
  toIndex: uint64,
  nonce: uint256,
  deadline: uint256,
  /** The most (wei) the buyer agrees to pay for the run (issue 15): locked from its market balance at start. */
  maxPayment: uint256.default("0"),
});
/** A `RunRequest` in JSON. */
export type RunRequestJson = z.infer<typeof runRequestJson>;

/**
 * The buyer's EIP-712 `StandingAuthorization`: consent to recurring runs of one program over consecutive
 * windows from `fromIndex`, at most one per `cadence` seconds, at most `maxRuns` times, before `expiry` (unix seconds).
 */
export const standingAuthorizationJson = z.object({
  buyer: address,
  datasetId: uint256,
  programHash: bytes32,
  fromIndex: uint64,
  cadence: uint64,
  expiry: uint64,
  maxRuns: z.number().int().min(1).max(0xffff_ffff),
  nonce: uint256,
  /** The most (wei) the buyer agrees to pay per report: locked from its market balance at each start. */
  maxPaymentPerRun: uint256.default("0"),
});
/** A `StandingAuthorization` in JSON. */
export type StandingAuthorizationJson = z.infer<typeof standingAuthorizationJson>;

/** The struct a JSON run request stands for. */
export function runRequestFromJson(json: RunRequestJson): RunRequest {
  return {
    buyer: json.buyer,
    datasetId: BigInt(json.datasetId),
    programHash: json.programHash,
    fromIndex: BigInt(json.fromIndex),
    toIndex: BigInt(json.toIndex),
    nonce: BigInt(json.nonce),
    deadline: BigInt(json.deadline),
    maxPayment: BigInt(json.maxPayment),
  };
}

/** The struct a JSON standing authorization stands for. */
export function standingAuthorizationFromJson(json: StandingAuthorizationJson): StandingAuthorization {
  return {
    buyer: json.buyer,
    datasetId: BigInt(json.datasetId),
    programHash: json.programHash,
    fromIndex: BigInt(json.fromIndex),
    cadence: BigInt(json.cadence),
    expiry: BigInt(json.expiry),
    maxRuns: json.maxRuns,
    nonce: BigInt(json.nonce),
    maxPaymentPerRun: BigInt(json.maxPaymentPerRun),
  };
}

const epsilon = (what: string) =>
  z.number().int().nonnegative().meta({ description: `${what}, in thousandths of ε (1000 = ε 1) as the contract counts it` });
const protects = z.string().meta({ description: "What the setting protects, in one sentence a buyer or seller understands" });

const exactSetting = z.object({
  mode: z.literal("exact").meta({ description: "Exact results: a paying buyer can learn the values of each k-reading bucket" }),
});
const privateSetting = z.object({
  mode: z.literal("private").meta({ description: "Clamped readings, encrypted noise on every result, an ε budget per buyer" }),
  lowerBound: z.string().meta({ description: "Readings are clamped into [lowerBound, upperBound], encoded units, decimal" }),
  upperBound: z.string().meta({ description: "Encoded units, decimal" }),
  budget: epsilon("The most ε all of one buyer's runs may spend on any one reading"),
  minEpsilon: epsilon("The smallest ε one statistic may spend"),
  maxEpsilon: epsilon("The largest ε one statistic may spend"),
  privateFrom: z.number().int().nonnegative().meta({ description: "The first reading the setting covers (earlier ones were released exactly)" }),
});

/** A dataset's privacy setting (the contract's `PrivacyParams` and `privateFrom`) in JSON, as recipes read it. */
export const privacyParamsJson = z.discriminatedUnion("mode", [exactSetting, privateSetting]);
/** A privacy setting's numbers in JSON. */
export type PrivacyParamsJson = z.infer<typeof privacyParamsJson>;

/** The same with what it protects in words, as the catalogue shows it. */
export const privacySettingJson = z.discriminatedUnion("mode", [exactSetting.extend({ protects }), privateSetting.extend({ protects })]);
/** A privacy setting in JSON, with its sentence. */
export type PrivacySettingJson = z.infer<typeof privacySettingJson>;

/** The JSON of a setting's numbers. */
export function privacyParamsToJson(privacy: PrivacyParams, privateFrom: number | bigint): PrivacyParamsJson {
  if (!isPrivate(privacy)) return { mode: "exact" };
  return {
    mode: "private",
    lowerBound: privacy.lowerBound.toString(),
    upperBound: privacy.upperBound.toString(),
    budget: privacy.budget,
    minEpsilon: privacy.minEpsilon,
    maxEpsilon: privacy.maxEpsilon,
    privateFrom: Number(privateFrom),
  };
}

/** A dataset's setting in JSON, with its sentence. */
export function privacySettingToJson(subject: PrivacySubject & { privateFrom: number | bigint }): PrivacySettingJson {
  return { ...privacyParamsToJson(subject.privacy, subject.privateFrom), protects: describePrivacy(subject) };
}

/** The `PrivacyParams` a JSON setting stands for. */
export function privacyParamsFromJson(json: PrivacyParamsJson): PrivacyParams {
  if (json.mode === "exact") return EXACT_PRIVACY;
  return {
    mode: PrivacyMode.PRIVATE,
    lowerBound: BigInt(json.lowerBound),
    upperBound: BigInt(json.upperBound),
    budget: json.budget,
    minEpsilon: json.minEpsilon,
    maxEpsilon: json.maxEpsilon,
  };
}
