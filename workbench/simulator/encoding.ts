/**
 * The datasets' fixed-point encoding on the device side: `encoded = round(value × 10^scale) − offset`,
 * an unsigned 64-bit integer (euint64). A value the encoding cannot represent is clamped to the
 * nearest one that it can, as a sensor saturates, and flagged.
 */

/** The public encoding metadata of a dataset. */
export interface ReadingEncoding {
  /** Decimals. */
  scale: number;
  /** In scaled units. */
  offset: bigint;
}

/** An encoded reading. */
export interface EncodedReading {
  encoded: bigint;
  /** The value was outside what the encoding represents and was clamped. */
  clamped: boolean;
}

const UINT64_MAX = (1n << 64n) - 1n;

/**
 * Encodes `value` for a dataset with `encoding`. Rounds half away from zero at the dataset's
 * resolution, through the decimal text of the value so that 21.345 at scale 2 gives 2135 (binary
 * floating point would see 2134.4999…).
 */
export function encodeReading(options: { value: number } & ReadingEncoding): EncodedReading {
  const { value, scale, offset } = options;
  if (!Number.isFinite(value)) throw new RangeError(`cannot encode ${value}`);
  if (!Number.isInteger(scale) || scale < 0 || scale > 18) throw new RangeError(`scale must be 0..18, got ${scale}`);
  const scaled = scaleDecimal(value, scale) - offset;
  if (scaled < 0n) return { encoded: 0n, clamped: true };
  if (scaled > UINT64_MAX) return { encoded: UINT64_MAX, clamped: true };
  return { encoded: scaled, clamped: false };
}

/** The value an encoded reading stands for (the inverse of {@link encodeReading}). */
export function decodeReading(options: { encoded: bigint } & ReadingEncoding): number {
  return Number(options.encoded + options.offset) / 10 ** options.scale;
}

/** round(value × 10^scale) as a bigint, half away from zero, exact on the value's shortest decimal text. */
function scaleDecimal(value: number, scale: number): bigint {
  const magnitude = Math.abs(value);
  // Beyond 1e21 JavaScript prints exponents; no euint64 reading is that large anyway.
  if (magnitude >= 1e21) return value < 0 ? -(UINT64_MAX + 1n) : UINT64_MAX + 1n;
  // String() is the shortest text that reads back as the same number; tiny values print as 1e-7.
  const text = magnitude < 1e-6 ? magnitude.toFixed(20) : String(magnitude);
  const [whole, fraction = ""] = text.split(".");
  let scaled = BigInt(whole + fraction.slice(0, scale).padEnd(scale, "0"));
  if ((fraction[scale] ?? "0") >= "5") scaled += 1n;
  return value < 0 ? -scaled : scaled;
}
