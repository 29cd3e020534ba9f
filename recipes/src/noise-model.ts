/**
 * The exact model of the contracts' differential-privacy noise: the integer arithmetic that turns
 * (ε, sensitivity Δ, parts) into the public thresholds the Solidity sampler compares encrypted random
 * words with, the draw itself (`replayNoise`), and the noise's exact law. Everything is bigint and
 * must stay bit-for-bit equal to the contract; the tests beside it check the law exactly.
 *
 * ## The mechanism
 *
 * A geometric variable g with P(g) ∝ αᵍ (g ≥ 0, 0 < α < 1) has independent binary digits: since
 * αᵍ = ∏ⱼ (α^(2ʲ))^(bitⱼ(g)), the law factorises over the bits, and bit j is 1 with probability
 * pⱼ = α^(2ʲ) / (1 + α^(2ʲ)). Keeping the m lowest bits gives g on [0, 2ᵐ) with P(g) ∝ αᵍ exactly
 * (a truncated geometric). So the contract draws m fresh uniform 64-bit words wⱼ and one sign bit s,
 * sets bitⱼ = (wⱼ < Tⱼ) with the public threshold Tⱼ ≈ pⱼ·2⁶⁴ (one encrypted scalar comparison
 * per bit), and releases result + z with
 *
 *     z = s ? g : −g − 1        (on euint64: select(s, g, NOT g), added mod 2⁶⁴, read as int64)
 *
 * P(z = k) = ½·P(g = k) for k ≥ 0 and ½·P(g = −k − 1) for k < 0, i.e. P(z = k) ∝ α^(|k + ½| − ½):
 * a two-sided geometric (discrete Laplace) centred on −½, with no doubled zero. Its mean is exactly
 * −½ (one half of an encoded unit, whatever ε), its variance 2α/(1 − α)² + ¼ before truncation.
 * Since |k + ½| − ½ is 1-Lipschitz in k, shifting the output by d changes P by at most α^(−|d|):
 * with α = e^(−λ) and λ = ε / (Δ·parts), each of the `parts` draws is (ε/parts)-DP for a statistic
 * of sensitivity Δ, and the `parts` draws of one result compose to ε.
 *
 * ## Integer arithmetic (all floors unless said; Q = 2¹²⁸)
 *
 * 1. λ_Q = ⌊ε_milli·(2¹²⁸ − 2¹¹²) / (1000·Δ·parts)⌋: λ in Q128, with a 2⁻¹⁶ relative slack (a little
 *    less ε, a little more noise) that absorbs the rounding below.
 * 2. x = ⌊λ_Q / 256⌋; e^(−x) by 12 Taylor terms (term₀ = Q, termₖ = ⌊termₖ₋₁·x / (k·Q)⌋, alternating
 *    sum), then squared 8 times (⌊a²/Q⌋): α_Q ≈ e^(−λ)·Q, within 2⁻¹⁰⁰ relative for λ ≤ 4 and 2⁻⁹⁸ up
 *    to λ = 5 (the cut series errs by about (λ/256)¹³/13!, ×256 through the squarings; there α is a
 *    little high: a hair more noise).
 * 3. K = ⌈LN2_48 / λ_Q⌉ with LN2_48 = ⌈48·ln 2·Q⌉, so α^K ≤ 2⁻⁴⁸; m = bitLength(Δ + K − 1), so
 *    2ᵐ ≥ Δ + K: cutting g at 2ᵐ loses a tail that only outputs beyond Δ + K (mass ≲ α^K) reach.
 *    The contract refuses m > 62 ("noise too wide"): an int64 must hold ±2ᵐ with room for the value.
 * 4. αⱼ = ⌊αⱼ₋₁²/Q⌋ (α₀ = α_Q), Tⱼ = ⌊(αⱼ ≪ 64) / (Q + αⱼ)⌋, j = 0 … m − 1.
 *
 * The truncation and the rounding are accounted as δ. A shift by d ≤ Δ pushes at most the outputs
 * within d of an end of [−2ᵐ, 2ᵐ) off the support: their mass is about ½·α^(2ᵐ − Δ) ≤ ½·α^K ≤ 2⁻⁴⁹.
 * An error in α acts as a slightly different λ on every bit at once, far inside the 2⁻¹⁶ slack; the
 * floor of Tⱼ lightens the tail only where pⱼ is tiny, so only on outputs about as rare as pⱼ. The tests compute
 * the hockey-stick divergence Σₖ max(0, P(k) − e^ε·P(k ± d)) exactly (e^ε from below) on a grid of
 * Δ ∈ {1, 2, 3, 10, 100} × ε ∈ {0.1, 0.5, 1, 2, 5} and find it ≤ 2⁻⁴⁷ (at worst 2⁻⁵¹·⁵, ε = 5, Δ = 1).
 *
 * Distributions are exact: numerators over the common denominator 2^(64m + 1) (the m bits' 64-bit
 * words and the sign); moments are exact `Ratio`s; nothing is sampled.
 */

