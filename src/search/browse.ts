import type { ProductFilter } from '../catalog/product';
import type { FieldName } from '../catalog/product-fields';
import type { ProductIndex } from '../catalog/product-index';
import type { BrowseResult } from '../catalog/search-result';
import { CursorProblem, InvalidCursorError } from '../common/errors';
import { decodeCursor, encodeCursor, fingerprint } from './pipeline/cursor';
import { orderFacets, planFacets, type FacetRanges } from './pipeline/facets';

export interface BrowseRequest {
  filter?: ProductFilter;
  sort: { field: FieldName; descending: boolean };
  first: number;
  after?: string;
  facets?: readonly FieldName[];
}

/**
 * The catalog a page at a time, in a field's order. Pages continue with search_after on (field, id), so they never
 * repeat or skip while the catalog is unchanged, cost the same however deep they go (no depth limit), and after a
 * write simply continue from the last product served: products written behind that point are not seen again.
 */
export async function browseCatalog(index: Pick<ProductIndex, 'browse'>, req: BrowseRequest, ranges: FacetRanges): Promise<BrowseResult> {
  const cursor = req.after != null ? decodeCursor(req.after, 'browse') : undefined;
  const query = fingerprint({ filter: req.filter, sort: req.sort });
  if (cursor && cursor.query !== query) throw new InvalidCursorError(CursorProblem.OTHER_QUERY);
  // One more than the page, to know whether there is a next one.
  const restriction = { filter: req.filter };
  const facets = planFacets(req.facets, restriction, ranges);
  const page = await index.browse({ restriction, sort: req.sort, size: req.first + 1, after: cursor?.after, facets });
  const generation = page.generation && fingerprint(page.generation);
  if (cursor && generation && cursor.generation !== generation) throw new InvalidCursorError(CursorProblem.STALE_INDEX);
  const shown = page.products.slice(0, req.first);
  const last = shown[shown.length - 1];
  return {
    products: shown.map((p) => p.product),
    pageInfo: {
      hasNextPage: page.products.length > req.first,
      endCursor: last && generation ? encodeCursor({ kind: 'browse', query, generation, after: last.sortValues }) : undefined,
    },
    totalCount: page.total,
    facets: orderFacets(req.facets, page.facets),
  };
}
