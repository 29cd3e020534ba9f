/**
 * The market's custom errors in the worker's failure model: the contracts client turns each revert
 * into a sentence; this adds the rejection code the workbench maps to its own errors.
 */
import { decodeContractError } from "@iotdm/contracts-client";
import type { RevertDecoder } from "../errors";
import type { RejectionCode } from "../job-schemas";

/** Contract errors with a more specific code than CONTRACT_REJECTED. */
const CODES: Readonly<Record<string, RejectionCode>> = {
  InvalidSignature: "BAD_SIGNATURE",
  SignatureExpired: "REQUEST_EXPIRED",
  ProgramHashMismatch: "REQUEST_MISMATCH",
  AuthorizationExpired: "SCHEDULE_GONE",
  AuthorizationRevoked: "SCHEDULE_GONE",
  AuthorizationExhausted: "SCHEDULE_GONE",
};

/** Decodes a market revert with the contracts client's sentences. */
export const decodeMarketRevert: RevertDecoder = (error) => {
  const decoded = decodeContractError(error);
  return { name: decoded.name, message: decoded.message, args: decoded.args, code: CODES[decoded.name] };
};
