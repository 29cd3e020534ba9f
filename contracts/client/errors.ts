import { Interface, formatEther, type ErrorFragment, type Result } from "ethers";
import { iotDataMarketAbi } from "./abi";
import { Comparator, RecipeKind } from "./program";

/** A contract rejection (or any other failure) in words the API and the UI show as they are. */
export interface DecodedContractError {
  /** The custom error's name, e.g. "WrongPayment"; "Panic", "Error" or "UnknownError" otherwise. */
  name: string;
  /** One readable sentence. */
  message: string;
  /** The error's decoded arguments (empty when unknown). */
  args: readonly unknown[];
}

/**
 * Errors raised below the market while it runs: the fhevm host contracts (HCU limits, ACL, input proofs), and the FHE
 * library's own check of an input handle, which runs in the ReadingLog library now and so is not in the market's ABI.
 * They bubble up through the market unchanged.
 */
export const fhevmErrorsAbi = [
  "error SenderNotAllowedToUseHandle(bytes32 handle, address sender)",
  "error HCUTransactionLimitExceeded()",
  "error HCUTransactionDepthLimitExceeded()",
  "error ACLNotAllowed(bytes32 handle, address account)",
  "error SenderNotAllowed(address sender)",
  "error InvalidInputHandle()",
  "error EmptyInputProof()",
  "error DeserializingInputProofFail()",
  "error SignaturesVerificationFailed()",
  "error InvalidChainId()",
  "error InvalidIndex()",
  "error InvalidSigner(address signer)",
  "error SignatureThresholdNotReached(uint256 numSignatures)",
] as const;

type AbiErrorName<Abi extends readonly unknown[]> = Extract<Abi[number], { type: "error" }> extends { name: infer N }
  ? N
  : never;

/** Every custom error the market's ABI declares, and the fhevm ones above. */
export type ContractErrorName =
  | AbiErrorName<typeof iotDataMarketAbi>
  | "SenderNotAllowedToUseHandle"
  | "HCUTransactionLimitExceeded"
  | "HCUTransactionDepthLimitExceeded"
  | "ACLNotAllowed"
  | "SenderNotAllowed"
  | "InvalidInputHandle"
  | "EmptyInputProof"
  | "DeserializingInputProofFail"
  | "SignaturesVerificationFailed"
  | "InvalidChainId"
  | "InvalidIndex"
  | "InvalidSigner"
  | "SignatureThresholdNotReached";

const errorInterface = new Interface([...iotDataMarketAbi.filter((item) => item.type === "error"), ...fhevmErrorsAbi]);

const kindName = (kind: unknown) => RecipeKind[Number(kind)] ?? `kind ${kind}`;
const cmpName = (cmp: unknown) => Comparator[Number(cmp)] ?? `comparator ${cmp}`;
/** Largest time a JavaScript Date holds, in seconds: a contract's uint64 timestamp can be far beyond it. */
const MAX_DATE_SECONDS = 8_640_000_000_000n;
const when = (timestamp: unknown) => {
  const seconds = BigInt(timestamp as bigint);
  return seconds <= MAX_DATE_SECONDS ? new Date(Number(seconds) * 1000).toISOString() : `unix time ${seconds}, beyond any date`;
};
const epsilon = (milli: unknown) => `ε ${Number(milli) / 1000}`;
const wei = (amount: unknown) => `${formatEther(amount as bigint)} ETH (${amount} wei)`;
const short = (hex: unknown) => `${String(hex).slice(0, 10)}…`;

/**
 * One sentence per error. The record is keyed by every error name, so adding an error to the contract without a
 * sentence here fails type-checking (and the contract test suite).
 */
