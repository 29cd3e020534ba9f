import { describe, expect, it } from "vitest";
import {
  LN2_48,
  MAX_NOISE_BITS,
  NOISE_MEAN,
  NoiseTooWideError,
  bitLength,
  noiseAsUint64,
  noiseCoverage,
  noiseDistribution,
  noiseInterval,
  noiseMeanSquare,
  noiseParameters,
  noiseStandardDeviation,
  noiseVariance,
  ratioToNumber,
  replayNoise,
  type NoiseDistribution,
  type NoiseParameters,
  type Ratio,
} from "./noise-model";

const Q = 1n << 128n;
const WORD_MAX = (1n << 64n) - 1n;

/** The (Δ, ε) grid of the exact checks: every sampler here has m ≤ 16 bits, so its law is enumerable. */
const SENSITIVITIES = [1n, 2n, 3n, 10n, 100n];
const EPSILONS_MILLI = [100, 500, 1000, 2000, 5000];

const parametersOf = (epsilonMilli: number, sensitivity: bigint, parts = 1) => noiseParameters({ epsilonMilli, sensitivity, parts });

/**
 * Lower and upper bounds of e^(n/d) (0 ≤ n/d ≤ 5) as integers over 2^bits: the Taylor partial sum
 * with every term rounded down is below e^x; adding twice the next term (the tail is a geometric
 * series of ratio ≤ ½ once k > 2x) and the rounding losses (< 1 per term) is above it.
 */
function expBounds(n: bigint, d: bigint, bits: bigint): { lower: bigint; upper: bigint } {
  const one = 1n << bits;
  let term = one;
  let sum = one;
  let k = 1n;
  // x ≤ 5 here: 200 terms leave a tail far below any bound checked.
  for (; k <= 200n; k++) {
    term = (term * n) / (d * k);
    sum += term;
  }
  const next = (term * n) / (d * k) + 1n;
  return { lower: sum, upper: sum + 2n * next + k };
}

/** ln 2 over 2^bits from below and above: Σ 1/(k·2ᵏ), each term rounded down, tail ≤ 2^-N. */
function ln2Bounds(bits: bigint): { lower: bigint; upper: bigint } {
  const one = 1n << bits;
  const N = bits + 8n;
  let sum = 0n;
  for (let k = 1n; k <= N; k++) sum += one / (k << k);
  return { lower: sum, upper: sum + (one >> N) + 1n + N };
}

/** δ = Σₖ max(0, P(k) − e^ε·P(k + shift)) over (denominator · eDen), with e^ε given as eNum/eDen. */
function hockeyStick(law: NoiseDistribution, shift: number, eNum: bigint, eDen: bigint): Ratio {
  const p = law.numerators;
  let excess = 0n;
  for (let i = 0; i < p.length; i++) {
    const j = i + shift;
    const shifted = j >= 0 && j < p.length ? p[j] : 0n;
    const d = p[i] * eDen - eNum * shifted;
    if (d > 0n) excess += d;
  }
  return { numerator: excess, denominator: law.denominator * eDen };
}

const atMost = (r: Ratio, log2Bound: number) => r.numerator << BigInt(-log2Bound) <= r.denominator;

/** Bounds of e^(ε·scale) over 2^80 for ε in thousandths. */
const E_BITS = 80n;
const expOfEpsilon = (epsilonMilli: number, scaleNum = 1n, scaleDen = 1n) => expBounds(BigInt(epsilonMilli) * scaleNum, 1000n * scaleDen, E_BITS);

/** Σ k·P(k) and Σ k²·P(k) from the enumerated law, over its denominator. */
function momentsOfLaw(law: NoiseDistribution): { first: bigint; second: bigint; total: bigint } {
  let first = 0n;
  let second = 0n;
  let total = 0n;
  law.numerators.forEach((p, i) => {
    const k = law.low + BigInt(i);
    first += k * p;
    second += k * k * p;
    total += p;
  });
  return { first, second, total };
}