/** Q128 fixed point: 1.0. */
const Q = 1n << 128n;
/** 2⁶⁴: the range of one random word. */
const WORD = 1n << 64n;

/** The contract refuses a sampler wider than this many bits ("noise too wide"). */
export const MAX_NOISE_BITS = 62;

/** ⌈48·ln 2·2¹²⁸⌉: K = ⌈LN2_48 / λ_Q⌉ makes α^K ≤ 2⁻⁴⁸. */
export const LN2_48 = 11321556634824638118621318852679415251165n;

/** `noiseDistribution` enumerates 2^(m+1) outputs; it refuses wider samplers than this. */
export const MAX_ENUMERABLE_NOISE_BITS = 20;

/** ε is given in thousandths: 1 … 5000 (ε from 0.001 to 5). */
export const MAX_EPSILON_MILLI = 5000;

/** An exact non-negative or negative rational number. The denominator is positive. */
export interface Ratio {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** What one noise sampler is built from. */
export interface NoiseOptions {
  /** ε in thousandths, an integer 1 … 5000; the `parts` draws of one result share it. */
  readonly epsilonMilli: number;
  /** The most one reading can change the statistic, in encoded units (≥ 1). */
  readonly sensitivity: bigint;
  /** How many noise draws share the ε (VARIANCE uses 2); an integer ≥ 1. */
  readonly parts: number;
}

/** The public parameters of one sampler, as the contract computes them. */
export interface NoiseParameters {
  /** λ = ε/(Δ·parts) in Q128, rounded down with a 2⁻¹⁶ relative slack. */
  readonly lambdaQ: bigint;
  /** α ≈ e^(−λ) in Q128. */
  readonly alphaQ: bigint;
  /** The tail length: ⌈LN2_48 / λ_Q⌉, so α^K ≤ 2⁻⁴⁸. */
  readonly K: bigint;
  /** m: how many random words (bits of g) one draw uses. */
  readonly bitCount: number;
  /** Tⱼ: bit j of g is 1 when the random word wⱼ < Tⱼ (P = Tⱼ/2⁶⁴). Strictly decreasing. */
  readonly thresholds: readonly bigint[];
}

/** The exact law of z: `numerators[i]` / `denominator` is P(z = low + i). */
export interface NoiseDistribution {
  /** The smallest output, −2ᵐ. */
  readonly low: bigint;
  /** 2^(64m + 1). */
  readonly denominator: bigint;
  /** One per output from −2ᵐ to 2ᵐ − 1; they sum to `denominator` exactly. */
  readonly numerators: readonly bigint[];
}

/** The sampler would need more than MAX_NOISE_BITS bits: the contract reverts with "noise too wide". */
export class NoiseTooWideError extends RangeError {
  constructor(readonly bitCount: number) {
    super(`noise too wide: the sampler needs ${bitCount} bits, the contract allows at most ${MAX_NOISE_BITS} (raise ε or narrow the value range)`);
    this.name = "NoiseTooWideError";
  }
}

function checkOptions({ epsilonMilli, sensitivity, parts }: NoiseOptions): void {
  if (!Number.isInteger(epsilonMilli) || epsilonMilli < 1 || epsilonMilli > MAX_EPSILON_MILLI) {
    throw new RangeError(`epsilonMilli must be an integer from 1 to ${MAX_EPSILON_MILLI}, got ${epsilonMilli}`);
  }
  if (typeof sensitivity !== "bigint" || sensitivity < 1n) throw new RangeError(`sensitivity must be a bigint ≥ 1, got ${String(sensitivity)}`);
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`parts must be an integer ≥ 1, got ${parts}`);
}

/** The number of binary digits of n ≥ 1 (bitLength(1) = 1, bitLength(4) = 3). */
export function bitLength(n: bigint): number {
  if (n < 1n) throw new RangeError(`bitLength needs n ≥ 1, got ${n}`);
  return n.toString(2).length;
}