export const errorMessages: { [Name in ContractErrorName]: (args: Result) => string } = {
  // datasets
  DatasetNotFound: ([id]) => `Dataset ${id} does not exist.`,
  NotDatasetSeller: ([id, caller]) => `Only the seller of dataset ${id} can do this; ${caller} is not its seller.`,
  InvalidDatasetName: () => "A dataset needs a name.",
  InvalidScale: ([scale]) => `A scale of ${scale} decimals is not supported; use at most 18.`,
  InvalidAccessPeriod: () => "The access period must be at least one second.",
  InvalidBucketSize: () => "The bucket size k must be at least 1.",
  BucketSizeIncompatible: ([smallest, requested]) =>
    `The bucket size can only change to a multiple or a divisor of ${smallest}, the smallest it has ever been; ${requested} is neither, and windows aligned to both could be differenced below k.`,
  UnknownPrivacyMode: ([mode]) => `Privacy mode ${mode} does not exist: 0 is exact, 1 is private.`,
  ExactPrivacyFieldSet: () => "An exact dataset has no range, budget or ε bounds: leave them at zero.",
  InvalidPrivacyRange: ([lower, upper, max]) =>
    `A private range needs a lower bound below its upper bound, at most ${max}; [${lower}, ${upper}] is not one.`,
  InvalidPrivacyBudget: ([budget, min, max, limit]) =>
    `A private dataset needs 0 < smallest ε ≤ largest ε ≤ the budget (and ≤ ${epsilon(limit)}); got ${epsilon(min)} to ${epsilon(max)} with a budget of ${epsilon(budget)}.`,
  PrivacyRangeNarrowed: ([currentLower, currentUpper, lower, upper]) =>
    `A private range can only widen: readings so far were clamped into [${currentLower}, ${currentUpper}], which [${lower}, ${upper}] does not contain.`,
  DatasetIsPaused: ([id]) => `Dataset ${id} is paused by its seller.`,
  DatasetNotPaused: ([id]) => `Dataset ${id} is not paused.`,
  InvalidDevice: () => "The zero address cannot be registered as a device.",
  DeviceAlreadyRegistered: ([id, device]) => `${device} is already a device of dataset ${id}.`,
  DeviceNotRegistered: ([id, device]) => `${device} is not a device of dataset ${id}.`,
  UnknownRecipeKinds: ([mask]) => `Recipe kind mask ${mask} is empty or names kinds that do not exist (bits 0-9 only).`,
  // ingestion
  NotAuthorizedAppender: ([id, caller]) =>
    `${caller} may not append readings to dataset ${id}: only its registered devices and its seller can.`,
  InvalidBatchSize: ([size, max]) => `A batch holds 1 to ${max} readings; this one has ${size}.`,
  BatchLengthMismatch: ([handles, timestamps]) => `${handles} readings came with ${timestamps} timestamps.`,
  TimestampOutOfOrder: ([previous, given]) =>
    `Timestamps cannot go backwards: ${given} (${when(given)}) is before the previous reading's ${previous} (${when(previous)}).`,
  TimestampInFuture: ([given, now]) =>
    `Reading timestamp ${given} (${when(given)}) is later than the block's ${now} (${when(now)}); readings cannot come from the future.`,
  MissingInputProof: () => "Readings must come with an input proof made for this market and the appender.",
  InputProofMismatch: ([index]) =>
    `Reading ${index} of the batch is not its input proof's encrypted value ${index}: send exactly the proof's values, in order.`,
  InputProofReused: ([proofHash]) => `This input proof (${short(proofHash)}) was already appended; encrypt the readings again.`,
  // access and money
  ZeroPeriods: () => "Buy at least one access period.",
  WrongPayment: ([expected, sent]) =>
    `Send exactly the price: ${wei(expected)} expected, ${wei(sent)} sent (over- and underpayments are rejected).`,
  NothingToWithdraw: ([account]) => `${account} has no earnings to withdraw.`,
  WithdrawalFailed: ([account, amount]) => `Sending ${wei(amount)} to ${account} failed; withdraw to another address.`,
  InvalidAmount: ([amount]) => `An amount of ${amount} wei is not allowed here (zero, or beyond 128 bits).`,
  InsufficientBalance: ([buyer, balance, needed]) =>
    `${buyer}'s balance in the market, ${wei(balance)}, is short of the ${wei(needed)} needed; deposit more.`,
  PaymentBelowRunPrice: ([maxPayment, runPrice]) =>
    `The most the buyer agreed to pay, ${wei(maxPayment)}, is below the dataset's price per run of ${wei(runPrice)}.`,
  NotRunBuyer: ([id, caller]) => `Only the buyer of run ${id} may do this; ${caller} is not.`,
  RunClosed: ([id]) => `Run ${id} is already settled or cancelled.`,
  RunNotOverdue: ([id, deadline]) => `Run ${id} can be cancelled only after its deadline, ${when(deadline)}.`,
  InvalidRecipient: () => "Earnings cannot be sent to the zero address.",
  NoAccess: ([id, buyer]) => `${buyer} has no access to dataset ${id}; purchase an access period first.`,
  AccessExpired: ([id, buyer, expiredAt]) =>
    `${buyer}'s access to dataset ${id} expired at ${when(expiredAt)}; purchase another period.`,
  // programs
  InvalidProgramLength: ([length, max]) => `A program has 1 to ${max} operations; this one has ${length}.`,
  UnknownRecipeKind: ([opIndex, kind]) => `Operation ${opIndex} has recipe kind ${kind}, which does not exist.`,
  UnknownComparator: ([opIndex, cmp]) => `Operation ${opIndex} has comparator ${cmp}, which does not exist.`,
  UnusedOpFieldSet: ([opIndex]) => `Operation ${opIndex} sets a field its kind does not use; unused fields must be zero or empty.`,
  InvalidBetweenRange: ([opIndex, a, b]) => `Operation ${opIndex} is BETWEEN ${a} and ${b}, but the lower bound exceeds the upper one.`,
  InvalidHistogramBounds: ([opIndex]) => `Operation ${opIndex} is a histogram whose bounds are not 1 to 8 strictly increasing values.`,
  ProgramExceedsHcuLimit: ([hcu]) =>
    `Even one reading of this program needs ${hcu} HCU in its last step, over the 20,000,000 HCU per transaction; split it into smaller programs.`,
  RecipeKindNotApproved: ([id, kind]) => `The seller has not approved ${kindName(kind)} recipes on dataset ${id}.`,
  ProgramHashMismatch: ([signed, actual]) =>
    `The signature covers program ${short(signed)} but the program sent is ${short(actual)}.`,
  RecipeKindNotPrivate: ([opIndex, kind]) =>
    `Operation ${opIndex} is ${kindName(kind)}, which a private dataset does not offer: it would reveal single readings.`,
  EpsilonOutOfBounds: ([opIndex, value, min, max]) =>
    `Operation ${opIndex} spends ${epsilon(value)}; this dataset allows ${epsilon(min)} to ${epsilon(max)} per statistic.`,
  EpsilonNotExpected: ([opIndex]) =>
    `Operation ${opIndex} sets an ε, but its dataset is exact (or its kind is COUNT, which is not noised): leave it at 0.`,
  NoiseTooWide: ([opIndex, bits]) =>
    `Operation ${opIndex}'s noise would need ${bits} random bits per draw, over 62: choose a larger ε.`,
  PrivacyBudgetExceeded: ([id, buyer, spent, requested, budget]) =>
    `This run would spend ${epsilon(requested)} on readings of dataset ${id} that already spent ${epsilon(spent)} for ${buyer}, over the seller's budget of ${epsilon(budget)} per reading.`,
  // windows
  WindowNotAligned: ([from, to, k]) =>
    `Window [${from}, ${to}) must start and end on multiples of the dataset's bucket size ${k}.`,
  WindowTooShort: ([from, to, k]) => `Window [${from}, ${to}) is shorter than one bucket of ${k} readings.`,
  WindowBeyondReadings: ([to, count]) => `Window end ${to} is beyond the ${count} readings appended so far.`,
  WindowTooLong: ([length, max]) => `A window of ${length} readings is longer than the ${max} a run can count.`,
  WindowBeforePrivateFrom: ([from, privateFrom]) =>
    `Private runs read readings from ${privateFrom} on (appended since the dataset became private), not from ${from}.`,
  WindowBeyondLedger: ([to]) => `Window end ${to} is beyond the 2^40 readings the privacy ledger accounts.`,
  // consent
  SignatureExpired: ([deadline]) => `The signed request expired at ${when(deadline)}; sign a new one.`,
  NonceAlreadyUsed: ([buyer, nonce]) => `Nonce ${nonce} of ${buyer} was already used or cancelled; sign a new request.`,
  InvalidSignature: ([buyer]) => `The signature is not ${buyer}'s signature of this request.`,
  AuthorizationExpired: ([expiry]) => `The standing authorization expired at ${when(expiry)}.`,
  AuthorizationRevoked: () => "The buyer revoked this standing authorization.",
  AuthorizationExhausted: ([maxRuns]) => `The standing authorization already ran its ${maxRuns} runs.`,
  ScheduleTooEarly: ([next]) => `The next scheduled run may start at ${when(next)}, not before.`,
  ScheduleNotConsecutive: ([expected, from]) =>
    `A scheduled window must start at ${expected} (where the authorization or the previous window says, aligned to k), not at ${from}.`,
  NotAuthorizationBuyer: ([buyer, caller]) => `Only ${buyer} can revoke this authorization; ${caller} cannot.`,
  // runs
  RunNotFound: ([runId]) => `Run ${runId} does not exist.`,
  RunAlreadyFinished: ([runId]) => `Run ${runId} has already finished.`,
  RunNotFinished: ([runId]) => `Run ${runId} has not finished yet; its results do not exist.`,
  NotRunParticipant: ([runId, caller]) => `Only run ${runId}'s buyer or an operator can step it; ${caller} is neither.`,
  StepOutOfWindow: ([n, remaining]) => `A step consumes 1 to ${remaining} readings (what is left of the window), not ${n}.`,
  StepTooLarge: ([n, max]) =>
    `A step of ${n} readings exceeds this program's largest step of ${max} under the fhevm HCU limit.`,
  NoiseNotDue: ([runId]) => `Run ${runId} has no noise to add now (exact dataset, window not stepped to its end, or noise all added).`,
  NoiseOutOfRange: ([count, remaining, max]) =>
    `Add 1 to ${remaining} noise draws, at most ${max} in one transaction; ${count} is outside.`,
  InvalidRollups: ([rollups]) =>
    `Rollups ${rollups} are not a valid choice: none, or the sum with any of sum of squares, minimum and maximum.`,
  RollupStepNotAligned: ([n, blockSize]) =>
    `A step of a rolled-up run covers whole rollup blocks of ${blockSize} readings; ${n} is not a multiple.`,
  RollupStepTooLarge: ([n, hcu, limit]) =>
    `A rolled-up step of ${n} readings combines nodes costing ${hcu} HCU, more than the ${limit} one transaction allows; use a shorter step.`,
  // OpenZeppelin and fhevm library errors the market can raise
  AccessControlUnauthorizedAccount: ([account, role]) => `${account} lacks role ${short(role)} (operator only).`,
  AccessControlBadConfirmation: () => "A role can only be renounced by its holder.",
  ReentrancyGuardReentrantCall: () => "Re-entrant call rejected.",
  InvalidShortString: () => "Invalid short string.",
  StringTooLong: () => "String too long.",
  SenderNotAllowedToUseHandle: ([handle, sender]) => `${sender} may not use encrypted value ${short(handle)}.`,
  ZamaProtocolUnsupported: () => "The Zama fhevm protocol is not available on this chain.",
  // fhevm host contracts
  HCUTransactionLimitExceeded: () =>
    "The transaction exceeds the fhevm limit of 20,000,000 HCU; use a smaller step (see maxStepSize).",
  HCUTransactionDepthLimitExceeded: () =>
    "The transaction exceeds the fhevm limit of 5,000,000 HCU of sequential depth.",
  ACLNotAllowed: ([handle, account]) => `${account} is not allowed to use encrypted value ${short(handle)}.`,
  SenderNotAllowed: ([sender]) => `${sender} is not allowed to use this encrypted value.`,
  InvalidInputHandle: () => "An encrypted input does not match its input proof.",
  EmptyInputProof: () => "The encrypted input came without its input proof.",
  DeserializingInputProofFail: () => "The input proof is malformed.",
  SignaturesVerificationFailed: () => "The input proof's signatures do not verify.",
  InvalidChainId: () => "The encrypted input was made for another chain.",
  InvalidIndex: () => "An encrypted input's index is outside its input proof.",
  InvalidSigner: ([signer]) => `The input proof was signed by ${signer}, not a coprocessor signer.`,
  SignatureThresholdNotReached: ([count]) => `The input proof has only ${count} valid signatures.`,
};

