import type { RuleRef } from './merchandising';
import type { Product, ScoredProduct } from './product';
import type { FieldName } from './product-fields';

/** What the search pipeline answers for one SearchRequest, and what browsing answers. */

export interface PageInfo {
  hasNextPage: boolean;
  /** Pass as `after` to get the next page; absent when the page is empty. */
  endCursor?: string;
}

export interface SearchResult {
  hits: ScoredProduct[];
  pageInfo: PageInfo;
  /**
   * True when the page is as full as the catalog allows: it has `first` hits, or every candidate was looked at. False
   * when retrieval stopped at its bound first.
   */
  exhaustive: boolean;
  /** Positive or negative ids the catalog does not know; reported, not raised. */
  unknownIds: string[];
  /** One per requested facet field, in the order asked. */
  facets: FacetResult[];
  /** With `explain`: what the rules did to the whole list. */
  explanation?: SearchExplanation;
}

/** Why a hit is where it is, stage by stage (with `explain`). */
export interface HitExplanation {
  /** The vector side: cosine similarity, 1-based rank, and its reciprocal-rank contribution in hybrid search. */
  vector?: { similarity: number; rank?: number; rrf?: number };
  /** The keyword side: BM25 score, 1-based rank, and its reciprocal-rank contribution in hybrid search. */
  keyword?: { score: number; rank: number; rrf?: number };
  /** The score on the relevance scale (1 = perfect match) that boosts were added to, when boosts applied. */
  relevance?: number;
  boosts: { rule: RuleRef; boostIndex: number; weight: number; contribution: number }[];
  /** The pin that put the hit here. */
  pin?: { rule: RuleRef; position: number };
  /** What diversity took off the hit's relevance when it was picked. */
  mmrPenalty?: number;
  finalScore: number;
}

export interface SearchExplanation {
  /** Every rule that applied, in precedence order (the request's own first). */
  rulesApplied: RuleRef[];
  /** Products hidden by a rule (whether or not they would have matched), with the first rule that hid each. */
  hidden: { productId: string; rule: RuleRef }[];
  /** Pins that did not apply, and why. */
  droppedPins: { productId: string; position: number; rule: RuleRef; reason: 'HIDDEN' | 'PRODUCT_ALREADY_PINNED' | 'POSITION_TAKEN' }[];
}

/** How many products have each value of a field (or fall in each range). */
export interface FacetResult {
  field: FieldName;
  values: FacetValue[];
}

export interface FacetValue {
  /** The value as filters take it (keyword values lowercased), or the range as `from-to` with `*` for open ends. */
  value: string;
  count: number;
  /** A range bucket's inclusive lower and exclusive upper bound. */
  from?: number;
  to?: number;
}

export interface BrowseResult {
  products: Product[];
  pageInfo: PageInfo;
  /** Every product that passes the filters. */
  totalCount: number;
  facets: FacetResult[];
}
