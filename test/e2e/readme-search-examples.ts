import type { FixtureProduct } from '../support/catalog';

/**
 * Checks of the README's "Search features" examples (readme-examples.test.ts runs them with the rest): each tests
 * its comment's claim against the catalog records or a control query, not against the example's own answer alone.
 */

export interface ExampleCtx {
  run(variables?: Record<string, unknown>): Promise<Record<string, any>>;
  gql(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>>;
  byId: Map<string, FixtureProduct['record']>;
  catalog: FixtureProduct[];
}

type Hit = { product: { id: string }; similarity?: number };
const ids = (hits: Hit[]) => hits.map((h) => h.product.id);
const similar = async (c: ExampleCtx, first: number): Promise<Hit[]> =>
  (await c.gql(`{ similarProducts(id: "p-000042", first: ${first}) { ... on ProductHits { hits { similarity product { id } } } } }`)).similarProducts.hits;

export const SEARCH_EXPECTATIONS: Record<string, (c: ExampleCtx) => Promise<void>> = {
  "Paging: the first 4 products like p-000042, then the next 4 (pass the first page's pageInfo.endCursor as $after);": async (c) => {
    const first = (await c.run({ after: null })).similarProducts;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await c.run({ after: first.pageInfo.endCursor })).similarProducts;
    expect([...ids(first.hits), ...ids(second.hits)]).toEqual(ids(await similar(c, 8)));
    expect(new Set([...ids(first.hits), ...ids(second.hits)]).size).toBe(8);
  },

  'Browse the catalog: mugs, cheapest first, with the total count (25 mugs in the sample catalog)': async (c) => {
    const mugs = c.catalog.map((p) => p.record).filter((r) => r.category === 'mug');
    expect(mugs).toHaveLength(25);
    const r = (await c.run()).browseProducts;
    expect(r.totalCount).toBe(25);
    const cheapest = [...mugs].sort((a, b) => a.price - b.price || (a.id < b.id ? -1 : 1)).slice(0, 5);
    expect(r.products.map((p: { id: string }) => p.id)).toEqual(cheapest.map((m) => m.id));
    expect(r.pageInfo.hasNextPage).toBe(true);
  },

  'Facets beside a search: red products for "striped mug" with colour and category counts; the colour filter does': async (c) => {
    const r = (await c.run()).searchByText;
    expect(r.hits.length).toBeGreaterThan(0);
    for (const id of ids(r.hits)) expect(c.byId.get(id)!.color).toBe('red');
    const [colour, category] = r.facets;
    expect(colour.field).toBe('COLOR');
    expect(colour.values.map((v: { value: string }) => v.value)).toContain('red');
    expect(colour.values.length).toBeGreaterThan(1);
    // The category counts are of red products only.
    expect(category.field).toBe('CATEGORY');
    const redCategories = new Set(c.catalog.filter((p) => p.record.color === 'red').map((p) => p.record.category));
    for (const v of category.values) expect(redCategories.has(v.value)).toBe(true);
  },

  'Variants with several images (a write: needs the API key): two colours of one style, each with two pictures,': async (c) => {
    expect((await c.run()).ingestProducts.summary).toEqual({ created: 2, failed: 0 });
  },

  'One product per style: searching by the red picture finds the style once, first, with groupSize 2 and the image': async (c) => {
    const r = (await c.run()).searchByImage;
    expect(r.exhaustive).toBe(true);
    const ofStyle = r.hits.filter((h: { product: { groupId: string } }) => h.product.groupId === 'tee-style-1');
    expect(ofStyle).toHaveLength(1);
    expect(r.hits[0]).toBe(ofStyle[0]);
    // tee-red has the red picture first, tee-blue second.
    const redAt = { 'tee-red': 0, 'tee-blue': 1 } as Record<string, number>;
    expect(ofStyle[0]).toMatchObject({ groupSize: 2, matchedImage: { index: redAt[ofStyle[0].product.id] } });
    for (const id of ['tee-blue', 'tee-red']) await c.gql(`mutation { deleteProduct(id: "${id}", refresh: true) { __typename } }`);
  },