/** Step 1: λ = ε/(Δ·parts) in Q128, ⌊ε_milli·(2¹²⁸ − 2¹¹²) / (1000·Δ·parts)⌋. */
export function noiseLambdaQ128(options: NoiseOptions): bigint {
  checkOptions(options);
  const { epsilonMilli, sensitivity, parts } = options;
  return (BigInt(epsilonMilli) * (Q - (1n << 112n))) / (1000n * sensitivity * BigInt(parts));
}

/** Steps 2–4: α ≈ e^(−λ) in Q128 from λ_Q: 12 Taylor terms of e^(−λ/256), squared 8 times. */
export function noiseAlphaQ128(lambdaQ: bigint): bigint {
  if (lambdaQ < 0n) throw new RangeError(`lambdaQ must be ≥ 0, got ${lambdaQ}`);
  const x = lambdaQ / 256n;
  let term = Q;
  let s = Q;
  for (let k = 1n; k <= 12n; k++) {
    term = (term * x) / (k * Q);
    s = k % 2n === 1n ? s - term : s + term;
  }
  let alpha = s;
  for (let i = 0; i < 8; i++) alpha = (alpha * alpha) / Q;
  return alpha;
}

/** Step 5: K = ⌈LN2_48 / λ_Q⌉, the tail length after which α^K ≤ 2⁻⁴⁸. */
export function noiseTailLength(lambdaQ: bigint): bigint {
  if (lambdaQ < 1n) throw new RangeError(`lambdaQ must be ≥ 1, got ${lambdaQ}`);
  return (LN2_48 + lambdaQ - 1n) / lambdaQ;
}

/** Step 6: m = bitLength(Δ + K − 1), the bits of g (the contract refuses m > MAX_NOISE_BITS). */
export function noiseBitCount(sensitivity: bigint, K: bigint): number {
  if (sensitivity < 1n || K < 1n) throw new RangeError(`sensitivity and K must be ≥ 1, got ${sensitivity} and ${K}`);
  return bitLength(sensitivity + K - 1n);
}

/** Steps 7–8: Tⱼ = ⌊(αⱼ ≪ 64) / (Q + αⱼ)⌋ with α₀ = α_Q, αⱼ = ⌊αⱼ₋₁²/Q⌋, for j = 0 … bitCount − 1. */
export function noiseThresholds(alphaQ: bigint, bitCount: number): bigint[] {
  if (alphaQ < 0n || alphaQ >= Q) throw new RangeError(`alphaQ must be in [0, 2^128), got ${alphaQ}`);
  if (!Number.isInteger(bitCount) || bitCount < 1) throw new RangeError(`bitCount must be an integer ≥ 1, got ${bitCount}`);
  const thresholds: bigint[] = [];
  let alpha = alphaQ;
  for (let j = 0; j < bitCount; j++) {
    if (j > 0) alpha = (alpha * alpha) / Q;
    thresholds.push((alpha << 64n) / (Q + alpha));
  }
  return thresholds;
}

/**
 * The sampler's public parameters for ε (thousandths), Δ and parts, as the contract computes them.
 * Throws NoiseTooWideError where the contract reverts "noise too wide" (m > MAX_NOISE_BITS).
 */
export function noiseParameters(options: NoiseOptions): NoiseParameters {
  const lambdaQ = noiseLambdaQ128(options);
  // λ_Q = 0 only for a Δ far beyond any 62-bit sampler: the contract's bound on m refuses it first.
  if (lambdaQ === 0n) throw new NoiseTooWideError(Infinity);
  const K = noiseTailLength(lambdaQ);
  const bitCount = noiseBitCount(options.sensitivity, K);
  if (bitCount > MAX_NOISE_BITS) throw new NoiseTooWideError(bitCount);
  const alphaQ = noiseAlphaQ128(lambdaQ);
  return { lambdaQ, alphaQ, K, bitCount, thresholds: noiseThresholds(alphaQ, bitCount) };
}

/**
 * One draw, exactly as the contract makes it from the same random words: bitⱼ = (wordsⱼ < Tⱼ),
 * g = Σ bitⱼ·2ʲ, z = sign ? g : −g − 1. `words` are the m uniform 64-bit words (one per threshold),
 * `sign` the sign bit.
 */
export function replayNoise(thresholds: readonly bigint[], words: readonly bigint[], sign: boolean): bigint {
  if (words.length !== thresholds.length) throw new RangeError(`a draw takes one word per threshold: ${thresholds.length} thresholds, ${words.length} words`);
  let g = 0n;
  words.forEach((word, j) => {
    if (word < 0n || word >= WORD) throw new RangeError(`word ${j} is not a 64-bit unsigned integer: ${word}`);
    if (word < thresholds[j]) g |= 1n << BigInt(j);
  });
  return sign ? g : -g - 1n;
}