const PANIC_REASONS: Record<number, string> = {
  0x01: "an assertion failed",
  0x11: "an arithmetic operation overflowed",
  0x12: "a division by zero",
  0x21: "an invalid enum value",
  0x32: "an out-of-bounds array access",
  0x41: "out of memory",
};

/**
 * Turns a failed call or transaction (an ethers error, a JSON-RPC error, or raw revert data) into a name and one
 * readable sentence. Never throws.
 */
export function decodeContractError(err: unknown): DecodedContractError {
  const data = findRevertData(err);
  if (data !== undefined && data.length >= 10) {
    try {
      const parsed = errorInterface.parseError(data);
      if (parsed) {
        const name = parsed.name;
        const sentence = (errorMessages as Record<string, (args: Result) => string>)[name];
        if (name === "Error") return { name, message: String(parsed.args[0]), args: [...parsed.args] };
        if (name === "Panic") {
          const code = Number(parsed.args[0]);
          return { name, message: `The contract panicked: ${PANIC_REASONS[code] ?? `code ${code}`}.`, args: [...parsed.args] };
        }
        return { name, message: safeSentence(name, sentence, parsed.args), args: [...parsed.args] };
      }
    } catch {
      // fall through: unknown selector
    }
    return { name: "UnknownError", message: `The contract reverted with unknown data ${short(data)}.`, args: [] };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { name: "UnknownError", message: firstLine(message), args: [] };
}

/** The error fragments the decoder knows, for tools that list them (README's error table). */
export function knownErrorFragments(): ErrorFragment[] {
  const fragments: ErrorFragment[] = [];
  errorInterface.forEachError((fragment) => fragments.push(fragment));
  return fragments;
}

function findRevertData(err: unknown, depth = 0): string | undefined {
  if (depth > 6 || err === null || err === undefined) return undefined;
  if (typeof err === "string") return /^0x[0-9a-fA-F]*$/.test(err) ? err : undefined;
  if (typeof err !== "object") return undefined;
  const record = err as Record<string, unknown>;
  if (typeof record.data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(record.data)) return record.data;
  for (const key of ["data", "error", "info", "cause", "revert", "payload"]) {
    if (key in record && typeof record[key] === "object") {
      const found = findRevertData(record[key], depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** A sentence whose formatting fails still names the error and its arguments. */
function safeSentence(name: string, sentence: ((args: Result) => string) | undefined, args: Result): string {
  try {
    if (sentence) return sentence(args);
  } catch {
    // fall through
  }
  return `${name}(${args.join(", ")})`;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.slice(0, 500);
}

export { cmpName as comparatorName, kindName as recipeKindName };
