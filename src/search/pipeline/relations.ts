import type { ScoredProduct } from '../../catalog/product';
import type { ProductIndex } from '../../catalog/product-index';
import { relationOf, type Relation, type RelationThresholds } from '../../catalog/relation';

/**
 * The last stage when the query is one image: each hit's relation to it, from the exact cosine of the query image's
 * vector and the nearest of the hit's stored image vectors (one mget for the page), cut by the model's calibrated
 * thresholds. Hit similarities come from the int8-quantised index (off by up to ~0.01, the width of the DUPLICATE
 * band), so they are not used for this. Without a calibrated model or a single query image, hits carry no relation.
 */
export async function labelRelations(
  index: Pick<ProductIndex, 'getDocuments'>,
  thresholds: RelationThresholds | undefined,
  reference: ArrayLike<number> | undefined,
  hits: ScoredProduct[],
): Promise<void> {
  if (!thresholds || !reference || hits.length === 0) return;
  const docs = await index.getDocuments(hits.map((h) => h.product.id));
  const relations = relationsOf(
    reference,
    hits.map((h) => docs.get(h.product.id)?.images.map((i) => i.vector)),
    thresholds,
  );
  hits.forEach((h, i) => {
    const r = relations[i];
    if (r) h.relation = r;
  });
}

/** Per hit: the relation of its nearest image to the reference; undefined for a hit without vectors (deleted since). */
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
