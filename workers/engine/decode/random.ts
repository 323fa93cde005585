// A seeded PRNG that gives the same sequence on every platform: xoshiro128** (Blackman & Vigna),
// 32-bit integer arithmetic only, its state filled by splitmix32 from the seed.

/** Uniform doubles in [0, 1). */
export type Random = () => number;

/** A generator for `seed` (taken modulo 2³²); each call returns a double with 53 random bits. */
export function seededRandom(seed: number): Random {
  const init = splitmix32(seed >>> 0);
  const next = xoshiro128ss([init(), init(), init(), init()]);
  return () => {
    const hi = next() >>> 5; // 27 bits
    const lo = next() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992; // (hi·2²⁶ + lo) / 2⁵³
  };
}

/** Raw 32-bit outputs (unsigned) of xoshiro128** from a 128-bit state (not all zero). */
export function xoshiro128ss(state: readonly [number, number, number, number]): () => number {
  let [s0, s1, s2, s3] = state;
  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result >>> 0;
  };
}

function splitmix32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) | 0;
  };
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));
