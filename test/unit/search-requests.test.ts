import { FIELD_NAMES } from '../../src/catalog/product-fields';
import type { FacetQuery } from '../../src/catalog/product-index';
import {
  browseSearches,
  knnHitIndices,
  readBrowse,
  readRetrieval,
  retrievalSearches,
  type MsearchAnswer,
  type PlannedSearch,
} from '../../src/search/elasticsearch/search-requests';

/**
 * What goes to the cluster in one msearch, written out as Elasticsearch reads it (collapsing, keyword and pinned
 * requests, browse pages), and how the answers are read back. retrieval-requests.test.ts covers the kNN's k and filter.
 */

const SOURCE = { includes: [...FIELD_NAMES, 'images.url', 'images.sha256'], exclude_vectors: true };
const INNER_HITS = { size: 1, _source: false, fields: [] };
const MATCH_MUG = { multi_match: { query: 'mug', fields: ['title^2', 'description'], type: 'most_fields' } };
const brandCounts = { facet_brand: { terms: { field: 'brand', size: 20 } } };
const facet = (field: 'brand' | 'color' | 'inStock', restriction: FacetQuery['restriction']): FacetQuery => ({ restriction, facets: [{ field, size: 20 }] });

describe('retrievalSearches: the bodies', () => {
  it('collapses a kNN page to one hit per group (best score, then id), over the whole candidate set, with its total', () => {
    const planned = retrievalSearches({
      restriction: { filter: { colors: ['red'] }, excludeIds: ['x'] },
      vector: { vector: [1, 0], from: 10, size: 10, numCandidates: 100, collapse: true, excludeGroups: ['g9'], minSimilarity: 0.5 },
    });
    expect(planned).toEqual([
      {
        side: 'vector',
        body: {
          _source: SOURCE,
          knn: {
            field: 'images.vector',
            query_vector: [1, 0],
            k: 100,
            num_candidates: 100,
            filter: { bool: { filter: [{ terms: { color: ['red'] } }], must_not: [{ ids: { values: ['x'] } }, { terms: { groupId: ['g9'] } }] } },
            similarity: 0.5,
            inner_hits: INNER_HITS,
          },
          from: 10,
          size: 10,
          collapse: { field: 'groupId' },
          sort: [{ _score: 'desc' }, { id: 'asc' }],
          track_total_hits: true,
        },
      },
    ]);
  });

  it('counts the facets that share the vector side\'s restriction on its own request', () => {
    const [vector] = retrievalSearches({ restriction: {}, vector: { vector: [1, 0], from: 0, size: 5, numCandidates: 50 }, facets: [facet('brand', {})] });
    expect(vector!.body.aggs).toEqual(brandCounts);
    expect([vector!.body.track_total_hits, vector!.body._source]).toEqual([false, SOURCE]);
  });

  it('asks a keyword side for BM25 matches, its own facets on it, other facets as size-0 keyword requests', () => {
    const restriction = { excludeIds: ['x'] };
    const planned = retrievalSearches({ restriction, keyword: { q: 'mug', from: 5, size: 5 }, facets: [facet('color', {}), facet('brand', restriction)] });
    expect(planned).toEqual([
      {
        side: 'keyword',
        facets: facet('brand', restriction),
        body: {
          _source: SOURCE,
          track_total_hits: false,
          query: { bool: { filter: [], must_not: [{ ids: { values: ['x'] } }], must: [MATCH_MUG] } },
          from: 5,
          size: 5,
          aggs: brandCounts,
        },
      },
      {
        facets: facet('color', {}),
        body: { size: 0, track_total_hits: false, aggs: { facet_color: { terms: { field: 'color', size: 20 } } }, query: { bool: { filter: [], must: [MATCH_MUG] } } },
      },
    ]);
  });

  it('asks for pinned products by id under the restriction, or as a kNN over only those ids to score them', () => {
    const restriction = { filter: { inStock: true }, excludeIds: ['x'] };
    const [, byIds] = retrievalSearches({ restriction, keyword: { q: 'mug', from: 0, size: 5 }, pinned: ['p1', 'p2'] });
    expect(byIds).toEqual({
      side: 'pinned',
      body: {
        _source: SOURCE,
        track_total_hits: false,
        size: 2,
        query: { bool: { filter: [{ term: { inStock: true } }], must_not: [{ ids: { values: ['x'] } }], must: [{ ids: { values: ['p1', 'p2'] } }] } },
      },
    });
    const [, scored] = retrievalSearches({ restriction, vector: { vector: [1, 0], from: 0, size: 5, numCandidates: 50, minSimilarity: 0.9 }, pinned: ['p1', 'p2'] });
    expect(scored!.body).toEqual({
      _source: SOURCE,
      track_total_hits: false,
      size: 2,
      knn: {
        field: 'images.vector',
        query_vector: [1, 0],
        k: 2,
        num_candidates: 2,
        filter: { bool: { filter: [{ term: { inStock: true } }, { ids: { values: ['p1', 'p2'] } }], must_not: [{ ids: { values: ['x'] } }] } },
        inner_hits: INNER_HITS,
      },
    });
    expect(retrievalSearches({ restriction, keyword: { q: 'mug', from: 0, size: 5 }, pinned: [] }).map((p) => p.side)).toEqual(['keyword']);
  });

  it('counts every facet of a hybrid query in a request of its own, in the order given, kNN and keywords together', () => {
    const planned = retrievalSearches({
      restriction: {},
      vector: { vector: [1, 0], from: 0, size: 5, numCandidates: 50, minSimilarity: 0.5 },
      keyword: { q: 'mug', from: 0, size: 5 },
      facets: [facet('brand', {}), facet('color', { excludeIds: ['x'] })],
    });
    expect(planned.map((p) => [p.side, p.facets?.facets[0]!.field, p.body.aggs !== undefined])).toEqual([
      ['vector', undefined, false],
      ['keyword', undefined, false],
      [undefined, 'brand', true],
      [undefined, 'color', true],
    ]);
    const knn = planned[3]!.body.knn as Record<string, unknown>;
    expect([knn.k, knn.num_candidates, knn.similarity, knn.filter]).toEqual([50, 50, 0.5, { bool: { filter: [], must_not: [{ ids: { values: ['x'] } }] } }]);
  });

  it('searches one more candidate per unfiltered id, and filters nothing out when nothing is excluded', () => {
    const [vector] = retrievalSearches({ restriction: {}, vector: { vector: [1, 0], from: 0, size: 5, numCandidates: 50, unfiltered: ['seed'] } });
    expect([(vector!.body.knn as { num_candidates: number }).num_candidates, (vector!.body.knn as { filter: unknown }).filter]).toEqual([51, { bool: { filter: [] } }]);
  });
});

