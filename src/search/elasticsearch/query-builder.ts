import type { ProductFilter } from '../../catalog/product';
import type { Restriction } from '../../catalog/product-index';
import { FIELD_NAMES, fieldSpec, type FieldName, type FilterSpec } from '../../catalog/product-fields';
import { VECTOR_FIELD } from './index-mapping';

/**
 * Translates API-level search intents into Elasticsearch query DSL. Pure functions over plain objects so the
 * translation is unit-tested without a cluster; the adapter only sends what these return.
 */

export type EsClause = Record<string, unknown>;

/** Filter argument name -> the field it restricts and how, from the field table. */
const FILTERS = new Map<string, { field: FieldName; filter: FilterSpec }>(
  FIELD_NAMES.flatMap((field) => {
    const filter: FilterSpec | undefined = fieldSpec(field).filter;
    if (!filter) return [];
    const names = 'anyOf' in filter ? [filter.anyOf] : 'range' in filter ? [...filter.range] : [filter.is];
    return names.map((name) => [name, { field, filter }] as const);
  }),
);

/** Term-level clauses for a filter, in the order the caller gave its arguments (a range's bounds make one clause). */
export function filterClauses(filter: ProductFilter | undefined): EsClause[] {
  if (!filter) return [];
  const clauses: EsClause[] = [];
  const ranged = new Set<FieldName>();
  const given = filter as Record<string, unknown>;
  for (const [name, value] of Object.entries(given)) {
    const target = FILTERS.get(name);
    if (!target || value === undefined || value === null) continue;
    const { field, filter: spec } = target;
    if ('anyOf' in spec) {
      if ((value as unknown[]).length > 0) clauses.push({ terms: { [field]: value } });
    } else if ('is' in spec) {
      clauses.push({ term: { [field]: value } });
    } else if (!ranged.has(field)) {
      ranged.add(field);
      const [lo, hi] = spec.range.map((n) => given[n]);
      const range: Record<string, unknown> = {};
      if (lo !== undefined && lo !== null) range.gte = lo;
      if (hi !== undefined && hi !== null) range.lte = hi;
      clauses.push({ range: { [field]: range } });
    }
  }
  return clauses;
}

/** The bool query shared by the vector and keyword sides, so both honour the same filters and exclusions. */
export function restrictionQuery(r: Restriction = {}): EsClause {
  const bool: Record<string, unknown> = { filter: filterClauses(r.filter) };
  if (r.excludeIds && r.excludeIds.length > 0) bool.must_not = [{ ids: { values: [...r.excludeIds] } }];
  return { bool };
}

/**
 * Filters go inside the kNN clause (pre-filtering during the HNSW walk), not in a post-filter, so `k` hits come back
 * whenever that many documents match. `num_candidates` is the caller's and stays fixed while `k` grows, so the
 * nearest `k` are always a prefix of the nearest `k'` > `k`.
 */
export function knnClause(
  vector: ArrayLike<number>,
  k: number,
  numCandidates: number,
  restriction: Restriction,
  o: { excludeGroups?: readonly string[]; minSimilarity?: number; onlyIds?: readonly string[]; oversample?: number; innerHits?: boolean } = {},
): EsClause {
  const filter = restrictionQuery(restriction) as { bool: Record<string, unknown[]> };
  if (o.excludeGroups?.length) filter.bool.must_not = [...(filter.bool.must_not ?? []), { terms: { groupId: [...o.excludeGroups] } }];
  if (o.onlyIds) filter.bool.filter = [...(filter.bool.filter ?? []), { ids: { values: [...o.onlyIds] } }];
  return {
    field: VECTOR_FIELD,
    query_vector: Array.from(vector),
    k,
    num_candidates: Math.max(k, numCandidates),
    filter,
    // For dot_product over unit vectors, Elasticsearch's `similarity` is the cosine itself.
    ...(o.minSimilarity !== undefined ? { similarity: o.minSimilarity } : {}),
    // Quantised index types: the top ceil(k × oversample) candidates are rescored with the stored float vectors
    // (0 turns it off, also bbq's mapping default). Float indices ignore it.
    ...(o.oversample !== undefined ? { rescore_vector: { oversample: o.oversample } } : {}),
    // The vectors are nested (one per image): a product scores as its best image, and this says which one it was
    // (an exact kNN over each hit's images, one small search per hit). Hits that carry their vectors leave it out:
    // their reader picks the same image from the vectors (source.ts nearestImage).
    ...(o.innerHits === false ? {} : { inner_hits: { size: 1, _source: false, fields: [] } }),
  };
}

/**
 * How many products of each given group pass the restriction. The query names the groups too, so only their products
 * are collected: without it the aggregation visits every product the restriction lets through (the whole catalog for
 * "more like this"), ≈ 2 ms of Elasticsearch time at 100k products against 0.2 ms.
 */
export function groupSizesQuery(groupIds: readonly string[], restriction: Restriction): EsClause {
  const bool = restrictionQuery(restriction).bool as { filter: EsClause[] };
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { ...bool, filter: [...bool.filter, { terms: { groupId: [...groupIds] } }] } },
    aggs: { groups: { terms: { field: 'groupId', include: [...groupIds], size: groupIds.length } } },
  };
}

/** Browse order: the field's sort (missing values last), then id, so search_after never repeats or skips. */
export function browseSort(field: FieldName, descending: boolean): EsClause[] {
  const sort: { by: string } | undefined = fieldSpec(field).sort;
  if (!sort) throw new RangeError(`${field} is not sortable`);
  const order = descending ? 'desc' : 'asc';
  return field === 'id' ? [{ id: order }] : [{ [sort.by]: { order, missing: '_last' } }, { id: 'asc' }];
}

/** Fields BM25 searches, with their boosts from the field table: `title^2`, `description`. */
export const KEYWORD_FIELDS = FIELD_NAMES.flatMap((name) => {
  const search: { boost: number } | undefined = fieldSpec(name).search;
  return search ? [search.boost === 1 ? name : `${name}^${search.boost}`] : [];
});

export function keywordQuery(q: string, restriction: Restriction): EsClause {
  const bool = restrictionQuery(restriction).bool as Record<string, unknown>;
  return { bool: { ...bool, must: [{ multi_match: { query: q, fields: KEYWORD_FIELDS, type: 'most_fields' } }] } };
}

/**
 * One page of the products whose free-form attribute `name` is `value` (attributes are `flattened`, so each key is a
 * keyword subfield), in id order: ids and write stamps only, no source, no total.
 */
export function attributePageQuery(name: string, value: string, page: { size: number; after?: string }): EsClause {
  return {
    size: page.size,
    query: { bool: { filter: [{ term: { [`attributes.${name}`]: value } }] } },
    sort: [{ id: 'asc' }],
    ...(page.after !== undefined ? { search_after: [page.after] } : {}),
    _source: false,
    seq_no_primary_term: true,
    track_total_hits: false,
  };
}
