/**
 * The failure model. Two kinds of error leave a processor:
 *
 * - {@link RunRejectedError} (a BullMQ `UnrecoverableError`): no retry can fix it: the contract
 *   rejected the call (a custom error, decoded), the recipe is malformed, the signature is not the
 *   buyer's, the request does not match its recipe. The job fails at once with a readable reason.
 * - {@link TransientChainError} (a plain error): the RPC node timed out, refused the connection,
 *   answered 5xx, a nonce raced. The job is retried with its `attempts` and exponential backoff, and
 *   the retry continues from the on-chain cursor.
 *
 * Anything else is unexpected: it is retried like a transient error (BullMQ's default), and its
 * message is what the buyer sees, so it should never be a bare stack.
 */
import { UnrecoverableError } from "bullmq";
import { isError } from "ethers";
import type { Failure, RejectionCode } from "./job-schemas";

export type { Failure, RejectionCode };

/** A rejection no retry can fix. BullMQ fails the job at once (UnrecoverableError). */
export class RunRejectedError extends UnrecoverableError {
  readonly code: RejectionCode;
  /** The contract's custom error name, when the market rejected a call. */
  readonly contractError?: string;
  /** Its decoded arguments. */
  readonly contractArgs?: readonly unknown[];

  constructor(options: {
    code: RejectionCode;
    reason: string;
    contractError?: string;
    contractArgs?: readonly unknown[];
    cause?: unknown;
  }) {
    super(options.reason);
    this.name = "RunRejectedError";
    this.code = options.code;
    this.contractError = options.contractError;
    this.contractArgs = options.contractArgs;
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }

  /** The structured form stored with the failed job. */
  toFailure(): Failure {
    return { code: this.code, reason: this.message, ...(this.contractError ? { contractError: this.contractError } : {}) };
  }
}

/** A failure that another attempt may not meet (RPC unavailable, nonce race, timeout). */
export class TransientChainError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = "TransientChainError";
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** A decoded contract revert: custom error name, a sentence, its arguments. */
export interface DecodedRevert {
  name: string;
  message: string;
  args?: readonly unknown[];
  /** The rejection code this error maps to (CONTRACT_REJECTED when absent). */
  code?: RejectionCode;
}

/** Turns a revert into a readable reason; returns undefined for anything that is not a revert. */
export type RevertDecoder = (error: unknown) => DecodedRevert | undefined;

const TRANSIENT_ETHERS_CODES = [
  "NETWORK_ERROR",
  "TIMEOUT",
  "SERVER_ERROR",
  "NONCE_EXPIRED",
  "REPLACEMENT_UNDERPRICED",
  "TRANSACTION_REPLACED",
] as const;

const TRANSIENT_SYSTEM_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

const TRANSIENT_MESSAGES = [/socket hang up/i, /nonce too low/i, /nonce has already been used/i, /fetch failed/i, /429/, /too many requests/i];

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 6; depth += 1) {
    chain.push(current);
    current = (current as { cause?: unknown; error?: unknown }).cause ?? (current as { error?: unknown }).error;
  }
  return chain;
}

/** True for a contract revert (ethers CALL_EXCEPTION): never retried. */
export function isRevert(error: unknown): boolean {
  return causes(error).some((e) => isError(e, "CALL_EXCEPTION"));
}

/** True for an RPC or network failure that a later attempt may not meet. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientChainError) return true;
  if (error instanceof UnrecoverableError || isRevert(error)) return false;
  return causes(error).some((e) => {
    if (TRANSIENT_ETHERS_CODES.some((code) => isError(e, code))) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && TRANSIENT_SYSTEM_CODES.has(code)) return true;
    const message = (e as { message?: unknown }).message;
    return typeof message === "string" && TRANSIENT_MESSAGES.some((re) => re.test(message));
  });
}

/**
 * The default decoder: what ethers already decoded from the contract's ABI (`error.revert` for a
 * custom error, `error.reason` for a string revert). The processors plug in the contracts client's
 * decoder, which knows every custom error of the market.
 */
export const decodeWithEthers: RevertDecoder = (error) => {
  const revertError = causes(error).find((e) => isError(e, "CALL_EXCEPTION"));
  if (!revertError) return undefined;
  const { revert, reason, shortMessage } = revertError as {
    revert?: { name: string; args?: readonly unknown[] } | null;
    reason?: string | null;
    shortMessage?: string;
  };
  if (revert) {
    const args = (revert.args ?? []).map((a) => String(a)).join(", ");
    return { name: revert.name, message: `${revert.name}(${args})`, args: revert.args ?? [] };
  }
  if (reason) return { name: "Error", message: reason };
  return { name: "UnknownRevert", message: shortMessage ?? "the transaction reverted without a reason" };
};

/**
 * Maps a chain failure to the failure model: a revert becomes a {@link RunRejectedError} with the
 * decoded custom error, a transient RPC failure a {@link TransientChainError}, anything else is
 * returned unchanged.
 */
export function classifyChainError(options: { error: unknown; action: string; decode?: RevertDecoder }): unknown {
  const { error, action } = options;
  if (error instanceof RunRejectedError || error instanceof TransientChainError) return error;
  if (isRevert(error)) {
    const decoded = options.decode?.(error) ?? decodeWithEthers(error);
    const message = decoded?.message ?? "the transaction reverted";
    return new RunRejectedError({
      code: decoded?.code ?? "CONTRACT_REJECTED",
      reason: `The market rejected ${action}: ${message}`,
      contractError: decoded?.name,
      contractArgs: decoded?.args,
      cause: error,
    });
  }
  if (isError(error, "INSUFFICIENT_FUNDS")) {
    // An operator can top the account up; the job's attempts give them time to.
    return new Error(`The relayer account cannot pay for ${action}: insufficient funds for gas`, { cause: error });
  }
  if (isTransient(error)) {
    const message = (error as { shortMessage?: string; message?: string }).shortMessage ?? (error as Error).message;
    return new TransientChainError(`The chain node failed during ${action}: ${message}`, { cause: error });
  }
  return error;
}

/** The structured failure of any error a processor threw (unexpected errors keep their message). */
export function failureOf(error: unknown): Failure | undefined {
  return error instanceof RunRejectedError ? error.toFailure() : undefined;
}
