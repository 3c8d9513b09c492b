import type { ProductFilter } from '../../catalog/product';
import { fieldSpec, filterArguments, type FieldName } from '../../catalog/product-fields';
import type { FacetDefinition, FacetQuery, Restriction } from '../../catalog/product-index';
import type { FacetResult } from '../../catalog/search-result';

/**
 * Disjunctive faceting, as shops expect it: a facet's counts honour every restriction of the request except its own
 * filter, so choosing "red" in the colour facet still shows how many blue ones there are. Facets whose field the
 * request does not filter share one count under the request's own restriction; each facet whose field is filtered
 * gets its own, with that filter removed.
 */

/** How many values a terms facet returns (the most frequent). */
export const FACET_VALUES = 20;

/** Bucket bounds per range facet field (config: FACET_PRICE_RANGES). */
export type FacetRanges = Partial<Record<FieldName, readonly number[]>>;

export function planFacets(fields: readonly FieldName[] | undefined, restriction: Restriction, ranges: FacetRanges): FacetQuery[] {
  const shared = { restriction, facets: [] as FacetDefinition[] };
  const own: FacetQuery[] = [];
  for (const field of new Set(fields ?? [])) {
    const kind = fieldSpec(field).facet;
    if (!kind) throw new RangeError(`${field} does not facet`);
    const definition = { field, size: FACET_VALUES, ...(kind === 'ranges' ? { ranges: ranges[field] ?? [] } : {}) };
    const args = filterArguments(field);
    if (args.some((a) => isActive(restriction.filter, a))) {
      own.push({ restriction: { ...restriction, filter: without(restriction.filter!, args) }, facets: [definition] });
    } else {
      shared.facets.push(definition);
    }
  }
  return shared.facets.length > 0 ? [shared, ...own] : own;
}

/** The counts in the order the request named the fields (a field named twice is counted once). */
export function orderFacets(fields: readonly FieldName[] | undefined, counted: readonly FacetResult[] | undefined): FacetResult[] {
  const byField = new Map((counted ?? []).map((f) => [f.field, f]));
  return [...new Set(fields ?? [])].map((field) => byField.get(field) ?? { field, values: [] });
}

function isActive(filter: ProductFilter | undefined, arg: string): boolean {
  const value = (filter as Record<string, unknown> | undefined)?.[arg];
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

function without(filter: ProductFilter, args: readonly string[]): ProductFilter {
  return Object.fromEntries(Object.entries(filter).filter(([k]) => !args.includes(k))) as ProductFilter;
}
