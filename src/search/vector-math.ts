/** Small, allocation-light vector helpers for query vectors (never for the index side). */

export function l2Normalize(v: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  const norm = Math.sqrt(sum);
  const out = new Float32Array(v.length);
  if (norm === 0) return out;
  for (let i = 0; i < v.length; i++) out[i] = v[i] / norm;
  return out;
}

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
  return out.every((x) => x === 0) ? undefined : out;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
