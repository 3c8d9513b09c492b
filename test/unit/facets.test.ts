import { facetAggs, parseFacetAggs, rangeBuckets } from '../../src/search/elasticsearch/facet-aggs';
import { retrievalSearches } from '../../src/search/elasticsearch/search-requests';
import { orderFacets, planFacets } from '../../src/search/pipeline/facets';
import { SearchService } from '../../src/search/search.service';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, storedDoc, unit } from '../support/fakes';

/** Disjunctive facets: planning, the aggregations they become, and the counts a search answers. */

describe('planFacets', () => {
  const restriction = { filter: { colors: ['red'], minPrice: 10, inStock: true }, excludeIds: ['x'] };

  it('counts unfiltered fields together under the request, and each filtered field without its own filter', () => {
    expect(planFacets(['brand', 'color', 'price', 'brand'], restriction, { price: [10, 50] })).toEqual([
      { restriction, facets: [{ field: 'brand', size: 20 }] },
      { restriction: { filter: { minPrice: 10, inStock: true }, excludeIds: ['x'] }, facets: [{ field: 'color', size: 20 }] },
      { restriction: { filter: { colors: ['red'], inStock: true }, excludeIds: ['x'] }, facets: [{ field: 'price', size: 20, ranges: [10, 50] }] },
    ]);
  });

  it('treats an empty list as no filter, and plans nothing without facets', () => {
    expect(planFacets(['category'], { filter: { categories: [] } }, {})).toEqual([{ restriction: { filter: { categories: [] } }, facets: [{ field: 'category', size: 20 }] }]);
    expect(planFacets(undefined, restriction, {})).toEqual([]);
  });

  it('refuses a field the table does not facet', () => {
    expect(() => planFacets(['title'], {}, {})).toThrow(RangeError);
  });

  it('answers in the order asked, with empty counts for anything not counted', () => {
    const counted = [{ field: 'color' as const, values: [{ value: 'red', count: 2 }] }];
    expect(orderFacets(['brand', 'color'], counted)).toEqual([{ field: 'brand', values: [] }, ...counted]);
  });
});

describe('facet aggregations', () => {
  it('are terms for values and ranges for buckets, open at both ends', () => {
    expect(rangeBuckets([10, 25])).toEqual([{ to: 10 }, { from: 10, to: 25 }, { from: 25 }]);
    expect(facetAggs([{ field: 'color', size: 20 }, { field: 'price', size: 20, ranges: [10] }])).toEqual({
      facet_color: { terms: { field: 'color', size: 20 } },
      facet_price: { range: { field: 'price', ranges: [{ to: 10 }, { from: 10 }] } },
    });
  });

  it('parse back, booleans as true/false and ranges labelled from-to', () => {
    const defs = [{ field: 'inStock' as const, size: 20 }, { field: 'price' as const, size: 20, ranges: [10] }];
    const aggs = {
      facet_inStock: { buckets: [{ key: 1, key_as_string: 'true', doc_count: 7 }, { key: 0, key_as_string: 'false', doc_count: 2 }] },
      facet_price: { buckets: [{ key: '*-10.0', to: 10, doc_count: 3 }, { key: '10.0-*', from: 10, doc_count: 6 }] },
    };
    expect(parseFacetAggs(defs, aggs)).toEqual([
      { field: 'inStock', values: [{ value: 'true', count: 7 }, { value: 'false', count: 2 }] },
      { field: 'price', values: [{ value: '*-10', count: 3, from: undefined, to: 10 }, { value: '10-*', count: 6, from: 10, to: undefined }] },
    ]);
  });

  it('ride on a single side when they share its restriction, in the same msearch otherwise', () => {
    const restriction = { filter: { colors: ['red'] } };
    const shared = { restriction, facets: [{ field: 'brand' as const, size: 20 }] };
    const own = { restriction: {}, facets: [{ field: 'color' as const, size: 20 }] };
    const planned = retrievalSearches({ restriction, vector: { vector: [1, 0], from: 0, size: 11, numCandidates: 1000 }, facets: [shared, own] });
    expect(planned.map((p) => [p.side, p.facets?.facets.map((f) => f.field), p.body.size, (p.body.knn as { k: number }).k])).toEqual([
      ['vector', ['brand'], 11, 1000],
      [undefined, ['color'], 0, 1000],
    ]);
    // Hybrid: the union of both sides is its own request.
    const hybrid = retrievalSearches({ restriction, vector: { vector: [1, 0], from: 0, size: 50, numCandidates: 1000 }, keyword: { q: 'mug', from: 0, size: 50 }, facets: [shared] });
    expect(hybrid.map((p) => [p.side, Boolean(p.body.knn), Boolean(p.body.query), p.body.size])).toEqual([
      ['vector', true, false, 50],
      ['keyword', false, true, 50],
      [undefined, true, true, 0],
    ]);
  });
});

describe('SearchService facets', () => {
  const DIMS = 4;
  const docs = [
    storedDoc('seed', unit(DIMS, 1), { color: 'Red', brand: 'Acme', price: 5 }),
    storedDoc('r1', unit(DIMS, 0.9), { color: 'red', brand: 'Acme', price: 12, tags: ['sale', 'new'] }),
    storedDoc('r2', unit(DIMS, 0.8), { color: 'RED', brand: 'Zeta', price: 30, tags: ['sale'] }),
    storedDoc('b1', unit(DIMS, 0.7), { color: 'blue', brand: 'Acme', price: 60, inStock: false }),
    storedDoc('g1', unit(DIMS, 0.6), { color: 'green', brand: 'Zeta' }),
  ];
  const search = () => new SearchService(new InMemoryProductIndex(docs), new FakeEmbedder(), new FakeImageSource(), { facetRanges: { price: [10, 50] } });

  it('counts over the candidates, and a facet\'s own filter does not narrow its counts (disjunctive)', async () => {
    const r = await search().similarProducts('seed', { first: 1, filter: { colors: ['red'], brands: ['acme'] }, facets: ['color', 'brand', 'tags', 'price', 'inStock'] });
    expect(r.hits.map((h) => h.product.id)).toEqual(['r1']);
    expect(r.facets).toEqual([
      // Colour ignores the colour filter but keeps the brand filter: Acme's red and blue products (the seed excluded).
      { field: 'color', values: [{ value: 'blue', count: 1 }, { value: 'red', count: 1 }] },
      // Brand ignores the brand filter but keeps the colour filter.
      { field: 'brand', values: [{ value: 'acme', count: 1 }, { value: 'zeta', count: 1 }] },
      { field: 'tags', values: [{ value: 'new', count: 1 }, { value: 'sale', count: 1 }] },
      {
        field: 'price',
        values: [
          { value: '*-10', count: 0, from: undefined, to: 10 },
          { value: '10-50', count: 1, from: 10, to: 50 },
          { value: '50-*', count: 0, from: 50, to: undefined },
        ],
      },
      { field: 'inStock', values: [{ value: 'true', count: 1 }] },
    ]);
  });

  it('counts browse facets over every product under the filters, with the same disjunctive rule', async () => {
    const r = await search().browse({ sort: { field: 'id', descending: false }, first: 1, filter: { inStock: true }, facets: ['inStock', 'brand'] });
    expect(r.facets).toEqual([
      { field: 'inStock', values: [{ value: 'true', count: 4 }, { value: 'false', count: 1 }] },
      { field: 'brand', values: [{ value: 'acme', count: 2 }, { value: 'zeta', count: 2 }] },
    ]);
  });
});
