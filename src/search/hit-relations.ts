import { relationOf, type Relation, type RelationThresholds } from '../catalog/relation';

/**
 * A hit's relation to the image it was found for: the exact cosine of the query image's vector and the nearest of the
 * hit's stored image vectors, cut by the model's calibrated thresholds. Hit similarities come from the int8-quantised
 * index (off by up to ~0.01, the width of the DUPLICATE band), so they are not used for this.
 */
export function relationsOf(
  reference: ArrayLike<number>,
  hitVectors: readonly (readonly ArrayLike<number>[] | undefined)[],
  t: RelationThresholds,
): (Relation | undefined)[] {
  return hitVectors.map((vectors) => {
    if (!vectors || vectors.length === 0) return undefined;
    let best = -Infinity;
    for (const v of vectors) best = Math.max(best, dot(reference, v));
    return relationOf(Math.round(best * 1e6) / 1e6, t);
  });
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
