/**
 * A seeded generator of integers in [0, n) for reproducible property tests (mulberry32: all
 * 32 output bits are well mixed, unlike the low bits of a power-of-two linear congruential
 * generator, whose `seed % 4` repeats with period 4).
 */
export function seededRandom(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n: number): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    return Math.floor(u * n);
  };
}
