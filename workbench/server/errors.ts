/**
 * The workbench's one error registry.
 *
 * Every error the API sends has a code `ERR_<AREA>_<REASON>` listed here with its default HTTP status
 * and a message template. `{name}` placeholders in a template are filled from `params`; their names are
 * checked by the compiler. The same table is printed in workbench/README.md (a test keeps the two
 * equal; `npx tsx workbench/scripts/print-error-table.ts` prints the rows).
 *
 * Every 4xx/5xx response has the shape `{ error: { code, message, details? } }` (see `ErrorBody`).
 */
export const ERRORS = {
  // Request shape: produced by the error handler from Fastify's and zod's own errors.
  ERR_REQUEST_VALIDATION: { status: 400, message: "The request is not valid: {summary}" },
  ERR_REQUEST_UNKNOWN_FIELDS: { status: 400, message: "The request has fields this route does not accept: {fields}." },
  ERR_REQUEST_MALFORMED_JSON: { status: 400, message: "The request body is not valid JSON." },
  ERR_REQUEST_EMPTY_JSON_BODY: { status: 400, message: "The request says it carries JSON but its body is empty." },
  ERR_REQUEST_BAD_URL: { status: 400, message: "The request URL is malformed." },
  ERR_REQUEST_URL_TOO_LONG: { status: 414, message: "A part of the request's path is longer than {max} characters." },
  ERR_REQUEST_BODY_TOO_LARGE: { status: 413, message: "The request body is larger than the limit of {limit} bytes." },
  ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "Send the request body as application/json." },
  ERR_REQUEST_REJECTED: { status: 400, message: "The request was rejected: {reason}" },
  ERR_ROUTE_NOT_FOUND: { status: 404, message: "No route matches {method} {path}." },
  ERR_RATE_LIMITED: { status: 429, message: "Too many requests; try again in {retryAfter}." },

  // Sign-in with Ethereum and sessions.
  ERR_AUTH_REQUIRED: { status: 401, message: "Sign in to use this route." },
  ERR_AUTH_SESSION_EXPIRED: { status: 401, message: "Your session is unknown or has expired; sign in again." },
  ERR_AUTH_MESSAGE_INVALID: { status: 400, message: "The sign-in message is not a valid EIP-4361 message: {reason}" },
  ERR_AUTH_DOMAIN_MISMATCH: { status: 401, message: "The sign-in message is for {domain}, not for this workbench." },
  ERR_AUTH_URI_MISMATCH: { status: 401, message: "The sign-in message's URI {uri} is not one of this workbench's origins." },
  ERR_AUTH_CHAIN_MISMATCH: { status: 401, message: "The sign-in message is for chain {got}; this workbench uses chain {expected}." },
  ERR_AUTH_MESSAGE_EXPIRED: { status: 401, message: "The sign-in message has expired; sign in again." },
  ERR_AUTH_MESSAGE_NOT_YET_VALID: { status: 401, message: "The sign-in message is not valid yet (its notBefore is in the future)." },
  ERR_AUTH_NONCE_INVALID: { status: 401, message: "The sign-in nonce is unknown, expired or already used; request a new one." },
  ERR_AUTH_SIGNATURE_INVALID: { status: 401, message: "The signature does not match the address in the sign-in message." },

  // Notebooks and cells.
  ERR_NOTEBOOK_NOT_FOUND: { status: 404, message: "Notebook {notebookId} was not found." },
  ERR_NOTEBOOK_TOO_MANY_CELLS: { status: 422, message: "A notebook holds at most {max} cells." },
  ERR_NOTEBOOK_DOCUMENT_FORMAT: { status: 400, message: "This is not an iot-notebook document (its format field is not \"iot-notebook\")." },
  ERR_NOTEBOOK_DOCUMENT_VERSION: { status: 400, message: "Notebook documents of version {version} cannot be imported; this workbench reads version {supported}." },
  ERR_CELL_NOT_FOUND: { status: 404, message: "Cell {cellId} was not found in this notebook." },
  ERR_CELL_INDEX_OUT_OF_RANGE: { status: 400, message: "Cell index {index} is out of range; this notebook's indices go from 0 to {max}." },
  ERR_CELL_MARKDOWN_DATASET: { status: 400, message: "A markdown cell cannot have a dataset; only recipe cells run against one." },

  // Recipes (validated by the recipes/ package).
  ERR_RECIPE_INVALID: { status: 422, message: "The recipe has {count} error(s); see details.diagnostics." },
  ERR_RECIPE_SOURCE_TOO_LONG: { status: 413, message: "Anonymous checks take recipes of at most {max} characters; sign in to check a longer one." },

  // Templates.
  ERR_TEMPLATE_NOT_FOUND: { status: 404, message: "Template {templateId} was not found." },
  ERR_TEMPLATE_FORBIDDEN: { status: 403, message: "Only the template's author can change it." },
  ERR_TEMPLATE_VALUES_INVALID: { status: 400, message: "The parameter values are not valid: {reason}" },
  ERR_TEMPLATE_CELL_NOT_RECIPE: { status: 400, message: "Only a recipe cell can be published as a template." },

  // Datasets (indexed from the chain) and what a buyer needs to run recipes on one.
  ERR_DATASET_NOT_FOUND: { status: 404, message: "Dataset {datasetId} was not found." },
  ERR_DATASET_PAUSED: { status: 409, message: "Dataset {datasetId} is paused by its seller: no new run can start on it." },
  ERR_DATASET_NO_ACCESS: { status: 403, message: "{buyer} has no access to dataset {datasetId}; purchase an access period first." },
  ERR_DATASET_ACCESS_EXPIRED: { status: 403, message: "The access of {buyer} to dataset {datasetId} expired at {expiredAt}; purchase another period." },
  ERR_DATASET_KIND_NOT_APPROVED: { status: 403, message: "The seller has not approved {kinds} on dataset {datasetId}, so this recipe cannot run there." },

  // Runs: a buyer's signed run request, checked before it is enqueued.
  ERR_RUN_NOT_FOUND: { status: 404, message: "Run {runId} was not found." },
  ERR_RUN_FINISHED: { status: 409, message: "Run {runId} has already finished ({status}); there is nothing to cancel." },
  ERR_RUN_BUYER_MISMATCH: { status: 403, message: "The run request is signed for buyer {buyer}, but you are signed in as {user}." },
  ERR_RUN_REQUEST_MISMATCH: { status: 400, message: "The signed run request does not match the run: {reason}" },
  ERR_RUN_SIGNATURE_INVALID: { status: 400, message: "The signature is not {buyer}'s EIP-712 signature of this run request for market {market} on chain {chainId}." },
  ERR_RUN_REQUEST_EXPIRED: { status: 422, message: "The signed run request expired at {deadline}; plan and sign it again." },
  ERR_RUN_NONCE_USED: { status: 409, message: "Nonce {nonce} of {buyer} was already used or cancelled; sign a new request." },
  ERR_RUN_PROGRAM_MISMATCH: { status: 422, message: "The recipe compiles to program {actual}, but the signature covers program {signed}; plan and sign again." },
  ERR_RUN_WINDOW_INVALID: { status: 422, message: "The signed window cannot run: {reason}" },
  ERR_RUN_PLAN_FAILED: { status: 422, message: "The recipe cannot run on dataset {datasetId} yet: {reason}" },
  ERR_RUN_PAYMENT_BELOW_QUOTE: {
    status: 422,
    message: "The run request agrees to pay at most {signed}, below this run's quote of {quote} ({relayer} for the relayer's gas, {seller} for the seller); plan and sign it again.",
  },
  ERR_RUN_BALANCE_SHORT: { status: 402, message: "Your market balance is {balance}, short of the {locked} this run locks at its start: deposit {missing} (wallet menu) and run it again." },
  ERR_PRIVACY_BUDGET_EXCEEDED: {
    status: 422,
    message:
      "This run would spend ε {requested} on readings {fromIndex} to {lastIndex} of dataset {datasetId}, which already spent up to ε {spent} of your budget of ε {budget} per reading: the contract would refuse it. Choose a smaller ε, fewer statistics or other readings.",
  },
  ERR_SCHEDULE_PRIVACY_BUDGET_EXCEEDED: {
    status: 422,
    message: "Each report would spend ε {requested} on its readings, more than the budget of ε {budget} per reading of dataset {datasetId}: no report could run. Choose a smaller ε or fewer statistics.",
  },
  ERR_DATASET_NOT_PRIVATE: { status: 409, message: "Dataset {datasetId} is exact: its results carry no noise, so it keeps no privacy budget." },
  ERR_RUN_CELL_NOT_RECIPE: { status: 400, message: "Only a recipe cell can run; cell {cellId} is markdown." },

  // Schedules: recurring reports from a signed standing authorization.
  ERR_SCHEDULE_NOT_FOUND: { status: 404, message: "Schedule {scheduleId} was not found." },
  ERR_SCHEDULE_BUYER_MISMATCH: { status: 403, message: "The standing authorization is signed for buyer {buyer}, but you are signed in as {user}." },
  ERR_SCHEDULE_SIGNATURE_INVALID: { status: 400, message: "The signature is not {buyer}'s EIP-712 signature of this standing authorization for market {market} on chain {chainId}." },
  ERR_SCHEDULE_REQUEST_MISMATCH: { status: 400, message: "The standing authorization does not match the schedule: {reason}" },
  ERR_SCHEDULE_PROGRAM_MISMATCH: { status: 422, message: "The recipe compiles to program {actual}, but the standing authorization covers program {signed}; sign it again." },
  ERR_SCHEDULE_NONCE_USED: { status: 409, message: "Nonce {nonce} of {buyer} was already used or cancelled; sign a new authorization." },
  ERR_SCHEDULE_AUTHORIZATION_EXPIRED: { status: 422, message: "The standing authorization expired at {expiry}; sign a new one." },
  ERR_SCHEDULE_REPEAT_INVALID: { status: 400, message: "The schedule's repeat is not valid: {reason}" },
  ERR_SCHEDULE_WINDOW_INVALID: { status: 422, message: "The standing authorization's first window cannot start where it is signed: {reason}" },
  ERR_SCHEDULE_PAYMENT_BELOW_QUOTE: {
    status: 422,
    message: "The standing authorization agrees to pay at most {signed} per report, below a report's quote of {quote} ({relayer} for the relayer's gas, {seller} for the seller); sign it again.",
  },
  ERR_SCHEDULE_BALANCE_SHORT: { status: 402, message: "Your market balance is {balance}, short of the {locked} each report locks at its start: deposit {missing} (wallet menu) and schedule it again." },
  ERR_SCHEDULE_STATE_CONFLICT: { status: 409, message: "Schedule {scheduleId} is {status}, so it cannot be {action}." },

  // The chain and the queue the service depends on.
  ERR_CHAIN_NOT_CONFIGURED: { status: 503, message: "The workbench does not know its market contract yet: set MARKET_ADDRESS, or start the local chain with the launcher (it writes the deployment file)." },
  ERR_CHAIN_UNAVAILABLE: { status: 503, message: "The chain node does not answer; try again in a moment." },
  ERR_QUEUE_UNAVAILABLE: { status: 503, message: "The run queue does not answer, so nothing was submitted; try again in a moment." },

  // Service.
  ERR_SERVICE_NOT_READY: { status: 503, message: "The service is not ready: {failing}." },
  ERR_SERVICE_SHUTTING_DOWN: { status: 503, message: "The service is shutting down; retry on another instance or in a moment." },
  ERR_SERVICE_INTERNAL: { status: 500, message: "Something went wrong on our side; it has been logged as request {requestId}." },
} as const satisfies Record<`ERR_${string}`, ErrorDefinition>;

