import { attributePageQuery, browseSort, filterClauses, groupSizesQuery, KEYWORD_FIELDS, keywordQuery, knnClause, restrictionQuery } from '../../src/search/elasticsearch/query-builder';

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

  it('counts groups under the restriction, collecting only their products', () => {
    expect(groupSizesQuery(['g1', 'g2'], { filter: { inStock: true }, excludeIds: ['p1'] })).toEqual({
      size: 0,
      track_total_hits: false,
      query: { bool: { filter: [{ term: { inStock: true } }, { terms: { groupId: ['g1', 'g2'] } }], must_not: [{ ids: { values: ['p1'] } }] } },
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
    expect(() => browseSort('brand', false)).toThrow(new RangeError('brand is not sortable'));
  });
});

/** Exact bodies, compared with toStrictEqual: a key set to undefined is not the same request as no key. */
describe('exact clauses', () => {
  it('skips arguments that are absent, null or not filters, and bounds a range only on the sides given', () => {
    const loose = { brands: undefined, colors: null, inStock: null, minPrice: null, maxPrice: 10, nope: ['x'] } as never;
    expect(filterClauses(loose)).toStrictEqual([{ range: { price: { lte: 10 } } }]);
    expect(filterClauses({ minPrice: 3, maxPrice: null } as never)).toStrictEqual([{ range: { price: { gte: 3 } } }]);
    expect(filterClauses({ maxPrice: 10 })).toStrictEqual([{ range: { price: { lte: 10 } } }]);
    expect(filterClauses({ minPrice: 0 })).toStrictEqual([{ range: { price: { gte: 0 } } }]);
    // Both bounds make one clause, wherever the second one comes in the argument order.
    expect(filterClauses({ maxPrice: 9, inStock: true, minPrice: 1 })).toStrictEqual([{ range: { price: { gte: 1, lte: 9 } } }, { term: { inStock: true } }]);
  });

  it('excludes ids only when there are some', () => {
    expect(restrictionQuery()).toStrictEqual({ bool: { filter: [] } });
    expect(restrictionQuery({ excludeIds: [] })).toStrictEqual({ bool: { filter: [] } });
    expect(restrictionQuery({ excludeIds: ['a', 'b'] })).toStrictEqual({ bool: { filter: [], must_not: [{ ids: { values: ['a', 'b'] } }] } });
  });

  it('keyword query: BM25 over title (boost 2) and description, inside the restriction', () => {
    expect(KEYWORD_FIELDS).toStrictEqual(['title^2', 'description']);
    expect(keywordQuery('striped mug', { filter: { brands: ['Acme'] }, excludeIds: ['x'] })).toStrictEqual({
      bool: {
        filter: [{ terms: { brand: ['Acme'] } }],
        must_not: [{ ids: { values: ['x'] } }],
        must: [{ multi_match: { query: 'striped mug', fields: ['title^2', 'description'], type: 'most_fields' } }],
      },
    });
  });

  it('kNN: excluded groups join the excluded ids, pinned ids join the filters, floors and oversampling only when given', () => {
    const inner_hits = { size: 1, _source: false, fields: [] };
    const base = { field: 'images.vector', query_vector: [1, 0], k: 3, num_candidates: 10, inner_hits };
    expect(knnClause([1, 0], 3, 10, { excludeIds: ['x'] }, { excludeGroups: ['g1', 'g2'] })).toStrictEqual({
      ...base,
      filter: { bool: { filter: [], must_not: [{ ids: { values: ['x'] } }, { terms: { groupId: ['g1', 'g2'] } }] } },
    });
    expect(knnClause([1, 0], 3, 10, {}, { excludeGroups: ['g1'] }).filter).toStrictEqual({ bool: { filter: [], must_not: [{ terms: { groupId: ['g1'] } }] } });
    expect(knnClause([1, 0], 3, 10, {}, { excludeGroups: [] }).filter).toStrictEqual({ bool: { filter: [] } });
    expect(knnClause([1, 0], 3, 10, { filter: { inStock: true } }, { onlyIds: ['p1', 'p2'] }).filter).toStrictEqual({
      bool: { filter: [{ term: { inStock: true } }, { ids: { values: ['p1', 'p2'] } }] },
    });
    expect(knnClause([1, 0], 3, 10, {}, { onlyIds: ['p1'] }).filter).toStrictEqual({ bool: { filter: [{ ids: { values: ['p1'] } }] } });
    expect(knnClause([1, 0], 3, 10, {}, { minSimilarity: 0, oversample: 0 })).toStrictEqual({
      ...base,
      filter: { bool: { filter: [] } },
      similarity: 0,
      rescore_vector: { oversample: 0 },
    });
    expect(knnClause([1, 0], 3, 10, {})).toStrictEqual({ ...base, filter: { bool: { filter: [] } } });
  });

  it('attribute pages: ids and write stamps in id order, after the last id when given', () => {
    const page = {
      size: 50,
      query: { bool: { filter: [{ term: { 'attributes.feedId': 'f1' } }] } },
      sort: [{ id: 'asc' }],
      _source: false,
      seq_no_primary_term: true,
      track_total_hits: false,
    };
    expect(attributePageQuery('feedId', 'f1', { size: 50 })).toStrictEqual(page);
    expect(attributePageQuery('feedId', 'f1', { size: 50, after: 'p9' })).toStrictEqual({ ...page, search_after: ['p9'] });
    expect(attributePageQuery('feedId', 'f1', { size: 50, after: '' })).toStrictEqual({ ...page, search_after: [''] });
  });
});
