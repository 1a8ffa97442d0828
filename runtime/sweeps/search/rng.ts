// A small seedable PRNG (xoshiro128**, seeded through splitmix32). The controller reseeds it
// from the sweep's seed and the trial count on every call, so a restarted controller continues
// the same sequence; Math.random would make sweeps unrepeatable.

export interface Rng {
  /** Uniform on the open interval (0, 1), 53 bits: never 0, so log() and ppf() are safe. */
  uniform(): number;
  /** Standard normal N(0, 1) (Marsaglia's polar method). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

function splitmix32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/** Any finite number is a valid seed (integers above 2^32 and fractions included). */
export function makeRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`rng seed must be a finite number, got ${seed}`);
  // Fold both 32-bit halves (and any fraction) into the splitmix state so nearby seeds differ.
  const whole = Math.floor(seed);
  const lo = whole >>> 0;
  const hi = Math.floor(whole / 4294967296) >>> 0;
  const frac = Math.floor((seed - whole) * 4294967296) >>> 0;
  const mix = splitmix32(lo ^ Math.imul(hi, 0x85ebca6b) ^ Math.imul(frac, 0xc2b2ae35));
  let s0 = mix(), s1 = mix(), s2 = mix(), s3 = mix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state is a fixed point

  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };

  let spare: number | undefined;
  const uniform = (): number => {
    const hi27 = next() >>> 5; // 27 bits
    const lo26 = next() >>> 6; // 26 bits
    return (hi27 * 67108864 + lo26 + 0.5) / 9007199254740992;
  };
  return {
    uniform,
    normal(): number {
      if (spare !== undefined) {
        const z = spare;
        spare = undefined;
        return z;
      }
      for (;;) {
        const u = 2 * uniform() - 1;
        const v = 2 * uniform() - 1;
        const s = u * u + v * v;
        if (s >= 1 || s === 0) continue;
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        spare = v * f;
        return u * f;
      }
    },
    int(n: number): number {
      return Math.min(n - 1, Math.floor(uniform() * n));
    },
  };
}
