import { browseSort, filterClauses, groupSizesQuery, keywordQuery, knnClause, restrictionQuery } from '../../src/search/elasticsearch/query-builder';

describe('filterClauses', () => {
  it('is empty without a filter or with empty lists', () => {
    expect(filterClauses(undefined)).toEqual([]);
    expect(filterClauses({ categories: [], tags: [] })).toEqual([]);
  });

  it('translates every filter into a term-level clause', () => {
    expect(
      filterClauses({
        categories: ['mug'],
        brands: ['Acme', 'Zeta'],
        colors: ['red'],
        tags: ['sale'],
        minPrice: 5,
        maxPrice: 50,
        inStock: true,
      }),
    ).toEqual([
      { terms: { category: ['mug'] } },
      { terms: { brand: ['Acme', 'Zeta'] } },
      { terms: { color: ['red'] } },
      { terms: { tags: ['sale'] } },
      { range: { price: { gte: 5, lte: 50 } } },
      { term: { inStock: true } },
    ]);
  });

  it('keeps one-sided price ranges one-sided and inStock=false explicit', () => {
    expect(filterClauses({ maxPrice: 10 })).toEqual([{ range: { price: { lte: 10 } } }]);
    expect(filterClauses({ minPrice: 0 })).toEqual([{ range: { price: { gte: 0 } } }]);
    expect(filterClauses({ inStock: false })).toEqual([{ term: { inStock: false } }]);
  });
});

describe('knnClause', () => {
  it('puts filters and exclusions inside the kNN so k hits come back whenever k match', () => {
    const c = knnClause(new Float32Array([0.6, 0.8]), 5, 100, { filter: { colors: ['red'] }, excludeIds: ['p1'] });
    expect(c).toEqual({
      field: 'images.vector',
      query_vector: [expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)],
      k: 5,
      num_candidates: 100,
      filter: { bool: { filter: [{ terms: { color: ['red'] } }], must_not: [{ ids: { values: ['p1'] } }] } },
      inner_hits: { size: 1, _source: false, fields: [] },
    });
  });

  it('counts groups under the restriction', () => {
    expect(groupSizesQuery(['g1', 'g2'], { filter: { inStock: true } })).toEqual({
      size: 0,
      track_total_hits: false,
      query: { bool: { filter: [{ term: { inStock: true } }] } },
      aggs: { groups: { terms: { field: 'groupId', include: ['g1', 'g2'], size: 2 } } },
    });
  });

  it('keeps num_candidates fixed while k grows, and never below k', () => {
    expect([5, 50, 1000].map((k) => knnClause([1], k, 1000, {}).num_candidates)).toEqual([1000, 1000, 1000]);
    expect(knnClause([1], 1200, 1000, {}).num_candidates).toBe(1200);
  });
});

describe('keywordQuery', () => {
  it('searches title and description under the same restriction as the vector side', () => {
    const q = keywordQuery('striped mug', { filter: { brands: ['Acme'] }, excludeIds: ['x'] });
    expect(q).toEqual({
      bool: {
        ...(restrictionQuery({ filter: { brands: ['Acme'] }, excludeIds: ['x'] }).bool as object),
        must: [{ multi_match: { query: 'striped mug', fields: ['title^2', 'description'], type: 'most_fields' } }],
      },
    });
  });
});

describe('browseSort', () => {
  it('sorts by the field, missing values last, then by id', () => {
    expect(browseSort('price', true)).toEqual([{ price: { order: 'desc', missing: '_last' } }, { id: 'asc' }]);
    expect(browseSort('title', false)).toEqual([{ 'title.raw': { order: 'asc', missing: '_last' } }, { id: 'asc' }]);
    expect(browseSort('id', true)).toEqual([{ id: 'desc' }]);
  });

  it('refuses a field the table does not declare sortable', () => {
    expect(() => browseSort('brand', false)).toThrow(RangeError);
  });
});
