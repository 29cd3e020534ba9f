/**
 * The one rule for "who signed this request", the rule the market applies (OpenZeppelin's
 * `SignatureChecker.isValidSignatureNow`): an EOA's 65-byte ECDSA signature over the EIP-712
 * digest, or, when the buyer is a contract wallet, a signature its ERC-1271 `isValidSignature`
 * accepts. The service checks it before it records a run or a schedule, the worker before it
 * spends gas on a start: both call this module, so a request one accepts the other accepts too.
 */
import { Contract, Signature, TypedDataEncoder, getAddress, recoverAddress, type Provider, type TypedDataDomain, type TypedDataField } from "ethers";
import { RUN_REQUEST_TYPES, STANDING_AUTHORIZATION_TYPES, type RunRequest, type StandingAuthorization } from "./eip712";
import type { RunRequestJson, StandingAuthorizationJson } from "./wire";

/** Outcome of a signature check: a failure says why in a sentence. */
export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** ERC-1271's `isValidSignature`, and the value it returns for a valid signature (its selector). */
const ERC1271_ABI = ["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"];
const ERC1271_MAGIC_VALUE = "0x1626ba7e";

/**
 * Whether `signature` is `signer`'s over `digest`. The chain is asked only when the signature is
 * not the signer's ECDSA signature and the signer holds code; a contract wallet whose call
 * reverts, or that answers anything but the magic value, did not sign.
 */
export async function checkDigestSignature(options: {
  provider: Provider;
  signer: string;
  digest: string;
  signature: string;
  /** Names the signed thing in a failure's sentence ("run request"). */
  what: string;
}): Promise<SignatureCheck> {
  const { provider, digest, signature, what } = options;
  const signer = getAddress(options.signer);
  let recovered: string | undefined;
  try {
    recovered = recoverAddress(digest, Signature.from(signature));
    if (recovered === signer) return { ok: true };
  } catch {
    // Not a 65-byte ECDSA signature: a contract wallet's may have any length.
  }
  if ((await provider.getCode(signer)) !== "0x") {
    const wallet = new Contract(signer, ERC1271_ABI, provider);
    const magic = await (wallet.getFunction("isValidSignature")(digest, signature) as Promise<string>).catch(() => undefined);
    if (magic?.toLowerCase() === ERC1271_MAGIC_VALUE) return { ok: true };
    return { ok: false, reason: `the ${what} was not signed by the buyer ${signer} (its contract wallet does not accept the signature under ERC-1271)` };
  }
  if (recovered === undefined) return { ok: false, reason: `the ${what} signature is malformed (expected a 65-byte ECDSA signature)` };
  return { ok: false, reason: `the ${what} was not signed by the buyer ${signer} (signer ${recovered})` };
}

/** Whether `signature` is the buyer's over the typed data `value` of `types`. */
function checkTypedDataSignature(options: {
  provider: Provider;
  domain: TypedDataDomain;
  types: Record<string, TypedDataField[]>;
  value: { buyer: string } & Record<string, unknown>;
  signature: string;
  what: string;
}): Promise<SignatureCheck> {
  const { provider, domain, types, value, signature, what } = options;
  return checkDigestSignature({ provider, signer: value.buyer, digest: TypedDataEncoder.hash(domain, types, value), signature, what });
}

/** Whether `signature` is the buyer's over the run request, the struct or its JSON (what `startRunFor` checks). */
export function checkRunRequestSignature(options: {
  provider: Provider;
  domain: TypedDataDomain;
  request: RunRequest | RunRequestJson;
  signature: string;
}): Promise<SignatureCheck> {
  const { provider, domain, request, signature } = options;
  return checkTypedDataSignature({ provider, domain, types: RUN_REQUEST_TYPES, value: { ...request }, signature, what: "run request" });
}

/** Whether `signature` is the buyer's over the standing authorization, the struct or its JSON (what `startScheduledRun` checks). */
export function checkStandingAuthorizationSignature(options: {
  provider: Provider;
  domain: TypedDataDomain;
  authorization: StandingAuthorization | StandingAuthorizationJson;
  signature: string;
}): Promise<SignatureCheck> {
  const { provider, domain, authorization, signature } = options;
  return checkTypedDataSignature({
    provider,
    domain,
    types: STANDING_AUTHORIZATION_TYPES,
    value: { ...authorization },
    signature,
    what: "standing authorization",
  });
}