const hit = (id: string, index: string, sort?: unknown[]) => ({ _index: index, _score: 1, _source: { id, title: id, images: [{ sha256: `${id}-0` }] } as never, ...(sort ? { sort } : {}) });
const answer = (hits: ReturnType<typeof hit>[], o: { total?: MsearchAnswer['hits']['total']; aggregations?: Record<string, unknown> } = {}): MsearchAnswer => ({
  hits: { hits, ...(o.total !== undefined ? { total: o.total } : {}) },
  ...(o.aggregations ? { aggregations: o.aggregations } : {}),
});
const brandBuckets = { facet_brand: { buckets: [{ key: 'acme', doc_count: 3 }] } };

describe('readRetrieval', () => {
  it('reads each side, the pins, the facets, and the generation of the first side with hits', () => {
    const planned = retrievalSearches({
      restriction: {},
      vector: { vector: [1, 0], from: 0, size: 5, numCandidates: 50 },
      keyword: { q: 'mug', from: 0, size: 5 },
      facets: [facet('brand', {})],
      pinned: ['p'],
    });
    expect(planned.map((p) => p.side)).toEqual(['vector', 'keyword', undefined, 'pinned']);
    const answers = [answer([]), answer([hit('k', 'idx-b'), hit('l', 'idx-a')]), answer([], { aggregations: brandBuckets }), answer([hit('p', 'idx-c')])];
    const r = readRetrieval(planned.map((p, i) => [p, answers[i]!]));
    expect(Object.keys(r).sort()).toEqual(['facets', 'generation', 'keyword', 'pinned', 'vector']);
    expect([r.vector, r.keyword!.map((h) => h.product.id), r.pinned!.map((h) => h.product.id), r.generation]).toEqual([[], ['k', 'l'], ['p'], 'idx-b']);
    expect(r.facets).toEqual([{ field: 'brand', values: [{ value: 'acme', count: 3 }] }]);
  });

  it('reads how many products a collapsed kNN\'s candidate set holds, from either form of the total', () => {
    const [collapsed] = retrievalSearches({ restriction: {}, vector: { vector: [1, 0], from: 0, size: 5, numCandidates: 50, collapse: true } });
    const read = (total: MsearchAnswer['hits']['total']) => readRetrieval([[collapsed!, answer([hit('a', 'idx-a')], { total })]]);
    expect([read({ value: 37 }).vectorCandidates, read(12).vectorCandidates]).toEqual([37, 12]);
    expect(read(12).vector!.map((h) => h.product.id)).toEqual(['a']);
    // Nothing else: no pins asked, no facets.
    expect(Object.keys(read(12)).sort()).toEqual(['generation', 'vector', 'vectorCandidates']);
    const [plain] = retrievalSearches({ restriction: {}, vector: { vector: [1, 0], from: 0, size: 5, numCandidates: 50 } });
    expect('vectorCandidates' in readRetrieval([[plain!, answer([hit('a', 'idx-a')], { total: 3 })]])).toBe(false);
  });
});

