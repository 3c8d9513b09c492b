import type { Product, ScoredProduct } from './product';

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
}

export interface BrowseResult {
  products: Product[];
  pageInfo: PageInfo;
  /** Every product that passes the filters. */
  totalCount: number;
}
