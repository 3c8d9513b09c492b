/**
 * The unit vector in v's direction, as a new Float32Array. A vector with no direction (zero, or a non-finite norm)
 * comes back as the zero vector, never NaN: callers decide what "no direction" means for them (a model fault when an
 * embedding, "nothing to recommend" when a preference query cancels out) and test for it with isZeroVector.
 */
export function l2Normalize(v: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum);
  const out = new Float32Array(v.length);
  if (!(norm > 0) || !Number.isFinite(norm)) return out;
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / norm;
  return out;
}

export function isZeroVector(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}