/** One entry of the registry: the default HTTP status and a message template with `{name}` placeholders. */
export interface ErrorDefinition {
  readonly status: number;
  readonly message: string;
}

/** Every error code the API can send. */
export type ErrorCode = keyof typeof ERRORS;

/** The `{name}` placeholders of a message template, as a union of their names. */
type Placeholders<T extends string> = T extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

/** The params a code's message template needs (`never` when it has no placeholders). */
export type ErrorParams<C extends ErrorCode> = Placeholders<(typeof ERRORS)[C]["message"]>;

interface ErrorExtras {
  /** Machine-readable context sent to the client as `error.details`. Never put internals here. */
  details?: unknown;
  /** The underlying error, for the logs only. */
  cause?: unknown;
  /** Overrides the registry's default status (rarely needed). */
  status?: number;
}

/** The options of `createError` for a code: `params` is required exactly when the template has placeholders. */
export type ErrorOptions<C extends ErrorCode> = [ErrorParams<C>] extends [never]
  ? [options?: ErrorExtras]
  : [options: ErrorExtras & { params: Record<ErrorParams<C>, string | number | bigint> }];

/** An error with a registry code; the error handler sends it as `{ error: { code, message, details } }`. */
export class AppError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = "AppError";
  readonly code: C;
  readonly statusCode: number;
  readonly details: unknown;

  constructor(code: C, message: string, extras: ErrorExtras = {}) {
    super(message, extras.cause === undefined ? undefined : { cause: extras.cause });
    this.code = code;
    this.statusCode = extras.status ?? ERRORS[code].status;
    this.details = extras.details;
  }
}

