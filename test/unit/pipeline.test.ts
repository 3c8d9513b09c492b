import type { StoredRule } from '../../src/catalog/merchandising';
import type { RetrievalQuery } from '../../src/catalog/product-index';
import type { SearchRequest } from '../../src/catalog/search-request';
import { CursorProblem, InvalidCursorError, PageDepthExceededError } from '../../src/common/errors';
import { decodeCursor, fingerprint } from '../../src/search/pipeline/cursor';
import { runSearch, type PipelineDeps } from '../../src/search/pipeline/pipeline';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, inlineImage, storedDoc, unit } from '../support/fakes';

/**
 * runSearch (pipeline/pipeline.ts) on its own, against the in-memory index: the first window each kind of query asks
 * for, the restriction it sends, the cursor it writes and what counts as the same query, the empty answers, and the
 * stored rules it consults.
 */

const DIMS = 4;
const pad = (i: number) => String(i).padStart(2, '0');
/** p00 nearest … p19 farthest from the seed; titles say "mug" for even ones; odd ones are Acme. */
const DOCS = [
  storedDoc('seed', unit(DIMS, 1), { category: 'mug', groupId: 'S' }),
  ...Array.from({ length: 20 }, (_, i) =>
    storedDoc(`p${pad(i)}`, unit(DIMS, 0.95 - i / 100), { title: i % 2 ? 'Plain thing' : 'Red mug', brand: i % 2 ? 'Acme' : 'Zeta', groupId: `G${Math.floor(i / 2)}` }),
  ),
];

function setup(docs = DOCS, stored: StoredRule[] = []) {
  const index = new InMemoryProductIndex(docs);
  const embedder = new FakeEmbedder('fake-model@00000000', DIMS).text('mug', unit(DIMS, 1)).image('photo-a', unit(DIMS, 1)).image('photo-b', unit(DIMS, 0.9));
  let reads = 0;
  const rules = {
    async all() {
      reads++;
      return stored;
    },
  };
  const deps: PipelineDeps = { index, embedder, images: new FakeImageSource(), options: { facetRanges: {} }, rules };
  const run = (req: Partial<SearchRequest>) => runSearch(deps, { first: 3, ...req });
  return { index, deps, run, reads: () => reads };
}
const ids = (r: { hits: { product: { id: string } }[] }) => r.hits.map((h) => h.product.id);
const retrieves = (index: InMemoryProductIndex) => index.callsOf('retrieve').map(([q]) => q as RetrievalQuery);

describe('runSearch: the first window', () => {
  it('is the page plus one and a margin, more for hybrid fusion and for the stages with fixed windows', async () => {
    const sizes = async (req: Partial<SearchRequest>) => {
      const { index, run } = setup();
      await run(req);
      const [q] = retrieves(index);
      return [q!.vector?.size, q!.keyword?.size, q!.withVectors];
    };
    // A page of 2 needs 3: ceil(3 × 1.25) + 2 = 6.
    expect(await sizes({ text: 'mug', first: 2 })).toEqual([6, undefined, false]);
    expect(await sizes({ keywords: 'mug', first: 2 })).toEqual([undefined, 6, false]);
    // Hybrid fuses tiers of 50: ceil(50 × 1.25) + 2 = 65 on both sides.
    expect(await sizes({ text: 'mug', keywords: 'mug', first: 2 })).toEqual([65, 65, false]);
    // Boosts re-rank the best 100; diversity picks from the best 50, with the hits' vectors.
    expect(await sizes({ text: 'mug', first: 2, rules: { boosts: [{ filter: { brands: ['acme'] }, weight: 0.1 }] } })).toEqual([127, undefined, false]);
    expect(await sizes({ text: 'mug', first: 2, diversity: 0.5 })).toEqual([65, undefined, true]);
    // A later page needs everything before it too: offset 3 + 2 + 1.
    const { run } = setup();
    const after = (await run({ text: 'mug', first: 3 })).pageInfo.endCursor;
    const next = setup();
    await next.run({ text: 'mug', first: 2, after });
    expect(retrieves(next.index)[0]!.vector!.size).toBe(10);
  });

  it('stops growing once the page plus one is settled, and says the page is exhaustive', async () => {
    // Six products at distinct distances, then ten at one distance: a window of 10 settles exactly the first six.
    const docs = [
      storedDoc('seed', unit(DIMS, 1)),
      ...Array.from({ length: 6 }, (_, i) => storedDoc(`d${i}`, unit(DIMS, 0.9 - i / 100))),
      ...Array.from({ length: 10 }, (_, i) => storedDoc(`t${i}`, unit(DIMS, 0.5))),
    ];
    const { index, run } = setup(docs);
    const r = await run({ seedId: 'seed', first: 5 });
    expect([ids(r), r.exhaustive, r.pageInfo.hasNextPage]).toEqual([['d0', 'd1', 'd2', 'd3', 'd4'], true, true]);
    expect(retrieves(index)).toHaveLength(1);
    // A page of 6 needs a seventh settled: the window grows past the tie.
    const six = setup(docs);
    const r6 = await six.run({ seedId: 'seed', first: 6 });
    expect([ids(r6), r6.exhaustive, retrieves(six.index).length]).toEqual([['d0', 'd1', 'd2', 'd3', 'd4', 'd5'], true, 2]);
  });
});

