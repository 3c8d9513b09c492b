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
