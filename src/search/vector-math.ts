import { isZeroVector, l2Normalize } from '../common/vectors';

/** Small, allocation-light vector helpers for query vectors (never for the index side). */

export function mean(vectors: readonly ArrayLike<number>[]): Float32Array {
  if (vectors.length === 0) throw new RangeError('mean of no vectors');
  const out = new Float32Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < out.length; i++) out[i] += v[i] / vectors.length;
  return out;
}

/**
 * Rocchio-style query for "because you viewed…": move towards the centroid of what the shopper liked and away from
 * what they rejected. Returns a unit vector, or undefined when the positives cancel out entirely.
 */
export function preferenceVector(
  positives: readonly ArrayLike<number>[],
  negatives: readonly ArrayLike<number>[],
  negativeWeight = 0.5,
): Float32Array | undefined {
  const q = mean(positives.map(l2Normalize));
  if (negatives.length > 0) {
    const n = mean(negatives.map(l2Normalize));
    for (let i = 0; i < q.length; i++) q[i] -= negativeWeight * n[i];
  }
  const out = l2Normalize(q);
  return isZeroVector(out) ? undefined : out;
}
