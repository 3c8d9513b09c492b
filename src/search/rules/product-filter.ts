import type { Product, ProductFilter } from '../../catalog/product';
import { FIELD_NAMES, fieldSpec, type FieldName, type FilterSpec } from '../../catalog/product-fields';

/**
 * Whether a product passes a filter, with the same meaning Elasticsearch gives it (query-builder's filterClauses):
 * any-of lists, inclusive ranges, exact booleans, keyword fields compared lowercase where their mapping normalises.
 * Boost rules use it on the candidates already fetched, so they need no round trip.
 */
export function productMatches(p: Product, filter: ProductFilter): boolean {
  const given = filter as Record<string, unknown>;
  return FIELD_NAMES.every((field) => {
    const spec: FilterSpec | undefined = fieldSpec(field).filter;
    if (!spec) return true;
    const values = valuesOf(p, field);
    if ('anyOf' in spec) {
      const wanted = given[spec.anyOf] as unknown[] | undefined | null;
      if (!wanted || wanted.length === 0) return true;
      return wanted.some((w) => values.includes(normalise(field, w)));
    }
    if ('is' in spec) {
      const wanted = given[spec.is];
      return wanted === undefined || wanted === null || values.includes(wanted);
    }
    const [lo, hi] = spec.range.map((name) => given[name] as number | undefined | null);
    if ((lo === undefined || lo === null) && (hi === undefined || hi === null)) return true;
    return values.some((v) => typeof v === 'number' && (lo == null || v >= lo) && (hi == null || v <= hi));
  });
}

function valuesOf(p: Product, field: FieldName): unknown[] {
  const raw = p[field] as unknown;
  return (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((v) => normalise(field, v));
}

function normalise(field: FieldName, v: unknown): unknown {
  const lower = (fieldSpec(field).es as { normalizer?: string }).normalizer === 'lowercase';
  return lower && typeof v === 'string' ? v.toLowerCase() : v;
}
