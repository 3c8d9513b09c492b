import type { ScoredProduct } from '../../catalog/product';
import type { Hit, ProductIndex, Restriction } from '../../catalog/product-index';
import type { SearchRequest } from '../../catalog/search-request';
import type { SearchResult } from '../../catalog/search-result';
import { reciprocalRankFusion } from '../fusion';
import { buildQueryVector, type VectorSources } from './query-vector';
import { cosineFromScore } from './scores';

/**
 * The one search path: build the query vector → retrieve candidates (kNN with the filters inside, plus BM25 when
 * there are keywords) → fuse → page. Every query operation is a SearchRequest run through here.
 */

export interface PipelineDeps extends VectorSources {
  index: Pick<ProductIndex, 'getDocuments' | 'retrieve'>;
}

/**
 * How deep each side of a hybrid query goes before fusion. Deeper than `first` so a product ranked moderately by
 * both sides can overtake one ranked highly by only one side.
 */
function fusionWindow(first: number): number {
  return Math.min(200, Math.max(first * 3, 30));
}

export async function runSearch(deps: PipelineDeps, req: SearchRequest, signal?: AbortSignal): Promise<SearchResult> {
  const query = await buildQueryVector(deps, req, signal);
  const keywords = req.keywords;
  if (!query.vector && keywords === undefined) return { hits: [], unknownIds: query.unknownIds };
  if (query.cancelled && keywords === undefined) return { hits: [], unknownIds: query.unknownIds };

  const restriction: Restriction = {
    filter: req.filter,
    excludeIds: unique([...query.excludeIds, ...(req.excludeIds ?? [])]),
  };
  const hybrid = query.vector !== undefined && keywords !== undefined;
  const size = hybrid ? fusionWindow(req.first) : req.first;
  const found = await deps.index.retrieve({
    restriction,
    vector: query.vector ? { vector: query.vector, size } : undefined,
    keyword: keywords !== undefined ? { q: keywords, size } : undefined,
  });

  let hits: ScoredProduct[];
  if (!hybrid) {
    hits = found.vector ? vectorHits(found.vector) : (found.keyword ?? []).map((h) => ({ product: h.product, score: h.score }));
  } else {
    const similarity = new Map(found.vector!.map((h) => [h.product.id, cosineFromScore(h.score)]));
    hits = reciprocalRankFusion([{ items: found.vector! }, { items: found.keyword! }], (h) => h.product.id).map(({ item, score }) => ({
      product: item.product,
      score,
      similarity: similarity.get(item.product.id),
    }));
  }
  return { hits: hits.slice(0, req.first), unknownIds: query.unknownIds };
}

function vectorHits(hits: Hit[]): ScoredProduct[] {
  return hits.map((h) => ({ product: h.product, score: h.score, similarity: cosineFromScore(h.score) }));
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
