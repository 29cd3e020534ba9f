/**
 * Exact decimal arithmetic for recipe constants and results. Values never pass through a float
 * on their way to or from the contract: a decimal is an integer number of units at some number
 * of decimals, held in a bigint.
 */

/** A decimal number `units / 10^decimals`, normalised: no trailing zero digits after the point. */
export interface Decimal {
  readonly units: bigint;
  readonly decimals: number;
}

/** Decimal literals the language accepts: digits with an optional fraction, optionally negative. */
export const DECIMAL_LITERAL = /^-?\d+(?:\.\d+)?$/;

/** Canonical text of a decimal: no leading zeros, no trailing fractional zeros, no "-0". */
export const CANONICAL_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

const TEN = 10n;

/** 10^n as a bigint. */
export function pow10(n: number): bigint {
  return TEN ** BigInt(n);
}

/** Parses a decimal literal (`-12.50`); undefined when the text is not one. */
export function parseDecimal(text: string): Decimal | undefined {
  if (!DECIMAL_LITERAL.test(text)) return undefined;
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  const [whole, fraction = ""] = body.split(".");
  const digits = fraction.replace(/0+$/, "");
  let units = BigInt(whole + digits);
  if (negative) units = -units;
  return { units, decimals: digits.length };
}

/** The canonical text of a decimal. */
export function decimalToString(d: Decimal): string {
  return formatFixed(d.units, d.decimals);
}

/** Canonical text of a decimal literal, e.g. `"030.50"` → `"30.5"`, `"-0.0"` → `"0"`. */
export function canonicalDecimal(text: string): string | undefined {
  const d = parseDecimal(text);
  return d && decimalToString(d);
}

/** Compares two decimals: negative, zero or positive like `a - b`. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  const decimals = Math.max(a.decimals, b.decimals);
  const x = a.units * pow10(decimals - a.decimals);
  const y = b.units * pow10(decimals - b.decimals);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The decimal as an integer at `scale` decimals (`30.5` at scale 2 → `3050n`), or undefined when
 * it has more decimals than the scale can hold (no rounding: that would change a predicate).
 */
export function toScaledInteger(d: Decimal, scale: number): bigint | undefined {
  if (d.decimals > scale) return undefined;
  return d.units * pow10(scale - d.decimals);
}

/** Formats `units / 10^decimals` with exactly `decimals` digits after the point (`-5n, 2` → `"-0.05"`). */
export function formatFixed(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  const text = decimals > 0 ? `${whole}.${fraction}` : whole;
  return negative ? `-${text}` : text;
}

/** Removes trailing fractional zeros from a fixed-point text (`"21.500"` → `"21.5"`, `"3.000"` → `"3"`). */
export function trimFraction(text: string): string {
  if (!text.includes(".")) return text;
  const trimmed = text.replace(/0+$/, "").replace(/\.$/, "");
  return trimmed === "-0" ? "0" : trimmed;
}

/**
 * `numerator / denominator` rounded half away from zero to `digits` decimals, as fixed-point
 * units (`formatFixed(result, digits)` prints it). The denominator must be positive.
 */
export function divideRounded(numerator: bigint, denominator: bigint, digits: number): bigint {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  const scaled = numerator * pow10(digits);
  const negative = scaled < 0n;
  const magnitude = negative ? -scaled : scaled;
  const quotient = (magnitude * 2n + denominator) / (denominator * 2n);
  return negative ? -quotient : quotient;
}

/** Whether `numerator / denominator` has at most `digits` decimals (so a fixed text is exact). */
export function dividesExactly(numerator: bigint, denominator: bigint, digits: number): boolean {
  return (numerator * pow10(digits)) % denominator === 0n;
}

/** Integer square root: the largest r with r² <= n. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError("square root of a negative number");
  if (n < 2n) return n;
  // Newton's iteration from a power of two above the root converges monotonically down.
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}