/** A deterministic 64-bit generator (splitmix64) for the replay checks. */
function splitmix64(seed: bigint): () => bigint {
  let state = seed;
  return () => {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
}

describe("the sampler's parameters", () => {
  it("LN2_48 is 48·ln 2 in Q128, rounded up", () => {
    const { lower, upper } = ln2Bounds(400n);
    // 48·ln2·2^128 lies strictly between LN2_48 − 1 and LN2_48.
    expect((LN2_48 - 1n) << 272n).toBeLessThan(48n * lower);
    expect(48n * upper).toBeLessThan(LN2_48 << 272n);
  });

  it("λ_Q is ε/(Δ·parts) in Q128 rounded down with a 2^-16 relative slack", () => {
    expect(parametersOf(1000, 1n).lambdaQ).toBe(Q - (1n << 112n));
    expect(parametersOf(2000, 10_000n).lambdaQ).toBe((2000n * (Q - (1n << 112n))) / 10_000_000n);
    expect(parametersOf(1000, 3n, 2).lambdaQ).toBe((Q - (1n << 112n)) / 6n);
  });

  it("α is e^(−λ) within 2^-100 relative for λ ≤ 4, within 2^-98 up to λ = 5 (12 Taylor terms of e^(−λ/256))", () => {
    const lambdas = [1, 7, 100, 999, 1000, 2500, 4000, 4001, 4500, 5000].flatMap((epsilonMilli) =>
      [1n, 2n, 3n, 10n, 100n, 10_000n, 1n << 40n].flatMap((sensitivity) => [1, 2].map((parts) => ({ epsilonMilli, sensitivity, parts }))),
    );
    for (const options of lambdas) {
      const { lambdaQ, alphaQ } = noiseParameters(options);
      // Independently: e^λ in Q256 by its all-positive series (no argument reduction), then 1/e^λ in Q384.
      const { lower, upper } = expBounds(lambdaQ, Q, 256n);
      const below = (1n << 640n) / upper;
      const above = (1n << 640n) / lower + 1n;
      const alpha384 = alphaQ << 256n;
      // The truncated alternating series errs by about (λ/256)^13/13!, times 256 through the squarings.
      const slack = below >> (lambdaQ <= 4n * Q ? 100n : 98n);
      expect(alpha384 >= below - slack && alpha384 <= above + slack, JSON.stringify(options, (_, v) => (typeof v === "bigint" ? `${v}` : v))).toBe(true);
    }
  });

  it("K makes α^K ≤ 2^-48, and K − 1 would not", () => {
    for (const epsilonMilli of [1, 100, 1000, 5000]) {
      for (const sensitivity of [1n, 100n, 10_000n]) {
        const { alphaQ, K } = parametersOf(epsilonMilli, sensitivity);
        // α^e in Q128 by squaring, every product rounded up (an upper bound) or down (a lower bound).
        const power = (exponent: bigint, up: bigint) => {
          let result = Q;
          let base = alphaQ;
          for (let e = exponent; e > 0n; e >>= 1n) {
            if (e & 1n) result = (result * base + up) / Q;
            base = (base * base + up) / Q;
          }
          return result;
        };
        expect(power(K, Q - 1n)).toBeLessThanOrEqual(Q >> 48n);
        expect(power(K - 1n, 0n)).toBeGreaterThan(Q >> 48n);
      }
    }
  });

  it("m = bitLength(Δ + K − 1), so the sampler covers Δ + K outputs on each side", () => {
    expect([bitLength(1n), bitLength(2n), bitLength(3n), bitLength(4n), bitLength(1n << 61n)]).toEqual([1, 2, 2, 3, 62]);
    for (const sensitivity of SENSITIVITIES) {
      for (const epsilonMilli of EPSILONS_MILLI) {
        const { K, bitCount, thresholds } = parametersOf(epsilonMilli, sensitivity);
        expect(bitCount).toBe((sensitivity + K - 1n).toString(2).length);
        expect(1n << BigInt(bitCount)).toBeGreaterThanOrEqual(sensitivity + K);
        expect(thresholds).toHaveLength(bitCount);
      }
    }
    // ε = 1, Δ = 1: λ ≈ 1, K = ⌈33.27…⌉ = 34, m = bitLength(34) = 6.
    expect(parametersOf(1000, 1n)).toMatchObject({ K: 34n, bitCount: 6 });
  });

  it("thresholds are strictly decreasing, positive, below 2^63 and equal ⌊2^64·α^(2^j)/(1 + α^(2^j))⌋", () => {
    for (const sensitivity of [...SENSITIVITIES, 10_000n, 1n << 40n]) {
      for (const epsilonMilli of [1, ...EPSILONS_MILLI]) {
        for (const parts of [1, 2]) {
          const { alphaQ, thresholds } = parametersOf(epsilonMilli, sensitivity, parts);
          expect(thresholds[0]).toBeLessThan(1n << 63n);
          expect(thresholds.at(-1)!).toBeGreaterThan(0n);
          for (let j = 1; j < thresholds.length; j++) expect(thresholds[j]).toBeLessThan(thresholds[j - 1]);
          expect(thresholds[0]).toBe((alphaQ << 64n) / (Q + alphaQ));
        }
      }
    }
  });

  it("gives the contract's exact numbers for ε = 1, Δ = 1 (a vector for the Solidity sampler)", () => {
    expect(parametersOf(1000, 1n)).toEqual({
      lambdaQ: 340277174624079928635746076935438991360n,
      alphaQ: 125184797137210526343981385922244518781n, // e^-1 · 2^128, λ 2^-16 short of 1
      K: 34n,
      bitCount: 6,
      // ⌊2^64·e^(−2ʲ)/(1 + e^(−2ʲ))⌋ to the last bit (e^-1/(1 + e^-1) ≈ 0.2689, e^-32 ≈ 1.27·10^-14)
      thresholds: [4961148912366426178n, 2198964902201247315n, 331806899051054126n, 6186872965970463n, 2076414208852n, 233726n],
    });
  });

  it("refuses what the contract refuses: ε outside 0.001 … 5, Δ < 1, parts < 1, more than 62 bits", () => {
    expect(() => parametersOf(0, 1n)).toThrow(/epsilonMilli/);
    expect(() => parametersOf(5001, 1n)).toThrow(/epsilonMilli/);
    expect(() => parametersOf(1.5, 1n)).toThrow(/epsilonMilli/);
    expect(() => parametersOf(1000, 0n)).toThrow(/sensitivity/);
    expect(() => parametersOf(1000, 1n, 0)).toThrow(/parts/);
    expect(() => parametersOf(1, 1n << 50n)).toThrow(NoiseTooWideError);
    expect(() => parametersOf(1, 1n << 50n)).toThrow(/noise too wide/);
    expect(parametersOf(5000, 1n << 58n).bitCount).toBeLessThanOrEqual(MAX_NOISE_BITS);
    expect(() => parametersOf(5000, 1n << 61n)).toThrow(NoiseTooWideError);
  });
});

describe("the exact law of the noise", () => {
  const grid: { epsilonMilli: number; sensitivity: bigint; parameters: NoiseParameters; law: NoiseDistribution }[] = [];
  for (const sensitivity of SENSITIVITIES) {
    for (const epsilonMilli of EPSILONS_MILLI) {
      const parameters = parametersOf(epsilonMilli, sensitivity);
      grid.push({ epsilonMilli, sensitivity, parameters, law: noiseDistribution(parameters.thresholds) });
    }
  }

  it("sums to exactly 1: the numerators add up to 2^(64m+1)", () => {
    for (const { parameters, law } of grid) {
      expect(law.denominator).toBe(1n << BigInt(64 * parameters.bitCount + 1));
      expect(law.low).toBe(-(1n << BigInt(parameters.bitCount)));
      expect(law.numerators).toHaveLength(2 ** (parameters.bitCount + 1));
      expect(law.numerators.reduce((a, b) => a + b, 0n)).toBe(law.denominator);
    }
  });

  it("is ε-DP for sensitivity Δ up to δ ≤ 2^-47, for every shift 1 … Δ both ways (exact, e^ε from below)", () => {
    for (const { epsilonMilli, sensitivity, law } of grid) {
      const { lower } = expOfEpsilon(epsilonMilli);
      const shifts = sensitivity <= 10n ? Array.from({ length: Number(sensitivity) }, (_, i) => i + 1) : [Number(sensitivity)];
      for (const shift of shifts) {
        for (const direction of [shift, -shift]) {
          const delta = hockeyStick(law, direction, lower, 1n << E_BITS);
          expect(atMost(delta, -47), `ε=${epsilonMilli}‰ Δ=${sensitivity} shift=${direction}: δ ≈ 2^${Math.log2(ratioToNumber(delta)).toFixed(1)}`).toBe(true);
        }
      }
    }
  });

  it("gives each of `parts` draws ε/parts: VARIANCE's two draws are ε/2-DP each", () => {
    for (const sensitivity of [1n, 10n]) {
      for (const epsilonMilli of [100, 1000, 5000]) {
        const law = noiseDistribution(parametersOf(epsilonMilli, sensitivity, 2).thresholds);
        const { lower } = expOfEpsilon(epsilonMilli, 1n, 2n);
        for (const direction of [Number(sensitivity), -Number(sensitivity)]) expect(atMost(hockeyStick(law, direction, lower, 1n << E_BITS), -47)).toBe(true);
      }
    }
  });

  it("fails the check when ε is understated by 10 %: δ against e^(0.9ε) is far above 2^-47", () => {
    for (const { epsilonMilli, sensitivity, law } of grid.filter((g) => g.sensitivity === 1n || g.sensitivity === 10n)) {
      const { upper } = expOfEpsilon(epsilonMilli, 9n, 10n);
      const delta = hockeyStick(law, Number(sensitivity), upper, 1n << E_BITS);
      expect(atMost(delta, -47)).toBe(false);
      expect(atMost(delta, -10), `ε=${epsilonMilli}‰ Δ=${sensitivity}`).toBe(false); // δ > 2^-10
    }
  });

  it("has mean exactly −½ and the exact E[z²] and Var(z) of noiseMeanSquare / noiseVariance", () => {
    for (const { parameters, law } of grid) {
      const { first, second, total } = momentsOfLaw(law);
      expect(first * NOISE_MEAN.denominator).toBe(NOISE_MEAN.numerator * total);
      const meanSquare = noiseMeanSquare(parameters.thresholds);
      expect(second * meanSquare.denominator).toBe(meanSquare.numerator * total);
      const variance = noiseVariance(parameters.thresholds);
      // Var = E[z²] − ¼: 4·second − total over 4·total.
      expect((4n * second - total) * variance.denominator).toBe(variance.numerator * 4n * total);
    }
  });

  it("has the variance of the two-sided geometric: 2α/(1 − α)² + ¼, truncated at 2^m within 2^-52 relative, untruncated within 2^-36", () => {
    for (const sensitivity of [...SENSITIVITIES, 10_000n, 1n << 40n]) {
      for (const epsilonMilli of [1, ...EPSILONS_MILLI]) {
        const { alphaQ, bitCount, thresholds } = parametersOf(epsilonMilli, sensitivity);
        // In Q256: r = α, N = 2^m; Σ_{g<N} gᵏ rᵍ = full sum − r^N·(shifted full sums).
        const B = 256n;
        const one = 1n << B;
        const r = alphaQ << 128n;
        const mul = (a: bigint, b: bigint) => (a * b) >> B;
        const div = (a: bigint, b: bigint) => (a << B) / b;
        let rN = r;
        for (let j = 0; j < bitCount; j++) rN = mul(rN, rN);
        const N = 1n << BigInt(bitCount);
        const C = div(one, one - r); // Σ rᵍ
        const S = div(r, mul(one - r, one - r)); // Σ g rᵍ
        const A = div(mul(r, one + r), mul(mul(one - r, one - r), one - r)); // Σ g² rᵍ
        const s0 = C - mul(rN, C);
        const s1 = S - mul(rN, S + N * C);
        const s2 = A - mul(rN, A + 2n * N * S + N * N * C);
        // Var(z) = E[(g + ½)²] = (s2 + s1 + s0/4) / s0.
        const truncated = div(s2 + s1 + s0 / 4n, s0);
        const untruncated = div(2n * r, mul(one - r, one - r)) + one / 4n;
        const exact = noiseVariance(thresholds);
        const exactQ = (exact.numerator << B) / exact.denominator;
        const label = `ε=${epsilonMilli}‰ Δ=${sensitivity}`;
        expect(abs(exactQ - truncated) <= truncated >> 52n, label).toBe(true);
        expect(abs(exactQ - untruncated) <= untruncated >> 36n, label).toBe(true);
      }
    }
  });

  it("noiseStandardDeviation is √Var in encoded units: about √2/λ for small λ", () => {
    const sigma = noiseStandardDeviation(parametersOf(2000, 10_000n).thresholds);
    const alpha = Math.exp(-0.0002 * (1 - 2 ** -16)); // λ keeps its 2^-16 slack
    expect(sigma).toBeCloseTo(Math.sqrt((2 * alpha) / (1 - alpha) ** 2 + 0.25), 6);
    expect(sigma).toBeGreaterThan(7070);
    expect(sigma).toBeLessThan(7072);
    const small = parametersOf(100, 1n).thresholds;
    expect(noiseStandardDeviation(small)).toBeCloseTo(Math.sqrt(ratioToNumber(noiseVariance(small))), 12);
  });
});

describe("replaying a draw from the contract's random words", () => {
  it("all-zero words set every bit: g = 2^m − 1; all-max words set none: g = 0", () => {
    const { thresholds, bitCount } = parametersOf(1000, 10n);
    const zeros = thresholds.map(() => 0n);
    const maxes = thresholds.map(() => WORD_MAX);
    const top = (1n << BigInt(bitCount)) - 1n;
    expect(replayNoise(thresholds, zeros, true)).toBe(top);
    expect(replayNoise(thresholds, zeros, false)).toBe(-top - 1n);
    expect(replayNoise(thresholds, maxes, true)).toBe(0n);
    expect(replayNoise(thresholds, maxes, false)).toBe(-1n);
  });

  it("bit j is 1 exactly for the Tⱼ words 0 … Tⱼ − 1, which is the probability the law uses", () => {
    const { thresholds, bitCount } = parametersOf(500, 3n);
    for (let g = 0n; g < 1n << BigInt(bitCount); g++) {
      const inside = thresholds.map((t, j) => ((g >> BigInt(j)) & 1n ? t - 1n : WORD_MAX));
      const edge = thresholds.map((t, j) => ((g >> BigInt(j)) & 1n ? 0n : t));
      expect(replayNoise(thresholds, inside, true)).toBe(g);
      expect(replayNoise(thresholds, edge, true)).toBe(g);
      expect(replayNoise(thresholds, edge, false)).toBe(-g - 1n);
    }
  });

  it("adds as the contract's euint64 select(s, g, NOT g), read back as int64", () => {
    const { thresholds } = parametersOf(1000, 10n);
    const next = splitmix64(7n);
    for (let i = 0; i < 200; i++) {
      const words = thresholds.map(() => next());
      const sign = (next() & 1n) === 1n;
      const z = replayNoise(thresholds, words, sign);
      const g = replayNoise(thresholds, words, true);
      expect(noiseAsUint64(z)).toBe(sign ? g : WORD_MAX ^ g);
      const value = 1_000_000n;
      expect(BigInt.asIntN(64, BigInt.asUintN(64, value + noiseAsUint64(z)))).toBe(value + z);
    }
  });

  it("replayed seeded words follow the exact law (ε = 1, Δ = 1: 20,000 draws, each frequency within 5σ)", () => {
    const { thresholds } = parametersOf(1000, 1n);
    const law = noiseDistribution(thresholds);
    const next = splitmix64(2026n);
    const draws = 20_000;
    const counts = new Map<bigint, number>();
    for (let i = 0; i < draws; i++) {
      const z = replayNoise(thresholds, thresholds.map(() => next()), (next() & 1n) === 1n);
      counts.set(z, (counts.get(z) ?? 0) + 1);
    }
    for (let k = -4n; k <= 3n; k++) {
      const p = ratioToNumber({ numerator: law.numerators[Number(k - law.low)], denominator: law.denominator });
      const sd = Math.sqrt(draws * p * (1 - p));
      expect(Math.abs((counts.get(k) ?? 0) - draws * p), `z=${k}`).toBeLessThan(5 * sd);
    }
  });

  it("refuses a wrong number of words and words outside 64 bits", () => {
    const { thresholds } = parametersOf(1000, 1n);
    expect(() => replayNoise(thresholds, [0n], true)).toThrow(/one word per threshold/);
    expect(() => replayNoise(thresholds, thresholds.map(() => 1n << 64n), true)).toThrow(/64-bit/);
  });
});

describe("the 95 % interval", () => {
  it("is the smallest w with P(|z| ≤ w) ≥ 95 %, exactly", () => {
    for (const [epsilonMilli, sensitivity] of [[100, 1n], [1000, 10n], [2000, 10_000n], [5000, 1n], [1, 1000n]] as const) {
      const { thresholds } = parametersOf(epsilonMilli, sensitivity);
      const w = noiseInterval(thresholds, 0.95);
      const at = noiseCoverage(thresholds, w);
      const before = noiseCoverage(thresholds, w - 1n);
      expect(at.numerator * 100n >= 95n * at.denominator).toBe(true);
      expect(before.numerator * 100n < 95n * before.denominator).toBe(true);
    }
  });

  it("matches the two-sided geometric's closed form ⌈ln(2(1 − c)/(1 + α)) / ln α⌉", () => {
    for (const [epsilonMilli, sensitivity] of [[100, 1n], [1000, 10n], [2000, 10_000n], [5000, 1n]] as const) {
      const { thresholds, alphaQ } = parametersOf(epsilonMilli, sensitivity);
      const alpha = ratioToNumber({ numerator: alphaQ, denominator: Q });
      for (const c of [0.5, 0.9, 0.95, 0.99]) {
        expect(noiseInterval(thresholds, c)).toBe(BigInt(Math.ceil(Math.log((2 * (1 - c)) / (1 + alpha)) / Math.log(alpha))));
      }
    }
  });

  it("computes the coverage from the exact law without enumerating it", () => {
    const { thresholds } = parametersOf(500, 10n);
    const law = noiseDistribution(thresholds);
    for (const w of [0n, 1n, 5n, 40n, 300n]) {
      let inside = 0n;
      law.numerators.forEach((p, i) => {
        const k = law.low + BigInt(i);
        if (k >= -w && k <= w) inside += p;
      });
      const coverage = noiseCoverage(thresholds, w);
      expect(inside * coverage.denominator).toBe(coverage.numerator * law.denominator);
    }
    expect(noiseCoverage(thresholds, 1n << 20n)).toEqual({ numerator: 1n, denominator: 1n });
  });
});

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}