describe('runSearch: the restriction', () => {
  it('excludes what the query starts from, the caller\'s ids and the hidden ones, each once; pins and floors ride along', async () => {
    const { index, run } = setup();
    const r = await run({
      seedId: 'seed',
      excludeIds: ['p00', 'p00'],
      minSimilarity: 0.5,
      rules: { hides: ['p01', 'p00'], pins: [{ id: 'p10', position: 1 }] },
    });
    expect(ids(r)).toEqual(['p10', 'p02', 'p03']);
    const [q] = retrieves(index);
    expect([q!.restriction, q!.pinned, q!.vector!.minSimilarity, q!.vector!.unfiltered]).toEqual([
      { filter: undefined, excludeIds: ['seed', 'p00', 'p01'] },
      ['p10'],
      0.5,
      ['seed'],
    ]);
  });

  it('filters rather than drops the starting products when there are more than 8 of them', async () => {
    const eight = setup();
    await eight.run({ positiveIds: DOCS.slice(1, 9).map((d) => d.id) });
    expect(retrieves(eight.index)[0]!.vector!.unfiltered).toEqual(DOCS.slice(1, 9).map((d) => d.id));
    const nine = setup();
    await nine.run({ positiveIds: DOCS.slice(1, 10).map((d) => d.id) });
    expect(retrieves(nine.index)[0]!.vector!.unfiltered).toBeUndefined();
  });
});

describe('runSearch: empty answers', () => {
  it('asks nothing when the signals cancel out, and answers every facet asked for with no values', async () => {
    const docs = [storedDoc('p', unit(DIMS, 1)), storedDoc('anti', unit(DIMS, -1))];
    const { index, run } = setup(docs);
    const r = await run({ positiveIds: ['p', 'anti', 'ghost'], facets: ['brand', 'color'] });
    expect(r).toStrictEqual({
      hits: [],
      pageInfo: { hasNextPage: false },
      exhaustive: true,
      unknownIds: ['ghost'],
      facets: [
        { field: 'brand', values: [] },
        { field: 'color', values: [] },
      ],
    });
    expect(index.calls.map((c) => c.method)).toEqual(['getQuerySeeds']);
  });

  it('answers the counted facets when nothing matched the filters', async () => {
    const { run } = setup();
    const r = await run({ seedId: 'seed', filter: { brands: ['nobody'] }, facets: ['brand'] });
    expect(r).toStrictEqual({
      hits: [],
      pageInfo: { hasNextPage: false },
      exhaustive: true,
      unknownIds: [],
      // The brand facet ignores the brand filter (disjunctive): every candidate but the seed, by brand.
      facets: [{ field: 'brand', values: [{ value: 'acme', count: 10 }, { value: 'zeta', count: 10 }] }],
    });
  });

  it('writes no cursor for a page with no hits after the last one', async () => {
    const docs = DOCS.slice(0, 4);
    const { run } = setup(docs);
    const r = await run({ seedId: 'seed', first: 3 });
    expect([ids(r), r.pageInfo.hasNextPage]).toEqual([['p00', 'p01', 'p02'], false]);
    const past = await run({ seedId: 'seed', first: 3, after: r.pageInfo.endCursor });
    expect([ids(past), past.pageInfo, past.exhaustive]).toEqual([[], { hasNextPage: false, endCursor: undefined }, true]);
  });
});

