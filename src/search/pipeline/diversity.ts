import { byScoreThenId, type Candidate, type Ranked } from './ranked';

/**
 * Diversity by maximal marginal relevance over the best DIVERSITY_POOL results: pick, one at a time, the result
 * with the highest (1 − d) · relevance − d · (its highest cosine to a result already picked), with d = diversity
 * and relevance the score rescaled to 0-1 over the pool. So a "similar" strip is not eight copies of one mug in
 * different sizes. Results past the pool keep their order.
 */

export const DIVERSITY_POOL = 50;

export function diversify(r: Ranked, diversity: number, pool = DIVERSITY_POOL): Ranked {
  if (diversity <= 0) return r;
  // The pool is the best `pool` results: until that many are settled (or there are no more), more could join it.
  if (r.settled < pool && !r.complete) return { ...r, settled: 0 };
  const candidates = r.items.slice(0, pool);
  const scores = candidates.map((c) => c.score);
  const [lo, hi] = [Math.min(...scores), Math.max(...scores)];
  const rel = (c: Candidate) => (hi > lo ? (c.score - lo) / (hi - lo) : 1);
  const [rows, dims] = vectorRows(candidates);
  // Each remaining candidate's highest cosine to the results picked so far, updated with each pick's cosines only,
  // so a pick costs one cosine per remaining candidate instead of one per remaining × picked pair.
  const maxSim = new Float64Array(candidates.length).fill(-Infinity);
  const remaining = candidates.map((_, i) => i);
  const chosen: Candidate[] = [];
  while (remaining.length > 0) {
    let best = -1;
    let bestValue = -Infinity;
    let bestPenalty = 0;
    for (let i = 0; i < remaining.length; i++) {
      const ci = remaining[i]!;
      const c = candidates[ci]!;
      const sim = chosen.length === 0 ? 0 : maxSim[ci]!;
      const penalty = diversity * sim;
      const value = (1 - diversity) * rel(c) - penalty;
      if (value > bestValue || (value === bestValue && byScoreThenId(c, candidates[remaining[best]!]!) < 0)) {
        best = i;
        bestValue = value;
        bestPenalty = penalty;
      }
    }
    const [picked] = remaining.splice(best, 1);
    chosen.push({ ...candidates[picked!]!, mmrPenalty: Math.round(bestPenalty * 1e6) / 1e6 });
    for (const ci of remaining) maxSim[ci] = Math.max(maxSim[ci]!, rowDot(rows, dims, ci, picked!));
  }
  return { items: [...chosen, ...r.items.slice(pool)], settled: r.settled, complete: r.complete };
}

/** The vector of the image that matched the query, else the product's own (first) image. */
function vectorOf(c: Candidate): number[] | undefined {
  return c.vectors?.[c.vector?.matchedImage?.index ?? 0] ?? c.vectors?.[0];
}

/**
 * The candidates' vectors as the rows of one Float64Array (a candidate without one: zeros, so its cosines are 0). The
 * cosines then run over one typed array in one monomorphic loop instead of over the hits' number[] arrays through the
 * shared `dot` (a pool of 52 at 128 dimensions, 1,326 cosines: 0.41 → 0.27 ms; MMR was the largest of the pipeline's own
 * costs in the features query's profile). Four partial sums would make it 0.18 ms, but would round the cosines
 * differently from `dot` and so break exact ties differently.
 */
function vectorRows(candidates: readonly Candidate[]): [Float64Array, number] {
  const vectors = candidates.map(vectorOf);
  const dims = vectors.find((v) => v)?.length ?? 0;
  const rows = new Float64Array(candidates.length * dims);
  vectors.forEach((v, i) => {
    if (v) rows.set(v, i * dims);
  });
  return [rows, dims];
}

/** `dot` of two rows, summed in the same order (the same doubles, so the same cosines and ties as the textbook MMR). */
function rowDot(rows: Float64Array, dims: number, a: number, b: number): number {
  let s = 0;
  for (let i = 0, x = a * dims, y = b * dims; i < dims; i++) s += rows[x + i]! * rows[y + i]!;
  return s;
}
