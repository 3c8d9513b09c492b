import type { BrowsePage, BrowseQuery, FacetQuery, Restriction, Retrieval, RetrievalQuery } from '../../catalog/product-index';
import { hitSource, toHits, toProduct, type Source } from './source';
import { facetAggs, parseFacetAggs } from './facet-aggs';
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
  /** The query vector the hits' matched images are read against: the kNN asks no inner hits, its hits carry vectors. */
  matchImages?: ArrayLike<number>;
}

/**
 * Facets under the sides' own restriction ride on the single side's request (the kNN then takes all its candidates
 * as hits, so all of them are counted, and returns the same from/size window); the others (a facet's own filter
 * removed, or the union of both sides of a hybrid query) are size-0 requests of their own.
 */
export function retrievalSearches(q: RetrievalQuery, o: KnnOptions = {}): PlannedSearch[] {
  const out: PlannedSearch[] = [];
  const others = [...(q.facets ?? [])];
  const single = (q.vector === undefined) !== (q.keyword === undefined);
  const sideRestriction = q.vector ? vectorRestriction(q.restriction, q.vector.unfiltered) : q.restriction;
  const at = single ? others.findIndex((f) => sameRestriction(f.restriction, sideRestriction)) : -1;
  const ride = at >= 0 ? others.splice(at, 1)[0] : undefined;
  const base = { _source: hitSource(q.withVectors), track_total_hits: false };
  const oversample = o.oversample;
  if (q.vector) {
    const { vector, from, size, excludeGroups, minSimilarity, collapse } = q.vector;
    const numCandidates = q.vector.numCandidates + (q.vector.unfiltered?.length ?? 0);
    // Rescoring reorders the top k × oversample, so k must not move with the window: it is the whole candidate set.
    // So with collapsing, whose groups are those of the whole set.
    const k = ride || oversample || collapse ? numCandidates : from + size;
    // With the vectors in the hits, their matched images are read from them: the inner hits that say it cost one
    // search per hit, the largest part of a window's fetch (bench: 52 hits of the features query).
    const innerHits = !q.withVectors;
    const knn = knnClause(vector, k, numCandidates, sideRestriction, { excludeGroups, minSimilarity, oversample, innerHits });
    const aggs = ride ? { aggs: facetAggs(ride.facets) } : {};
    const body = { ...base, knn, from, size, ...(collapse ? COLLAPSE : {}), ...aggs };
    out.push({ side: 'vector', facets: ride, body, ...(innerHits ? {} : { matchImages: vector }) });
  }
  if (q.keyword) {
    const { q: text, from, size } = q.keyword;
    const own = q.vector ? undefined : ride;
    out.push({ side: 'keyword', facets: own, body: { ...base, query: keywordQuery(text, q.restriction), from, size, ...(own ? { aggs: facetAggs(own.facets) } : {}) } });
  }
  for (const f of others) {
    const body: EsClause = { size: 0, track_total_hits: false, aggs: facetAggs(f.facets) };
    const minSimilarity = q.vector?.minSimilarity;
    if (q.vector) body.knn = knnClause(q.vector.vector, q.vector.numCandidates, q.vector.numCandidates, f.restriction, { minSimilarity, oversample });
    if (q.keyword) body.query = keywordQuery(q.keyword.q, f.restriction);
    out.push({ facets: f, body });
  }
  if (q.pinned?.length) {
    const n = q.pinned.length;
    const body: EsClause = q.vector
      ? { ...base, size: n, knn: knnClause(q.vector.vector, n, n, q.restriction, { onlyIds: q.pinned, oversample }) }
      : { ...base, size: n, query: { bool: { ...(restrictionQuery(q.restriction).bool as object), must: [{ ids: { values: [...q.pinned] } }] } } };
    out.push({ side: 'pinned', body });
  }
  return out;
}

/**
 * One hit per group, its best product, in the pipeline's order (score, then id: the sort decides both which product
 * stands for its group and the order of the groups); the total counts the candidate set's products (at most k, so
 * cheap), which says whether the set holds every product there is.
 */
const COLLAPSE = { collapse: { field: 'groupId' }, sort: [{ _score: 'desc' }, { id: 'asc' }], track_total_hits: true };

export interface KnnOptions {
  /** `rescore_vector.oversample` of every kNN (ES_KNN_OVERSAMPLE); undefined sends none. */
  oversample?: number;
}

/** The restriction the kNN itself applies: without the exclusions its caller drops from the hits. */
function vectorRestriction(r: Restriction, unfiltered: readonly string[] | undefined): Restriction {
  if (!unfiltered?.length || !r.excludeIds) return r;
  const keep = new Set(unfiltered);
  return { ...r, excludeIds: r.excludeIds.filter((id) => !keep.has(id)) };
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
    _source: hitSource(false),
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

/** One answer of an msearch, as the adapter reads it. */
export interface MsearchAnswer {
  hits: { hits: { _index: string; _source?: Source; _score?: number | null; sort?: unknown[] }[]; total?: number | { value: number } };
  aggregations?: Record<string, unknown>;
}

/**
 * A retrieval round from the answers to its planned searches, in their order. `exactIn`: the indices whose kNN scores
 * are float similarities (see toHits); keyword and id-query hits never are.
 */
export function readRetrieval(answers: readonly [PlannedSearch, MsearchAnswer][], exactIn?: ReadonlySet<string>): Retrieval {
  const out: Retrieval = {};
  for (const [p, r] of answers) {
    const exact = p.body.knn !== undefined ? exactIn : undefined;
    if (p.side === 'vector' || p.side === 'keyword') {
      out[p.side] = toHits(r.hits.hits, exact, p.matchImages);
      out.generation ??= r.hits.hits[0]?._index;
    }
    if (p.side === 'vector' && p.body.collapse) out.vectorCandidates = totalOf(r.hits.total);
    if (p.side === 'pinned') out.pinned = toHits(r.hits.hits, exact);
    if (p.facets) (out.facets ??= []).push(...parseFacetAggs(p.facets.facets, r.aggregations));
  }
  return out;
}

function totalOf(total: number | { value: number } | undefined): number {
  return typeof total === 'number' ? total : (total?.value ?? 0);
}

export function readBrowse(answers: readonly [PlannedSearch, MsearchAnswer][]): BrowsePage {
  const hits = answers[0]![1].hits;
  return {
    products: hits.hits.map((h) => ({ product: toProduct(h._source!), sortValues: h.sort ?? [] })),
    total: totalOf(hits.total),
    generation: hits.hits[0]?._index,
    facets: answers.flatMap(([p, r]) => (p.facets ? parseFacetAggs(p.facets.facets, r.aggregations) : [])),
  };
}

/** The indices the kNN hits of these answers came from (one, unless the alias moved between requests). */
export function knnHitIndices(answers: readonly [PlannedSearch, MsearchAnswer][]): Set<string> {
  const out = new Set<string>();
  for (const [p, r] of answers) if (p.body.knn !== undefined) for (const h of r.hits.hits) out.add(h._index);
  return out;
}
