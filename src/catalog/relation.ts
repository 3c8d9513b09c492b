import type { Product } from './product';

/**
 * How close a hit is to what it was found for, in the catalog team's terms. The cut points are the model's own
 * (calibrated per model folder by `npm run calibrate`, read at boot with the weights), never constants here.
 */
export const Relation = {
  /** The same image re-encoded, resized, lightly cropped or watermarked. */
  DUPLICATE: 'DUPLICATE',
  /** The same product in another colour or pattern, or another shot of it. */
  VARIANT: 'VARIANT',
  /** Anything else. */
  SIMILAR: 'SIMILAR',
} as const;
export type Relation = (typeof Relation)[keyof typeof Relation];

/** Closest first. */
export const RELATIONS: readonly Relation[] = [Relation.DUPLICATE, Relation.VARIANT, Relation.SIMILAR];

/** Cosine (of L2-normalised image embeddings) at or above which a pair is a DUPLICATE, resp. at least a VARIANT. */
export interface RelationThresholds {
  readonly duplicate: number;
  readonly variant: number;
}

export function relationOf(cosine: number, t: RelationThresholds): Relation {
  if (cosine >= t.duplicate) return Relation.DUPLICATE;
  if (cosine >= t.variant) return Relation.VARIANT;
  return Relation.SIMILAR;
}

/** The lowest cosine that is at least `min` (SIMILAR: any cosine). */
export function minCosineFor(min: Relation, t: RelationThresholds): number {
  return min === Relation.DUPLICATE ? t.duplicate : min === Relation.VARIANT ? t.variant : -1;
}

/** Another product found close to a given one (at ingest, or in a duplicate cluster). */
export interface RelatedProduct {
  product: Product;
  relation: Relation;
  /** Exact cosine of the two products' image vectors. */
  similarity: number;
}
