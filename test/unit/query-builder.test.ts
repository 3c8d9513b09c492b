import { filterClauses, keywordQuery, knnClause, restrictionQuery } from '../../src/search/elasticsearch/query-builder';

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

  it('makes one range clause where the first bound appears, skips null and unknown arguments', () => {
    expect(filterClauses({ minPrice: 1, categories: ['x'], maxPrice: 2 })).toEqual([
      { range: { price: { gte: 1, lte: 2 } } },
      { terms: { category: ['x'] } },
    ]);
    expect(filterClauses({ maxPrice: null, minPrice: 3 } as never)).toEqual([{ range: { price: { gte: 3 } } }]);
    expect(filterClauses({ minPrice: null, maxPrice: 0 } as never)).toEqual([{ range: { price: { lte: 0 } } }]);
    expect(filterClauses({ categories: null, brands: undefined, inStock: null, colour: ['red'] } as never)).toEqual([]);
  });
});

describe('knnClause', () => {
  it('puts filters and exclusions inside the kNN so k hits come back whenever k match', () => {
    const c = knnClause({ vector: new Float32Array([0.6, 0.8]), k: 5, filter: { colors: ['red'] }, excludeIds: ['p1'] });
    expect(c).toEqual({
      field: 'image_vector',
      query_vector: [expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)],
      k: 5,
      num_candidates: 100,
      filter: { bool: { filter: [{ terms: { color: ['red'] } }], must_not: [{ ids: { values: ['p1'] } }] } },
    });
  });

  it('scales num_candidates with k, between a floor of 100 and a cap of 10,000', () => {
    expect([1, 10, 11, 50, 999, 1000, 1001, 5000].map((k) => knnClause({ vector: [1], k }).num_candidates)).toEqual([
      100, 100, 110, 500, 9990, 10_000, 10_000, 10_000,
    ]);
  });

  it('has no filter clauses and no exclusion when none are given', () => {
    expect(knnClause({ vector: [0.5, -0.5], k: 3 })).toEqual({
      field: 'image_vector',
      query_vector: [0.5, -0.5],
      k: 3,
      num_candidates: 100,
      filter: { bool: { filter: [] } },
    });
  });
});

describe('keywordQuery', () => {
  it('searches title and description under the same restriction as the vector side', () => {
    const q = keywordQuery('striped mug', { brands: ['Acme'] }, ['x']);
    expect(q).toEqual({
      bool: {
        filter: [{ terms: { brand: ['Acme'] } }],
        must_not: [{ ids: { values: ['x'] } }],
        must: [{ multi_match: { query: 'striped mug', fields: ['title^2', 'description'], type: 'most_fields' } }],
      },
    });
  });

  it('has no exclusion clause when nothing is excluded', () => {
    expect(keywordQuery('mug', undefined)).toEqual({
      bool: { filter: [], must: [{ multi_match: { query: 'mug', fields: ['title^2', 'description'], type: 'most_fields' } }] },
    });
  });
});

describe('restrictionQuery', () => {
  it('is the filter clauses plus one ids exclusion, and no must_not without exclusions', () => {
    expect(restrictionQuery(undefined)).toEqual({ bool: { filter: [] } });
    expect(restrictionQuery({ inStock: true }, [])).toEqual({ bool: { filter: [{ term: { inStock: true } }] } });
    const excluded = ['a', 'b'];
    const q = restrictionQuery({ maxPrice: 5 }, excluded);
    expect(q).toEqual({ bool: { filter: [{ range: { price: { lte: 5 } } }], must_not: [{ ids: { values: ['a', 'b'] } }] } });
    // A copy: the caller's array is not shared with the query.
    expect((q.bool as { must_not: { ids: { values: string[] } }[] }).must_not[0]!.ids.values).not.toBe(excluded);
  });
});
