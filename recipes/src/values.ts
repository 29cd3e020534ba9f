/**
 * The value encoding of the interface: a reading `v` is stored as the euint64
 * `encoded = round(v × 10^scale) − offset`, where `scale` (decimals) and `offset` (int64, in
 * scaled units) are public dataset metadata. Recipe constants go through the same conversion,
 * exactly: a constant finer than the scale or outside the representable range is an error, never
 * silently rounded (rounding `> 30.125` to `> 30.13` would change which readings count).
 */
import { formatFixed, pow10, toScaledInteger, trimFraction, type Decimal } from "./decimal";

/** Largest value of a euint64. */
export const UINT64_MAX = (1n << 64n) - 1n;

/** Fixed-point metadata of a dataset. */
export interface ValueEncoding {
  /** Decimals of the fixed-point representation (uint8). */
  readonly scale: number;
  /** Offset in scaled units (int64): `encoded = scaled − offset`. */
  readonly offset: bigint;
}

/** Why a constant cannot be encoded. */
export type EncodeFailure = "too-precise" | "below-range" | "above-range";

/** The encoded euint64 of a constant, or why there is none. */
export type EncodeResult = { readonly ok: true; readonly encoded: bigint } | { readonly ok: false; readonly reason: EncodeFailure };

/** Encodes a constant the way the contract stores readings. */
export function encodeValue(value: Decimal, encoding: ValueEncoding): EncodeResult {
  const scaled = toScaledInteger(value, encoding.scale);
  if (scaled === undefined) return { ok: false, reason: "too-precise" };
  const encoded = scaled - encoding.offset;
  if (encoded < 0n) return { ok: false, reason: "below-range" };
  if (encoded > UINT64_MAX) return { ok: false, reason: "above-range" };
  return { ok: true, encoded };
}

/** The scaled integer (`value × 10^scale`) of an encoded value: `encoded + offset`. */
export function decodeScaled(encoded: bigint, encoding: ValueEncoding): bigint {
  return encoded + encoding.offset;
}

/** The lowest value a dataset can hold (encoded 0), as text in its unit. */
export function lowestValue(encoding: ValueEncoding): string {
  return trimFraction(formatFixed(encoding.offset, encoding.scale));
}

/** The highest value a dataset can hold (encoded 2^64 − 1), as text in its unit. */
export function highestValue(encoding: ValueEncoding): string {
  return trimFraction(formatFixed(UINT64_MAX + encoding.offset, encoding.scale));
}

/** The smallest step between two values of the dataset (`10^-scale`), as text. */
export function resolution(encoding: ValueEncoding): string {
  return formatFixed(1n, encoding.scale);
}

/** Normalises an offset given as a JavaScript number or bigint (it must be an integer). */
export function toOffset(offset: bigint | number): bigint {
  if (typeof offset === "bigint") return offset;
  if (!Number.isSafeInteger(offset)) throw new RangeError(`offset must be an integer, got ${offset}`);
  return BigInt(offset);
}

/** Checks a scale: an integer 0..18 (beyond 18 decimals a euint64 holds less than one unit of 1). */
export function isValidScale(scale: number): boolean {
  return Number.isInteger(scale) && scale >= 0 && scale <= 18;
}

/** `10^scale` as a bigint. */
export function scaleFactor(encoding: ValueEncoding): bigint {
  return pow10(encoding.scale);
}
