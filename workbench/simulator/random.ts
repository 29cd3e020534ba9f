/**
 * A small seeded pseudo-random source for the signal generators: the same seed gives the same
 * sequence on every machine, so tests and demo histories are reproducible. Not for cryptography.
 */

/** Uniform and normal draws from one seeded stream. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (mean 0, standard deviation 1). */
  normal(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
}

/** 32-bit FNV-1a hash of `text`, used to turn a seed string (and a salt) into a PRNG state. */
export function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A Mulberry32 stream seeded by `seed` (a string or a 32-bit integer). Mulberry32 is tiny, fast and
 * passes the usual statistical batteries well enough for simulated sensors.
 */
export function createRandom(seed: string | number): Random {
  let state = typeof seed === "number" ? seed >>> 0 : hashSeed(seed);
  let spare: number | undefined;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (min, max) => min + (max - min) * next(),
    normal: () => {
      // Box-Muller gives two independent normals per pair of uniforms; keep the second one.
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      const u = 1 - next(); // (0, 1]: log(0) is never taken
      const v = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      spare = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
  };
}
