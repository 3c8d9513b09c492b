import type { RuleRef } from '../../catalog/merchandising';
import type { MatchedImage, Product } from '../../catalog/product';

/** The candidate record each stage of the pipeline passes on, and the stages' common output. */

export interface Candidate {
  product: Product;
  /** Ranking score so far (the engine's score, then the fused score, then adjusted by later stages). */
  score: number;
  /**
   * The vector side: 1-based rank, the cosine similarity to the query, the image that matched, and whether the
   * similarity is the exact one of the product's nearest image (Hit.exactScore).
   */
  vector?: { rank: number; similarity: number; matchedImage?: MatchedImage; exact?: boolean };
  /** The keyword side: 1-based rank and the BM25 score. */
  keyword?: { rank: number; score: number };
  /** Reciprocal-rank contributions of each side, in hybrid queries. */
  rrf?: { vector?: number; keyword?: number };
  /** The product's image vectors, fetched only when diversity needs them. */
  vectors?: number[][];
  /** The score on the relevance scale boosts add to (1 = a perfect match), when boosts applied. */
  relevance?: number;
  /** Boosts and buries that changed the score. */
  boosts?: AppliedBoost[];
  /** What diversity took off this product's relevance when it was chosen (0 for the first). */
  mmrPenalty?: number;
  /** The pin that placed this product. */
  pin?: { rule: RuleRef; position: number };
}

export interface AppliedBoost {
  rule: RuleRef;
  /** The boost's weight, and what it added to the score (weight × how much the product matched). */
  weight: number;
  contribution: number;
  /** Which boost of its rule (0-based), so an explanation can point at it. */
  index: number;
}

/**
 * A stage's output: the items in order, of which the first `settled` can no longer change however far retrieval
 * goes, and whether retrieval is complete (then every item is settled).
 */
export interface Ranked {
  items: Candidate[];
  settled: number;
  complete: boolean;
}

/** Order of every list: score descending, then id ascending, so equal scores never reorder between pages. */
export function byScoreThenId(a: { score: number; product: { id: string } }, b: { score: number; product: { id: string } }): number {
  return b.score - a.score || (a.product.id < b.product.id ? -1 : a.product.id > b.product.id ? 1 : 0);
}