/** Creates the registry error `code`, filling its message template from `params`. */
export function createError<C extends ErrorCode>(code: C, ...[options]: ErrorOptions<C>): AppError<C> {
  const extras = (options ?? {}) as ErrorExtras & { params?: Record<string, string | number | bigint> };
  return new AppError(code, formatMessage(ERRORS[code].message, extras.params ?? {}), extras);
}

/** Whether `value` is an `AppError` (optionally of one code). */
export function isAppError<C extends ErrorCode>(value: unknown, code?: C): value is AppError<C> {
  return value instanceof AppError && (code === undefined || value.code === code);
}

/** The body of every 4xx/5xx response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** The JSON body the API sends for `error`. */
export function toErrorBody(error: AppError): ErrorBody {
  return error.details === undefined
    ? { error: { code: error.code, message: error.message } }
    : { error: { code: error.code, message: error.message, details: error.details } };
}

const MAX_PARAM_LENGTH = 120;

function formatMessage(template: string, params: Record<string, string | number | bigint>): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = params[name];
    if (value === undefined) return placeholder;
    // Messages may quote client input (a path, a field name); keep them short and on one line.
    const text = String(value).replace(/[\u0000-\u001f\u007f]/g, " ");
    return text.length > MAX_PARAM_LENGTH ? `${text.slice(0, MAX_PARAM_LENGTH)}…` : text;
  });
}
