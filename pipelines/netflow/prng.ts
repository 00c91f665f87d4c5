/**
 * A small seeded pseudo-random generator (mulberry32): 32 bits of state, fast, and the same
 * sequence for the same seed on every platform, which is what test data needs. Not for security.
 */

/** Returns uniform numbers in `[0, 1)`. */
export type Random = () => number;

/**
 * Creates a generator seeded with the low 32 bits of `seed` (`seed` is truncated to an integer).
 * @example const random = mulberry32(42); random() // 0.6011037519201636, same on every run
 */
export function mulberry32(seed: number): Random {
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A uniform integer in `[min, max]` (both inclusive) from one draw `u` in `[0, 1)`.
 * @example uniformInt(0.5, 1, 10) // 6
 */
export function uniformInt(u: number, min: number, max: number): number {
  return min + Math.floor(u * (max - min + 1));
}
