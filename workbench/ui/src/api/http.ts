/**
 * The one HTTP client of the UI: JSON in, JSON out, the session cookie sent along (same origin),
 * and every failure turned into an {@link ApiError} carrying the service's `{ error: { code,
 * message, details? } }` so that views can show the message where the user acted.
 */
import type { z } from "zod";
import type { pageOf } from "../../../server/shared/schemas";

/** The body of every 4xx/5xx the workbench service sends. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** A failed API call, with the service's code and readable message. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    /** `ERR_…` from the service, or one of the client's own: ERR_NETWORK, ERR_UNEXPECTED_RESPONSE, ERR_ABORTED. */
    readonly code: string,
    message: string,
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    /** Machine-readable context (`details` of the error body), e.g. recipe diagnostics. */
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** Whether the route does not exist on this service (yet): a 404 ERR_ROUTE_NOT_FOUND. */
  get isMissingRoute(): boolean {
    return this.status === 404 && this.code === "ERR_ROUTE_NOT_FOUND";
  }
}

/** Whether `value` has the service's error shape. */
export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { message?: unknown }).message === "string"
  );
}

/** The ApiError of a response that was not ok, from its body when it has the error shape. */
export function errorFromResponse(status: number, body: unknown): ApiError {
  if (isErrorBody(body)) return new ApiError(body.error.code, body.error.message, status, body.error.details);
  const text = status >= 500 ? "The workbench service failed to answer" : "The workbench service refused the request";
  return new ApiError("ERR_UNEXPECTED_RESPONSE", `${text} (HTTP ${status}).`, status);
}

/** Options of {@link request}. */
export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  /** A JSON body. */
  body?: unknown;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
  /** The fetch to use (tests); the global one by default. */
  fetch?: typeof fetch;
}

/** Builds `/api…` URLs with a query string. */
export function apiUrl(path: string, query: RequestOptions["query"] = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== "") params.set(key, String(value));
  const search = params.toString();
  return `/api${path}${search ? `?${search}` : ""}`;
}

/**
 * Calls the workbench API. Resolves with the parsed JSON body (undefined for 204), rejects with an
 * {@link ApiError} whose message is fit to show.
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const method = options.method ?? (options.body === undefined ? "GET" : "POST");
  let response: Response;
  try {
    response = await doFetch(apiUrl(path, options.query), {
      method,
      credentials: "same-origin",
      headers: {
        accept: "application/json",
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw new ApiError("ERR_ABORTED", "The request was cancelled.", 0);
    throw new ApiError("ERR_NETWORK", "Cannot reach the workbench service; check your connection and try again.", 0);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = undefined;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      if (response.ok) throw new ApiError("ERR_UNEXPECTED_RESPONSE", "The workbench service sent an answer that is not JSON.", response.status);
    }
  }
  if (!response.ok) throw errorFromResponse(response.status, body);
  return body as T;
}

/** The page envelope of list routes: the output of the service's `pageOf`, with items of type `T`. */
export type Page<T> = Omit<z.output<ReturnType<typeof pageOf>>, "items"> & { items: T[] };

/** A readable sentence for any error a view caught (ApiError, a wallet's rejection, a bug). */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (typeof error === "object" && error !== null) {
    const record = error as { code?: unknown; shortMessage?: unknown; message?: unknown; info?: { error?: { message?: unknown } } };
    // EIP-1193 user rejection (4001) and ethers' ACTION_REJECTED.
    if (record.code === 4001 || record.code === "ACTION_REJECTED") return "You declined the request in your wallet.";
    if (typeof record.shortMessage === "string") return record.shortMessage;
    if (typeof record.info?.error?.message === "string") return record.info.error.message;
    if (typeof record.message === "string" && record.message.length > 0) return record.message.split("\n")[0]!;
  }
  return String(error);
}
