import type { ImageRef } from '../sources/image-source';
import type { RuleSet } from './merchandising';
import type { ProductFilter } from './product';
import type { FieldName } from './product-fields';

/**
 * The one internal search request. Every query operation (similarProducts, searchByText, searchByImage,
 * recommendations, discover) builds one of these and runs it through the same pipeline (search/pipeline).
 */

/** What the query vector is built from. Any combination; the pipeline says what each contributes. */
export interface QuerySignals {
  /** A photo (URL or bytes), embedded by the image tower. */
  image?: ImageRef;
  /** A text embedded by the text tower (text-to-image search). */
  text?: string;
  /**
   * "More like this": the product's own vector is the query, the product never appears in the results, and an
   * unknown id is a ProductNotFound failure.
   */
  seedId?: string;
  /** Products to steer towards; unknown ids are reported, not raised. */
  positiveIds?: readonly string[];
  /** Products to steer away from (and never return); unknown ids are reported, not raised. */
  negativeIds?: readonly string[];
  /**
   * A text that modifies what the other signals describe ("red", "but in red", "without stripes"): its text vector
   * is added to (or, after "without"/"no", subtracted from) their unit direction. Needs another signal to modify.
   */
  modifier?: string;
  /** How far the modifier pulls (0-4); the server's SEARCH_MODIFIER_WEIGHT when absent. */
  modifierWeight?: number;
}

export interface SearchRequest extends QuerySignals {
  /** BM25 keywords; with a query vector too, both sides are fused by reciprocal rank. */
  keywords?: string;
  filter?: ProductFilter;
  /** Products never to return. */
  excludeIds?: readonly string[];
  /** One product per group (groupId): the best of each, with the group's size. */
  collapse?: boolean;
  /** 0-1: how much to trade relevance for variety among the best results (maximal marginal relevance). */
  diversity?: number;
  /** Cosine floor: vector matches less similar than this are left out. */
  minSimilarity?: number;
  /** Cut the list before its `autocut`-th jump in relevance (as Weaviate's autocut). */
  autocut?: number;
  /** The request's own merchandising rules. */
  rules?: RuleSet;
  /** Apply the stored rules whose context matches (default true). */
  useStoredRules?: boolean;
  /** Explain every hit's score and what the rules did (never changes the ranking). */
  explain?: boolean;
  /**
   * Label hits with their relation to a one-image query (default true). False when the caller never reads it: the
   * label may cost a read of the hits' vectors (pipeline/relations.ts), and never changes the ranking.
   */
  relations?: boolean;
  /** Page size. */
  first: number;
  /** The `endCursor` of the previous page. */
  after?: string;
  /** Fields to count values of (the table's facet fields); counting never changes the ranking. */
  facets?: readonly FieldName[];
}

/** Cursors are short; anything longer was not written by this server. */
export const MAX_CURSOR_LENGTH = 2048;
