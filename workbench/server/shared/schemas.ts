import { getAddress } from "ethers";
import { z } from "zod";
import { ERRORS, type ErrorCode } from "../errors";

/**
 * Zod building blocks shared by the routes' schemas. Request objects are strict (unknown fields are
 * rejected), and every stored string is checked for characters that are never legitimate: control
 * characters (other than tab and newlines in multi-line text), unpaired UTF-16 surrogates (PostgreSQL
 * cannot store them faithfully) and the bidirectional overrides that make code read differently from
 * how it runs ("Trojan Source").
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F]/;
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function safeText(base: z.ZodString, control: RegExp, what: string) {
  return base
    .refine((text) => !control.test(text), `must not contain control characters${what}`)
    .refine((text) => !LONE_SURROGATE.test(text), "must be well-formed Unicode (no unpaired surrogates)")
    .refine((text) => !BIDI_CONTROL.test(text), "must not contain bidirectional override characters");
}

/** A one-line, trimmed, non-empty text of at most `max` characters (titles, names). */
export const singleLineText = (max: number) =>
  safeText(z.string().trim().min(1, "must not be empty").max(max), CONTROL_SINGLE_LINE, "");

/** A multi-line text of at most `max` characters (descriptions, cell sources); may be empty. */
export const multiLineText = (max: number) =>
  safeText(z.string().max(max), CONTROL_MULTI_LINE, " other than tab and line breaks");

/** An Ethereum address in any case, in a request; parsed to its EIP-55 checksum form. */
export const Address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address")
  .transform((text) => getAddress(text.toLowerCase()))
  .meta({ description: "Ethereum address (EIP-55 checksum on output)", example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });

/** An address in a response (response schemas must not transform: they are encoded, not parsed). */
export const AddressOutput = z
  .string()
  .meta({ description: "Ethereum address (EIP-55 checksum)", example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });

/** An id the workbench generated (a UUID). */
export const Id = z.uuid({ error: "must be a UUID" });

/** An on-chain dataset id: a uint256 in decimal. */
export const DatasetId = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,77})$/, "must be a dataset id (a non-negative decimal integer)")
  // Zod runs every check even after the pattern failed: only convert what is digits.
  .refine((text) => !/^\d+$/.test(text) || BigInt(text) < 2n ** 256n, "must fit in uint256")
  .meta({ description: "Dataset id (uint256, decimal)", example: "1" });

/** An ISO-8601 timestamp the server produced. */
export const Timestamp = z.iso.datetime();

/**
 * An id in a response: documented as a UUID, not re-checked against the pattern on the way out
 * (the service made it). Response schemas validate every response; format checks on every id and
 * time of a 20-cell notebook cost three times the JSON encoding itself.
 */
export const IdOutput = z.string().meta({ format: "uuid" });

/** A timestamp in a response: documented as date-time, not re-checked (see `IdOutput`). */
export const TimestampOutput = z.string().meta({ format: "date-time" });

/** Pagination of list routes. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: "Items per page (1–100)" }),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0).meta({ description: "Items to skip" }),
};

/** The page envelope of list responses. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

/** The body of every 4xx/5xx response. */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: "ErrorResponse", description: "The shape of every error response" });

/** Response schemas for the error statuses a route documents. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, ErrorResponse])) as Record<number, typeof ErrorResponse>;
}

/** The statuses every route can answer with besides its own (bad input, rate limit, internal). */
export const COMMON_ERRORS = [400, 413, 415, 429, 500] as const;

/** No body, or an empty JSON object (routes that take no input still reject unknown fields). */
export const EmptyBody = z.strictObject({}).nullish();

/** A recipe parameter's name, as `param name = …` declares it. */
export const ParamName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "must be a parameter name (letters, digits, _)");

/** Values for a recipe's parameters: numbers, or decimals as text (`"30.5"`, exact). */
export const ParamValues = z
  .record(
    ParamName,
    z.union([z.number().finite(), z.string().regex(/^-?\d{1,30}(\.\d{1,30})?$/, "must be a decimal number such as 30.5")]),
  )
  .refine((values) => Object.keys(values).length <= 64, "at most 64 parameter values")
  .meta({ description: "Parameter values by name: numbers, or decimals as strings", example: { hot: "30.5" } });

/** A 32-byte hex value (digests, program hashes, handles, transaction hashes). */
export const Bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x and 64 hex digits");

/** A uint as a decimal string, at most `bits` wide (uint64 indices, uint256 nonces). */
export const UintString = (bits: 32 | 64 | 256) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,77})$/, `must be a uint${bits} as a decimal string`)
    .refine((text) => !/^\d+$/.test(text) || BigInt(text) < 2n ** BigInt(bits), `must fit in uint${bits}`);

/** An ECDSA signature (65 bytes, hex); ERC-1271 wallets may sign longer ones. */
export const SignatureHex = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2}){65,2048}$/, "must be a 0x-prefixed hex signature of at least 65 bytes")
  .meta({ example: `0x${"ab".repeat(65)}` });
