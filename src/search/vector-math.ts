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

/** A text modifier's words, and whether it asks for more of them (red) or less (without stripes). */
export interface ModifierText {
  text: string;
  sign: 1 | -1;
}

/**
 * Reads "but in red", "red", "without stripes", "no logo". Filler that SigLIP would embed as words of its own ("but",
 * "in") is dropped; a leading "without", "no" or "not" turns the modifier into one to move away from, since the text
 * tower reads "without stripes" much like "stripes". Undefined when no words remain.
 */
export function parseModifier(raw: string): ModifierText | undefined {
  let words = raw.trim().toLowerCase().split(/\s+/).filter(Boolean);
  let sign: 1 | -1 = 1;
  for (;;) {
    const w = words[0];
    if (w === 'but' || w === 'in' || w === 'and') words = words.slice(1);
    else if ((w === 'without' || w === 'no' || w === 'not') && sign === 1) [sign, words] = [-1, words.slice(1)];
    else break;
  }
  return words.length > 0 ? { text: words.join(' '), sign } : undefined;
}

/**
 * Vector arithmetic in the shared image-text space: the unit direction of `base` plus `weight` times the modifier's
 * unit text vector (minus, for a negative modifier), normalised. Weight 0 is the base itself. Undefined when the two
 * cancel out.
 */
export function modifiedVector(base: ArrayLike<number>, modifier: ArrayLike<number>, weight: number): Float32Array | undefined {
  const b = l2Normalize(base);
  const m = l2Normalize(modifier);
  for (let i = 0; i < b.length; i++) b[i] += weight * m[i];
  const out = l2Normalize(b);
  return isZeroVector(out) ? undefined : out;
}
