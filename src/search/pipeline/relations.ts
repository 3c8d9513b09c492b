import type { ProductDocument, ScoredProduct } from '../../catalog/product';
import type { ProductIndex } from '../../catalog/product-index';
import { relationOf, type Relation, type RelationThresholds } from '../../catalog/relation';
import type { Candidate } from './ranked';
import { dot } from '../../common/vectors';

/**
 * The last stage when the query is one image: each hit's relation to it, from the exact cosine of the query image's
 * vector and the nearest of the hit's stored image vectors, cut by the model's calibrated thresholds. Hit similarities
 * from an int8-quantised index are off by up to ~0.01, the width of the DUPLICATE band, so they are not used for this;
 * a hit whose similarity is exact (a float or rescored index, one image, the query vector being the reference: see
 * Hit.exactScore) is cut from it, and only the other hits' vectors are read back (one mget for the page). Without a
 * calibrated model or a single query image, hits carry no relation.
 */
export async function labelRelations(
  index: Pick<ProductIndex, 'getDocuments'>,
  thresholds: RelationThresholds | undefined,
  query: { reference?: ArrayLike<number>; referenceIsQuery?: boolean },
  page: readonly Candidate[],
  hits: ScoredProduct[],
): Promise<void> {
  const reference = query.reference;
  if (!thresholds || !reference || hits.length === 0) return;
  const exact = page.map((c) => (query.referenceIsQuery && c.vector?.exact ? relationOf(c.vector.similarity, thresholds) : undefined));
  const rest = hits.filter((_, i) => exact[i] === undefined);
  const docs = rest.length > 0 ? await index.getDocuments(rest.map((h) => h.product.id)) : new Map<string, ProductDocument>();
  const read = relationsOf(
    reference,
    rest.map((h) => docs.get(h.product.id)?.images.map((i) => i.vector)),
    thresholds,
  );
  let at = 0;
  hits.forEach((h, i) => {
    const r = exact[i] ?? read[at++];
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
