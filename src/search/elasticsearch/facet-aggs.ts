import type { FacetDefinition } from '../../catalog/product-index';
import type { FacetResult, FacetValue } from '../../catalog/search-result';
import type { EsClause } from './query-builder';

/**
 * Facets as Elasticsearch aggregations, and back. Pure, so both directions are unit-tested without a cluster.
 * Terms facets count the most frequent values (count descending, then value ascending, Elasticsearch's order);
 * range facets count every bucket, empty ones included, with `from` inclusive and `to` exclusive.
 */

const aggName = (d: FacetDefinition) => `facet_${d.field}`;

export function facetAggs(defs: readonly FacetDefinition[]): Record<string, EsClause> {
  return Object.fromEntries(
    defs.map((d) => [
      aggName(d),
      d.ranges ? { range: { field: d.field, ranges: rangeBuckets(d.ranges) } } : { terms: { field: d.field, size: d.size } },
    ]),
  );
}

/** [10, 25] -> up to 10, 10 to 25, from 25. */
export function rangeBuckets(bounds: readonly number[]): { from?: number; to?: number }[] {
  return [...bounds, undefined].map((to, i) => ({ ...(i > 0 ? { from: bounds[i - 1] } : {}), ...(to !== undefined ? { to } : {}) }));
}

interface TermsBucket {
  key: string | number;
  key_as_string?: string;
  doc_count: number;
}

interface RangeBucket {
  from?: number;
  to?: number;
  doc_count: number;
}

export function parseFacetAggs(defs: readonly FacetDefinition[], aggs: Record<string, unknown> | undefined): FacetResult[] {
  return defs.map((d) => {
    const buckets = ((aggs?.[aggName(d)] as { buckets?: unknown[] } | undefined)?.buckets ?? []) as (TermsBucket & RangeBucket)[];
    const values: FacetValue[] = d.ranges
      ? buckets.map((b) => ({ value: rangeLabel(b.from, b.to), count: b.doc_count, from: b.from, to: b.to }))
      : buckets.map((b) => ({ value: String(b.key_as_string ?? b.key), count: b.doc_count }));
    return { field: d.field, values };
  });
}

export function rangeLabel(from?: number, to?: number): string {
  return `${from ?? '*'}-${to ?? '*'}`;
}