  'Only good matches: like p-000042, at least 0.9 similar and cut at the first jump in similarity (autocut): the': async (c) => {
    // Where the jump falls moves with int8 scores by a few thousandths between index builds: 1 to 3 hits measured.
    const hits: Hit[] = (await c.run()).similarProducts.hits;
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.length).toBeLessThan(8);
    expect(hits.every((h) => h.similarity! >= 0.9)).toBe(true);
    const plain = await similar(c, 8);
    expect(ids(hits)).toEqual(ids(plain).slice(0, hits.length));
    expect(plain.filter((h) => h.similarity! >= 0.9).length).toBeGreaterThan(3);
  },

  'A varied strip: 8 sunglasses like p-000042 with diversity 0.5; the nearest stays first, and sunglasses from': async (c) => {
    const hits: Hit[] = (await c.run()).similarProducts.hits;
    expect(hits).toHaveLength(8);
    for (const id of ids(hits)) expect(c.byId.get(id)!.category).toBe('sunglasses');
    const plain = ids(await similar(c, 8));
    expect(ids(hits)[0]).toBe(plain[0]);
    expect(ids(hits).filter((id) => !plain.includes(id)).length).toBeGreaterThan(0);
  },

  'Merchandising per query: pin the red p-000172 first, hide p-000163 (the nearest), and lift blue ones a little;': async (c) => {
    const plain = ids(await similar(c, 20));
    expect(plain[0]).toBe('p-000163');
    const got = ids((await c.run()).similarProducts.hits);
    expect(got[0]).toBe('p-000172');
    expect(got).not.toContain('p-000163');
    const blue = got.filter((id) => c.byId.get(id)!.color === 'blue');
    expect(blue.length).toBeGreaterThan(0);
    // Each blue one ranks above a product that was nearer to p-000042 than it.
    for (const id of blue) expect(got.slice(got.indexOf(id) + 1).some((other) => plain.indexOf(other) < plain.indexOf(id))).toBe(true);
  },

  'A stored merchandising rule (a write: needs the API key): every search that starts from a sunglasses product, or': async (c) => {
    expect(c.byId.get('p-000172')).toMatchObject({ category: 'sunglasses', color: 'red' });
    const saved = (await c.run()).saveMerchandisingRule;
    expect(saved).toMatchObject({
      __typename: 'MerchandisingRule',
      id: 'sunglasses-promo',
      context: { categories: ['sunglasses'] },
      pins: [{ id: 'p-000172', position: 1 }],
      hides: ['p-000163'],
    });
    // Stored, not just echoed: the rule list (write key only) has it.
    const stored = (await c.gql('{ merchandisingRules { id } }')).merchandisingRules.map((r: { id: string }) => r.id);
    expect(stored).toContain('sunglasses-promo');
  },

  'The stored rule at work, with no rules in the request: more like p-000042 starts with p-000172, pinned by the': async (c) => {
    const STORED = { source: 'STORED', ruleId: 'sunglasses-promo' };
    try {
      const r = (await c.run()).similarProducts;
      const got = ids(r.hits);
      expect(got[0]).toBe('p-000172');
      expect(r.hits[0].explain.pinnedBy).toEqual({ position: 1, rule: STORED });
      expect(got).not.toContain('p-000163');
      expect(r.explanation.rulesApplied).toEqual([STORED]);
      expect(r.explanation.hidden).toEqual([{ productId: 'p-000163' }]);
      // The control: without stored rules the list is the plain one, nearest p-000163 first, p-000172 not in the top 5.
      const plain = ids(
        (await c.gql('{ similarProducts(id: "p-000042", first: 8, useStoredRules: false) { ... on ProductHits { hits { product { id } } } } }'))
          .similarProducts.hits,
      );
      expect(plain[0]).toBe('p-000163');
      expect(plain.slice(0, 5)).not.toContain('p-000172');
      // After the pin, the page is the plain ranking without the hidden product.
      expect(got.slice(1)).toEqual(plain.filter((id) => id !== 'p-000163' && id !== 'p-000172').slice(0, 4));
    } finally {
      // Later examples start from p-000042 too; they describe the catalog without this rule.
      await c.gql('mutation { deleteMerchandisingRule(id: "sunglasses-promo") { __typename } }');
    }
  },

  'Why each hit is where it is: hybrid search with explain gives each hit its vector and keyword ranks and their': async (c) => {
    const hits = (await c.run()).searchByText.hits;
    expect(hits).toHaveLength(3);
    for (const h of hits) {
      const e = h.explain;
      expect(e.finalScore).toBe(h.score);
      expect(e.vectorRrfContribution).toBeCloseTo(1 / (60 + e.vectorRank), 12);
      expect(e.keywordRrfContribution).toBeCloseTo(1 / (60 + e.keywordRank), 12);
      expect(e.vectorRrfContribution + e.keywordRrfContribution).toBeCloseTo(h.score, 12);
    }
  },

  "Discover: more like p-000042 (black dotted sunglasses) but in red: the catalog's three red sunglasses come first": async (c) => {
    expect(c.byId.get('p-000042')).toMatchObject({ category: 'sunglasses', color: 'black', pattern: 'dotted' });
    const red = c.catalog.filter((p) => p.record.category === 'sunglasses' && p.record.color === 'red').map((p) => p.record.id);
    expect(red).toHaveLength(3);
    const hits = (await c.run()).discover.hits;
    expect(ids(hits).slice(0, 3).sort()).toEqual(red.sort());
    // Without the modifier, none of them is among the first five.
    for (const id of red) expect(ids(await similar(c, 5))).not.toContain(id);
  },
};