/** z as the euint64 the contract adds to the result (z mod 2⁶⁴; NOT g for a negative z). */
export function noiseAsUint64(z: bigint): bigint {
  return BigInt.asUintN(64, z);
}

/**
 * The exact law of z: numerators over 2^(64m + 1) for every output from −2ᵐ to 2ᵐ − 1 (P(g) is the
 * product over the bits of Tⱼ or 2⁶⁴ − Tⱼ, over 2^(64m); the sign halves it). Enumerates 2^(m + 1)
 * outputs, so it refuses m > MAX_ENUMERABLE_NOISE_BITS; the moments and the interval below do not
 * enumerate.
 */
export function noiseDistribution(thresholds: readonly bigint[]): NoiseDistribution {
  const m = thresholds.length;
  if (m < 1 || m > MAX_ENUMERABLE_NOISE_BITS) throw new RangeError(`noiseDistribution enumerates 2^(m+1) outputs: m must be 1 … ${MAX_ENUMERABLE_NOISE_BITS}, got ${m}`);
  let ofG: bigint[] = [1n];
  for (const t of thresholds) {
    const zero = ofG.map((p) => p * (WORD - t));
    const one = ofG.map((p) => p * t);
    ofG = zero.concat(one);
  }
  // z = −g − 1 for outputs −2ᵐ … −1 (g from 2ᵐ − 1 down to 0), then z = g for 0 … 2ᵐ − 1.
  const numerators = [...ofG].reverse().concat(ofG);
  return { low: -(1n << BigInt(m)), denominator: 1n << BigInt(64 * m + 1), numerators };
}

/** E[z] = −½ exactly: the two signs mirror g around −½, whatever the thresholds. */
export const NOISE_MEAN: Ratio = { numerator: -1n, denominator: 2n };

/** The first two moments of g (bits independent): E[g] and Var(g) over 2¹²⁸, without enumerating. */
function momentsOfG(thresholds: readonly bigint[]): { mean: bigint; variance: bigint } {
  // With pⱼ = Tⱼ/2⁶⁴: E[g] = Σ 2ʲpⱼ, Var(g) = Σ 4ʲpⱼ(1 − pⱼ); numerators over 2¹²⁸.
  let mean = 0n;
  let variance = 0n;
  thresholds.forEach((t, j) => {
    mean += (t << BigInt(j)) << 64n;
    variance += (t * (WORD - t)) << BigInt(2 * j);
  });
  return { mean, variance };
}

/** E[z²] exactly, in encoded units²: E[g²] + E[g] + ½ (over 2²⁵⁷), without enumerating. */
export function noiseMeanSquare(thresholds: readonly bigint[]): Ratio {
  const { mean, variance } = momentsOfG(thresholds);
  // Over 2²⁵⁶: E[g²] = Var(g) + E[g]², E[g]; ½ = 2²⁵⁵. Then over 2²⁵⁷ with the ½ doubled.
  const meanSquareG = (variance << 128n) + mean * mean;
  return reduce({ numerator: 2n * (meanSquareG + (mean << 128n)) + (1n << 256n), denominator: 1n << 257n });
}

/** Var(z) exactly, in encoded units²: E[z²] − ¼. */
export function noiseVariance(thresholds: readonly bigint[]): Ratio {
  const { numerator, denominator } = noiseMeanSquare(thresholds);
  return reduce({ numerator: 4n * numerator - denominator, denominator: 4n * denominator });
}

/** The standard deviation of z in encoded units (√Var(z), to double precision). */
export function noiseStandardDeviation(thresholds: readonly bigint[]): number {
  return Math.sqrt(ratioToNumber(noiseVariance(thresholds)));
}

/** P(g ≤ h) numerator over 2^(64m): the bits from the top, each below h's bit ends the comparison. */
function cdfOfG(thresholds: readonly bigint[], h: bigint): bigint {
  const m = thresholds.length;
  const total = 1n << BigInt(64 * m);
  if (h < 0n) return 0n;
  if (h >= 1n << BigInt(m)) return total;
  let below = 0n;
  let equalSoFar = 1n; // numerator over 2^(64·(bits seen))
  for (let j = m - 1; j >= 0; j--) {
    const rest = 1n << BigInt(64 * j); // the bits below j are free
    const t = thresholds[j];
    if ((h >> BigInt(j)) & 1n) {
      below += equalSoFar * (WORD - t) * rest;
      equalSoFar *= t;
    } else {
      equalSoFar *= WORD - t;
    }
  }
  return below + equalSoFar;
}