describe('browseSearches', () => {
  const inStock = { filter: { inStock: true } };

  it('asks a page in the sort order after the last one, exact total, with the facets under its own restriction', () => {
    const planned = browseSearches({ restriction: inStock, sort: { field: 'price', descending: true }, size: 3, after: [10, 'p3'], facets: [facet('inStock', {}), facet('brand', inStock)] });
    expect(planned).toEqual([
      {
        side: 'browse',
        facets: facet('brand', inStock),
        body: {
          query: { bool: { filter: [{ term: { inStock: true } }] } },
          sort: [{ price: { order: 'desc', missing: '_last' } }, { id: 'asc' }],
          search_after: [10, 'p3'],
          size: 3,
          track_total_hits: true,
          _source: SOURCE,
          aggs: brandCounts,
        },
      },
      {
        facets: facet('inStock', {}),
        body: { size: 0, track_total_hits: false, query: { bool: { filter: [] } }, aggs: { facet_inStock: { terms: { field: 'inStock', size: 20 } } } },
      },
    ]);
  });

  it('starts at the first page, and counts facets of other restrictions apart, whatever their place in the list', () => {
    const first = browseSearches({ restriction: inStock, sort: { field: 'id', descending: false }, size: 3, facets: [facet('brand', inStock), facet('inStock', {})] });
    expect(first.map((p) => [p.side, p.facets?.facets[0]!.field])).toEqual([['browse', 'brand'], [undefined, 'inStock']]);
    expect([first[0]!.body.sort, 'search_after' in first[0]!.body]).toEqual([[{ id: 'asc' }], false]);
    const apart = browseSearches({ restriction: inStock, sort: { field: 'id', descending: false }, size: 3, facets: [facet('inStock', {})] });
    expect(apart.map((p) => [p.side, p.facets?.facets[0]!.field, 'aggs' in p.body])).toEqual([['browse', undefined, false], [undefined, 'inStock', true]]);
  });
});

describe('readBrowse', () => {
  const plan = (facets?: FacetQuery[]): PlannedSearch[] => browseSearches({ restriction: {}, sort: { field: 'id', descending: false }, size: 2, ...(facets ? { facets } : {}) });

  it('reads the products with their sort values, the total, the generation and the facets of every request', () => {
    const [page, other] = plan([facet('brand', {}), facet('color', { excludeIds: ['x'] })]);
    const r = readBrowse([
      [page!, answer([hit('a', 'idx-a', ['a']), hit('b', 'idx-a', ['b'])], { total: { value: 9 }, aggregations: brandBuckets })],
      [other!, answer([], { aggregations: { facet_color: { buckets: [{ key: 'red', doc_count: 2 }] } } })],
    ]);
    expect([r.products.map((p) => [p.product.id, p.sortValues]), r.total, r.generation]).toEqual([[['a', ['a']], ['b', ['b']]], 9, 'idx-a']);
    expect(r.facets).toEqual([
      { field: 'brand', values: [{ value: 'acme', count: 3 }] },
      { field: 'color', values: [{ value: 'red', count: 2 }] },
    ]);
  });

  it('reads an empty page past the end: no products, the total, no generation, no facets', () => {
    expect(readBrowse([[plan()[0]!, answer([], { total: 4 })]])).toEqual({ products: [], total: 4, generation: undefined, facets: [] });
  });
});

describe('knnHitIndices', () => {
  it('are the indices the kNN hits came from, not the keyword hits\'', () => {
    const [vector, keyword, counts] = retrievalSearches({
      restriction: {},
      vector: { vector: [1, 0], from: 0, size: 5, numCandidates: 50 },
      keyword: { q: 'mug', from: 0, size: 5 },
      facets: [facet('brand', {})],
    });
    const indices = knnHitIndices([
      [vector!, answer([hit('a', 'idx-a'), hit('b', 'idx-b'), hit('c', 'idx-a')])],
      [keyword!, answer([hit('d', 'idx-k')])],
      [counts!, answer([])],
    ]);
    expect([...indices].sort()).toEqual(['idx-a', 'idx-b']);
  });
});
