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

/** The dot product over `a`'s length: the cosine of two unit vectors (every stored and query vector is one). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function isZeroVector(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

/**
 * Elasticsearch dense_vector index types this server can build (index-mapping.ts). One list, shared by the config
 * (ES_VECTOR_INDEX_TYPE) and the mapping. The README's performance section has the measured recall and latency of each.
 */
export const VECTOR_INDEX_TYPES = ['int8_hnsw', 'int4_hnsw', 'bbq_hnsw', 'hnsw'] as const;
export type VectorIndexType = (typeof VECTOR_INDEX_TYPES)[number];
export const DEFAULT_VECTOR_INDEX_TYPE: VectorIndexType = 'int8_hnsw';
