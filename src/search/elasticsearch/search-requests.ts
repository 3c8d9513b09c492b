import type { BrowseQuery, FacetQuery, Restriction, RetrievalQuery } from '../../catalog/product-index';
import { NO_VECTORS } from './source';
import { facetAggs } from './facet-aggs';
import { browseSort, knnClause, keywordQuery, restrictionQuery, type EsClause } from './query-builder';

/**
 * The msearch bodies of a retrieval round and of a browse page. Pure, so what goes to the cluster in one round trip
 * is unit-tested; the adapter only sends these and reads the answers back in the same order.
 */

export interface PlannedSearch {
  /** The side whose hits this request returns, if any. */
  side?: 'vector' | 'keyword' | 'browse' | 'pinned';
  /** The facets this request counts, if any. */
  facets?: FacetQuery;
  body: EsClause;
}

/**
 * Facets under the sides' own restriction ride on the single side's request (the kNN then takes all its candidates
 * as hits, so all of them are counted, and returns the same from/size window); the others (a facet's own filter
 * removed, or the union of both sides of a hybrid query) are size-0 requests of their own.
 */
export function retrievalSearches(q: RetrievalQuery): PlannedSearch[] {
  const out: PlannedSearch[] = [];
  const others = [...(q.facets ?? [])];
  const single = (q.vector === undefined) !== (q.keyword === undefined);
  const at = single ? others.findIndex((f) => sameRestriction(f.restriction, q.restriction)) : -1;
  const ride = at >= 0 ? others.splice(at, 1)[0] : undefined;
  const base = { _source: q.withVectors ? { exclude_vectors: false } : NO_VECTORS, track_total_hits: false };
  if (q.vector) {
    const { vector, from, size, numCandidates, excludeGroups, minSimilarity } = q.vector;
    const knn = knnClause(vector, ride ? numCandidates : from + size, numCandidates, q.restriction, { excludeGroups, minSimilarity });
    out.push({ side: 'vector', facets: ride, body: { ...base, knn, from, size, ...(ride ? { aggs: facetAggs(ride.facets) } : {}) } });
  }
  if (q.keyword) {
    const { q: text, from, size } = q.keyword;
    const own = q.vector ? undefined : ride;
    out.push({ side: 'keyword', facets: own, body: { ...base, query: keywordQuery(text, q.restriction), from, size, ...(own ? { aggs: facetAggs(own.facets) } : {}) } });
  }
  for (const f of others) {
    const body: EsClause = { size: 0, track_total_hits: false, aggs: facetAggs(f.facets) };
    const minSimilarity = q.vector?.minSimilarity;
    if (q.vector) body.knn = knnClause(q.vector.vector, q.vector.numCandidates, q.vector.numCandidates, f.restriction, { minSimilarity });
    if (q.keyword) body.query = keywordQuery(q.keyword.q, f.restriction);
    out.push({ facets: f, body });
  }
  if (q.pinned?.length) {
    const n = q.pinned.length;
    const body: EsClause = q.vector
      ? { ...base, size: n, knn: knnClause(q.vector.vector, n, n, q.restriction, { onlyIds: q.pinned }) }
      : { ...base, size: n, query: { bool: { ...(restrictionQuery(q.restriction).bool as object), must: [{ ids: { values: [...q.pinned] } }] } } };
    out.push({ side: 'pinned', body });
  }
  return out;
}

/** A browse page (exact total, and the facets under its own restriction), then one size-0 request per other facet restriction. */
export function browseSearches(q: BrowseQuery): PlannedSearch[] {
  const others = [...(q.facets ?? [])];
  const at = others.findIndex((f) => sameRestriction(f.restriction, q.restriction));
  const ride = at >= 0 ? others.splice(at, 1)[0] : undefined;
  const page: EsClause = {
    query: restrictionQuery(q.restriction),
    sort: browseSort(q.sort.field, q.sort.descending),
    ...(q.after ? { search_after: [...q.after] } : {}),
    size: q.size,
    track_total_hits: true,
    _source: NO_VECTORS,
    ...(ride ? { aggs: facetAggs(ride.facets) } : {}),
  };
  return [
    { side: 'browse', facets: ride, body: page },
    ...others.map((f) => ({ facets: f, body: { size: 0, track_total_hits: false, query: restrictionQuery(f.restriction), aggs: facetAggs(f.facets) } })),
  ];
}

function sameRestriction(a: Restriction, b: Restriction): boolean {
  return JSON.stringify(restrictionQuery(a)) === JSON.stringify(restrictionQuery(b));
}
