import type { ProductFilter } from './product';

/**
 * Merchandising rules: boost or bury products by what they are, pin products to positions, hide products. They come
 * with a query (per-query rules) or from the rules index (stored rules, applied by context).
 */

/** Raise (weight > 0) or lower (weight < 0) products on the relevance scale, where 1 is a perfect match. */
export interface Boost {
  /** Products matching this filter get the whole weight. */
  filter?: ProductFilter;
  /** Or: products get weight × 2^(−age / half-life), age from updatedAt, so newer products get more. */
  recencyHalfLifeDays?: number;
  weight: number;
}

/** Show this product at this 1-based position of the list (if it passes the filters). */
export interface Pin {
  id: string;
  position: number;
}

export interface RuleSet {
  boosts?: readonly Boost[];
  pins?: readonly Pin[];
  /** Products never to show. */
  hides?: readonly string[];
}

/** Where a stored rule applies. Empty lists match everything; both given, both must match. */
export interface RuleContext {
  /** Applies when the request filters on, or starts from products in, one of these categories. */
  categories?: readonly string[];
  /** Applies when the request's text (or keywords), lowercased and trimmed, is one of these. */
  queries?: readonly string[];
}

export interface StoredRule extends RuleSet {
  id: string;
  description?: string;
  /** Higher wins where rules contradict each other; ties go to the lower id. */
  priority: number;
  enabled: boolean;
  context: RuleContext;
  updatedAt: string;
}

/** What a request looks like to the rules: its categories and its text. */
export interface RequestContext {
  categories: readonly string[];
  query?: string;
}

/** Which rule something came from. */
export interface RuleRef {
  source: 'QUERY' | 'STORED';
  /** The stored rule's id (absent for the request's own rules). */
  ruleId?: string;
}
