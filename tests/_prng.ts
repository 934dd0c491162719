/**
 * The seeded pseudo-random generator of the tests that draw inputs (fuzzing,
 * property tests, fragmented peers): mulberry32, small and fast; the same seed
 * gives the same sequence on every runtime, so a failure replays.
 *
 * @module
 */

/** A generator of floats in [0, 1) for `seed`. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