/** P(|z| ≤ w) exactly: ½·P(g ≤ w) + ½·P(g ≤ w − 1). */
export function noiseCoverage(thresholds: readonly bigint[], halfWidth: bigint): Ratio {
  const m = thresholds.length;
  if (halfWidth < 0n) return { numerator: 0n, denominator: 1n };
  return reduce({
    numerator: cdfOfG(thresholds, halfWidth) + cdfOfG(thresholds, halfWidth - 1n),
    denominator: 1n << BigInt(64 * m + 1),
  });
}

/**
 * The half-width of the central interval: the smallest w ≥ 0 with P(|z| ≤ w) ≥ confidence, i.e. the
 * true value lies within ±w (encoded units) of the released one with at least that probability.
 * Exact (a binary search on the exact law of g; no enumeration). Untruncated, it is the closed form
 * ⌈ln(2(1 − c)/(1 + α)) / ln α⌉, since P(|z| ≤ w) = 1 − αʷ(1 + α)/2.
 */
export function noiseInterval(thresholds: readonly bigint[], confidence: number): bigint {
  if (!(confidence > 0 && confidence <= 1)) throw new RangeError(`confidence must be in (0, 1], got ${confidence}`);
  const target = numberToRatio(confidence);
  const reaches = (w: bigint) => {
    const { numerator, denominator } = noiseCoverage(thresholds, w);
    return numerator * target.denominator >= target.numerator * denominator;
  };
  let low = 0n;
  let high = 1n << BigInt(thresholds.length); // P(|z| ≤ 2ᵐ) = 1
  while (low < high) {
    const mid = (low + high) / 2n;
    if (reaches(mid)) high = mid;
    else low = mid + 1n;
  }
  return low;
}

/**
 * P(|z + ½| ≤ w + ½) = P(g ≤ w) exactly (z = g or −g − 1, so z + ½ is symmetric around 0): the coverage
 * of the interval ±(w + ½) around the bias-corrected estimate r + z + ½.
 */
export function noiseCentredCoverage(thresholds: readonly bigint[], w: bigint): Ratio {
  return reduce({ numerator: cdfOfG(thresholds, w), denominator: 1n << BigInt(64 * thresholds.length) });
}

/**
 * The interval around the bias-corrected estimate (the released value plus ½, whose error z + ½ has
 * mean 0): the smallest integer w ≥ 0 with P(|z + ½| ≤ w + ½) ≥ confidence; the half-width is w + ½.
 * Exact (a binary search on the law of g). Never wider than {@link noiseInterval}'s w plus ½.
 */
export function noiseCentredInterval(thresholds: readonly bigint[], confidence: number): bigint {
  if (!(confidence > 0 && confidence <= 1)) throw new RangeError(`confidence must be in (0, 1], got ${confidence}`);
  const target = numberToRatio(confidence);
  const total = 1n << BigInt(64 * thresholds.length);
  let low = 0n;
  let high = (1n << BigInt(thresholds.length)) - 1n; // P(g ≤ 2ᵐ − 1) = 1
  while (low < high) {
    const mid = (low + high) / 2n;
    if (cdfOfG(thresholds, mid) * target.denominator >= target.numerator * total) high = mid;
    else low = mid + 1n;
  }
  return low;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b) [a, b] = [b, a % b];
  return a;
}

function reduce({ numerator, denominator }: Ratio): Ratio {
  const d = gcd(numerator, denominator) || 1n;
  return { numerator: numerator / d, denominator: denominator / d };
}

/** A ratio to the nearest-ish double (both sides scaled into range first, so huge terms do not overflow). */
export function ratioToNumber({ numerator, denominator }: Ratio): number {
  const shift = Math.max(0, Math.max(bitLength(abs(numerator) || 1n), bitLength(denominator)) - 1000);
  return Number(numerator >> BigInt(shift)) / Number(denominator >> BigInt(shift));
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

/** A finite double as the exact dyadic rational it is. */
function numberToRatio(x: number): Ratio {
  let scaled = x;
  let exponent = 0n;
  while (!Number.isInteger(scaled)) {
    scaled *= 2;
    exponent++;
  }
  return { numerator: BigInt(scaled), denominator: 1n << exponent };
}
