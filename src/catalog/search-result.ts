import type { ScoredProduct } from './product';

/** What the search pipeline answers for one SearchRequest. */
export interface SearchResult {
  hits: ScoredProduct[];
  /** Positive or negative ids the catalog does not know; reported, not raised. */
  unknownIds: string[];
}
