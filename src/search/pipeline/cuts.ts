import type { Candidate, Ranked } from './ranked';

/**
 * Autocut, as Weaviate defines it: over the first AUTOCUT_WINDOW results, in ranking order, normalise the score
 * curve from the best result (0) to the last (1) and compare it with the straight line between them; every local
 * peak of "curve minus line" is a jump (the curve falls faster than steadily just before it), and the list is cut
 * before the result where the `autocut`-th jump peaks. No jump, no cut. The window is fixed per query, so every
 * page sees the same cut.
 */

export const AUTOCUT_WINDOW = 50;

/** How many leading values to keep; `values` fall (or stay) from best to worst. */
export function autocutCount(values: readonly number[], jumps: number): number {
  const n = values.length;
  if (n <= 1) return n;
  const first = values[0]!;
  const last = values[n - 1]!;
  if (first === last) return n;
  // Weaviate works on distances; a falling score s is the rising distance first − s.
  const diff = values.map((v, i) => (first - v) / (first - last) - i / (n - 1));
  let found = 0;
  for (let i = 1; i < n; i++) {
    const peak = i === n - 1 ? n > 2 && diff[i]! > diff[i - 1]! && diff[i]! > diff[i - 2]! : diff[i]! > diff[i - 1]! && diff[i]! > diff[i + 1]!;
    if (peak && ++found >= jumps) return i;
  }
  return n;
}

export function autocut(r: Ranked, jumps: number | undefined, valueOf: (c: Candidate) => number, window = AUTOCUT_WINDOW): Ranked {
  if (!jumps) return r;
  // The window is the best `window` results: until that many are settled (or there are no more), more could join it
  // and move the curve's end, so the cut. Collapsing can settle every result of an unfinished list.
  if (r.settled < window && !r.complete) return { ...r, settled: 0 };
  const n = Math.min(window, r.items.length);
  const keep = autocutCount(r.items.slice(0, n).map(valueOf), jumps);
  if (keep >= n) return r;
  return { items: r.items.slice(0, keep), settled: keep, complete: true };
}