describe('runSearch: cursors', () => {
  afterEach(() => jest.restoreAllMocks());

  it('carry the query, the index generation, the offset, the last product and the ranking time', async () => {
    const { run } = setup();
    jest.spyOn(Date, 'now').mockReturnValue(1_800_000_000_000);
    const r = await run({ seedId: 'seed', first: 2 });
    expect(decodeCursor(r.pageInfo.endCursor!, 'search')).toEqual({
      kind: 'search',
      query: expect.stringMatching(/^[0-9a-f]{16}$/),
      generation: fingerprint('in-memory-1'),
      offset: 2,
      anchor: 'p01',
      at: 1_800_000_000_000,
    });
  });

  it('later pages rank with the first page\'s time, so recency boosts do not move between pages', async () => {
    const days = (n: number) => new Date(Date.parse('2025-01-01T00:00:00Z') + n * 86_400_000).toISOString();
    // Nearer products are older: with a recency boost, the newest climb.
    const docs = [storedDoc('seed', unit(DIMS, 1)), ...Array.from({ length: 6 }, (_, i) => storedDoc(`r${i}`, unit(DIMS, 0.9 - i / 100), { updatedAt: days(i * 10) }))];
    const { run } = setup(docs);
    const req = { seedId: 'seed', rules: { boosts: [{ recencyHalfLifeDays: 10, weight: 0.2 }] } };
    jest.spyOn(Date, 'now').mockReturnValue(Date.parse(days(50)));
    const whole = await run({ ...req, first: 6 });
    const page1 = await run({ ...req, first: 3 });
    // Much later, the boosts would all be ~0 and the order the plain kNN's.
    jest.spyOn(Date, 'now').mockReturnValue(Date.parse(days(5000)));
    const page2 = await run({ ...req, first: 3, after: page1.pageInfo.endCursor });
    expect(ids(whole)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1', 'r0']);
    expect([...ids(page1), ...ids(page2)]).toEqual(ids(whole));
    expect(page2.hits.map((h) => h.score)).toEqual(whole.hits.slice(3).map((h) => h.score));
  });

  it('belong to one query: any change that can change the ranking makes another query', async () => {
    const { deps, run } = setup();
    (deps.embedder as FakeEmbedder).text('cup', unit(DIMS, 0.9));
    const base = { seedId: 'seed', first: 1 };
    const after = (await run(base)).pageInfo.endCursor;
    const other = new InvalidCursorError(CursorProblem.OTHER_QUERY);
    for (const change of [
      { text: 'mug' },
      { seedId: 'p00' },
      { positiveIds: ['p05'] },
      { negativeIds: ['p19'] },
      { modifier: 'cup' },
      { keywords: 'mug' },
      { filter: { inStock: true } },
      { excludeIds: ['p10'] },
      { collapse: true },
      { diversity: 0.5 },
      { minSimilarity: 0.1 },
      { autocut: 1 },
      { rules: { hides: ['p10'] } },
      { useStoredRules: false },
    ]) {
      await expect(run({ ...base, ...change, after })).rejects.toEqual(other);
    }
    const photo = (await run({ image: inlineImage('photo-a'), first: 1 })).pageInfo.endCursor;
    await expect(run({ image: inlineImage('photo-b'), first: 1, after: photo })).rejects.toEqual(other);
    expect(ids(await run({ image: inlineImage('photo-a'), first: 1, after: photo }))).toEqual(['p00']);
  });

  it('survive changes that cannot change the ranking: defaults spelled out, the page size, explain, relations, facets', async () => {
    const { run } = setup();
    const base = { seedId: 'seed', first: 1 };
    const after = (await run(base)).pageInfo.endCursor;
    for (const same of [
      { modifierWeight: 3 },
      { collapse: false },
      { diversity: 0 },
      { autocut: 0 },
      { useStoredRules: true },
      { first: 4 },
      { explain: true },
      { relations: false },
      { facets: ['brand' as const] },
    ]) {
      expect(ids(await run({ ...base, ...same, after }))[0]).toBe('p01');
    }
  });

  it('refuse a page past the depth bound before any work', async () => {
    const { index, run } = setup();
    await expect(run({ seedId: 'seed', first: 1001 })).rejects.toEqual(new PageDepthExceededError(1000, 1001));
    expect(index.calls).toEqual([]);
    await run({ seedId: 'seed', first: 1000 });
    expect(index.calls.length).toBeGreaterThan(0);
  });
});

describe('runSearch: stored rules', () => {
  const rule = (id: string, context: StoredRule['context'], hides: string[]): StoredRule => ({ id, priority: 0, enabled: true, context, hides, updatedAt: 'x' });

  it('are read unless the request turns them off', async () => {
    const { run, reads } = setup(DOCS, [rule('all', {}, ['p00'])]);
    expect(ids(await run({ seedId: 'seed', first: 1 }))).toEqual(['p01']);
    expect(reads()).toBe(1);
    expect(ids(await run({ seedId: 'seed', first: 1, useStoredRules: false }))).toEqual(['p00']);
    expect(reads()).toBe(1);
  });

  it('match the request\'s text, else its keywords, normalised, and the categories it filters on', async () => {
    const stored = [rule('by-query', { queries: ['red mug'] }, ['p00']), rule('by-category', { categories: ['lamp'] }, ['seed', 'p02'])];
    const { deps, run } = setup(DOCS, stored);
    (deps.embedder as FakeEmbedder).text('  Red   MUG ', unit(DIMS, 1));
    expect(ids(await run({ text: '  Red   MUG ', first: 2 }))).toEqual(['seed', 'p01']);
    expect(ids(await run({ keywords: 'red mug', first: 2 }))).toEqual(['p02', 'p04']);
    // With a text, the text decides: 'mug' is no rule's query, and p00 leads the fused list.
    expect(ids(await run({ text: 'mug', keywords: 'red mug', first: 2 }))).toEqual(['p00', 'p02']);
    // Only the seed is in a listed category; the lamp rule applies by the filter and hides it.
    expect(ids(await run({ text: 'mug', filter: { categories: ['lamp', 'mug'] }, first: 1 }))).toEqual([]);
    expect(ids(await run({ text: 'mug', filter: { categories: ['mug'] }, first: 1 }))).toEqual(['seed']);
    // The seed's own category counts too: the seed is a mug, not a lamp.
    expect(ids(await run({ seedId: 'seed', first: 3 }))).toEqual(['p00', 'p01', 'p02']);
  });
});

describe('runSearch: hits', () => {
  it('keyword hits carry no similarity or matched image; vector hits carry both', async () => {
    const { run } = setup();
    const [kw] = (await run({ keywords: 'mug', first: 1 })).hits;
    expect([kw!.similarity, 'matchedImage' in kw!, 'explain' in kw!]).toEqual([undefined, false, false]);
    const [v] = (await run({ seedId: 'seed', first: 1 })).hits;
    expect([v!.similarity, v!.matchedImage]).toEqual([0.95, { index: 0, url: undefined }]);
  });

  it('collapsed hits carry their group\'s size under the restriction, counted once per group, 1 when the engine has no count', async () => {
    const { index, run } = setup();
    const r = await run({ seedId: 'seed', collapse: true, first: 2, excludeIds: ['p01'] });
    expect(r.hits.map((h) => [h.product.id, h.groupSize])).toEqual([
      ['p00', 1],
      ['p02', 2],
    ]);
    expect(index.callsOf('groupSizes')).toEqual([[['G0', 'G1'], { filter: undefined, excludeIds: ['seed', 'p01'] }]]);
    const plain = await run({ seedId: 'seed', first: 1 });
    expect('groupSize' in plain.hits[0]!).toBe(false);

    const { deps } = setup();
    const uncounted: PipelineDeps = { ...deps, index: { ...pick(deps.index as InMemoryProductIndex), groupSizes: async () => new Map() } };
    const u = await runSearch(uncounted, { seedId: 'seed', collapse: true, first: 2 });
    expect(u.hits.map((h) => h.groupSize)).toEqual([1, 1]);
  });
});

function pick(index: InMemoryProductIndex): PipelineDeps['index'] {
  return {
    getQuerySeeds: (ids) => index.getQuerySeeds(ids),
    getDocuments: (ids) => index.getDocuments(ids),
    retrieve: (q) => index.retrieve(q),
    groupSizes: (g, r) => index.groupSizes(g, r),
  };
}
