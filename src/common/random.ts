/** A source of floats in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: a tiny seeded 32-bit PRNG. Seeded so a run can be repeated exactly: the same catalog map on every
 * replica, the same synthetic catalog and benchmark documents (their bytes are pinned), the same soak traffic. The
 * seed is taken modulo 2³². Not for anything secret.
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
