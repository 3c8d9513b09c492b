import type { ProductFilter } from '../catalog/product';
import { VECTOR_FIELD } from './index-mapping';

/**
 * Translates API-level search intents into Elasticsearch query DSL. Pure functions over plain objects so the
 * translation is unit-tested without a cluster; the adapter only sends what these return.
 */

export type EsClause = Record<string, unknown>;

export function filterClauses(filter: ProductFilter | undefined): EsClause[] {
  if (!filter) return [];
  const clauses: EsClause[] = [];
  const terms = (field: string, values: string[] | undefined) => {
    if (values && values.length > 0) clauses.push({ terms: { [field]: values } });
  };
  terms('category', filter.categories);
  terms('brand', filter.brands);
  terms('color', filter.colors);
  terms('tags', filter.tags);
  if (filter.minPrice !== undefined || filter.maxPrice !== undefined) {
    const range: Record<string, number> = {};
    if (filter.minPrice !== undefined) range.gte = filter.minPrice;
    if (filter.maxPrice !== undefined) range.lte = filter.maxPrice;
    clauses.push({ range: { price: range } });
  }
  if (filter.inStock !== undefined) clauses.push({ term: { inStock: filter.inStock } });
  return clauses;
}

/** The bool query shared by the vector and keyword sides, so both honour the same filters and exclusions. */
export function restrictionQuery(filter: ProductFilter | undefined, excludeIds: readonly string[] = []): EsClause {
  const bool: Record<string, unknown> = { filter: filterClauses(filter) };
  if (excludeIds.length > 0) bool.must_not = [{ ids: { values: [...excludeIds] } }];
  return { bool };
}

export interface KnnOptions {
  vector: ArrayLike<number>;
  k: number;
  filter?: ProductFilter;
  excludeIds?: readonly string[];
}

/**
 * Filters go inside the kNN clause (pre-filtering during the HNSW walk), not in a post-filter, so `k` hits come back
 * whenever that many documents match. num_candidates trades latency for recall; 10×k with a floor of 100 keeps
 * recall close to exact on catalog-sized indices.
 */
export function knnClause(o: KnnOptions): EsClause {
  return {
    field: VECTOR_FIELD,
    query_vector: Array.from(o.vector),
    k: o.k,
    num_candidates: Math.min(10_000, Math.max(100, o.k * 10)),
    filter: restrictionQuery(o.filter, o.excludeIds),
  };
}

export const KEYWORD_FIELDS = ['title^2', 'description'];

export function keywordQuery(q: string, filter: ProductFilter | undefined, excludeIds: readonly string[] = []): EsClause {
  const restriction = restrictionQuery(filter, excludeIds).bool as Record<string, unknown>;
  return {
    bool: {
      ...restriction,
      must: [{ multi_match: { query: q, fields: KEYWORD_FIELDS, type: 'most_fields' } }],
    },
  };
}
