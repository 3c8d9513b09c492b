import { SearchMode } from '../../src/catalog/product';
import { ContradictoryRulesError, InvalidInputError, RuleConflictKind, RuleNotFoundError } from '../../src/common/errors';
import { MerchandisingService } from '../../src/search/merchandising.service';
import { SearchService } from '../../src/search/search.service';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, InMemoryRuleStore, storedDoc, unit } from '../support/fakes';

/** Diversity, cuts and merchandising rules through SearchService, against the in-memory index and rule store. */
const DIMS = 4;
const ids = (r: { hits: { product: { id: string } }[] }) => r.hits.map((h) => h.product.id);

/** p00 nearest … p19 farthest from the seed; odd ones are Acme, every fourth out of stock. */
const docs = [
  storedDoc('seed', unit(DIMS, 1), { category: 'mug' }),
  ...Array.from({ length: 20 }, (_, i) =>
    storedDoc(`p${String(i).padStart(2, '0')}`, unit(DIMS, 0.95 - i / 100), { brand: i % 2 ? 'Acme' : 'Zeta', inStock: i % 4 !== 3, category: 'mug' }),
  ),
];

function setup(extraDocs = docs) {
  const store = new InMemoryRuleStore();
  let clock = 1_000_000;
  const rules = new MerchandisingService(store, { cacheTtlMs: 5000, now: () => clock });
  const index = new InMemoryProductIndex(extraDocs);
  const search = new SearchService(index, new FakeEmbedder(), new FakeImageSource(), { facetRanges: {} }, rules);
  return { index, store, rules, search, tick: (ms: number) => (clock += ms) };
}

describe('per-query merchandising rules', () => {
  it('boosts, buries, pins and hides, and still fills the page', async () => {
    const { search } = setup();
    const r = await search.similarProducts('seed', {
      first: 5,
      rules: {
        boosts: [
          { filter: { brands: ['acme'] }, weight: 0.03 },
          { filter: { inStock: false }, weight: -1 },
        ],
        pins: [{ id: 'p18', position: 2 }],
        hides: ['p01'],
      },
    });
    // Scores are (1 + cos) / 2, 0.005 apart: Acme products climb 0.03 (six steps), out-of-stock ones (p03, p07, …)
    // sink, p01 is hidden, and p18 takes position 2 with its own score.
    expect(ids(r)).toEqual(['p05', 'p18', 'p00', 'p02', 'p09']);
    expect(r.hits.map((h) => h.score)).toEqual([0.98, 0.885, 0.975, 0.965, 0.96]);
  });

  it('never shows a pinned product the filters exclude, and fills its place', async () => {
    const { search } = setup();
    const r = await search.similarProducts('seed', { first: 3, filter: { brands: ['zeta'] }, rules: { pins: [{ id: 'p01', position: 1 }] } });
    expect(ids(r)).toEqual(['p00', 'p02', 'p04']);
  });

  it('refuses contradictory rules with every conflict listed, before any work', async () => {
    const { index, search } = setup();
    const err = await search
      .similarProducts('seed', { first: 3, rules: { pins: [{ id: 'p02', position: 1 }, { id: 'p03', position: 1 }], hides: ['p02'] } })
      .catch((e: unknown) => e);
    expect(err).toEqual(
      new ContradictoryRulesError([
        { kind: RuleConflictKind.PINNED_AND_HIDDEN, productId: 'p02' },
        { kind: RuleConflictKind.POSITION_TAKEN, position: 1 },
      ]),
    );
    expect(index.calls).toEqual([]);
    await expect(search.similarProducts('seed', { first: 3, rules: { boosts: [{ weight: 1 }] } })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('boosts with collapsing rank the same list whatever the page size, when the first round holds few groups', async () => {
    // Ten styles of 110 variants each fill the kNN's 1,000 candidates: its first round of groups is those ten, all of
    // them settled, fewer than the boosts' window of 100. Acme products further away come only with the next round,
    // and the boost lifts them above every style: the first page must already know them.
    const catalog = [
      storedDoc('seed', unit(DIMS, 1)),
      ...Array.from({ length: 1100 }, (_, i) => storedDoc(`v${String(i).padStart(4, '0')}`, unit(DIMS, 0.9 - Math.floor(i / 110) / 100), { groupId: `style${Math.floor(i / 110)}` })),
      ...Array.from({ length: 5 }, (_, i) => storedDoc(`acme${i}`, unit(DIMS, 0.5 - i / 100), { brand: 'Acme' })),
    ];
    const { search } = setup(catalog);
    const rules = { boosts: [{ filter: { brands: ['acme'] }, weight: 1 }] };
    const page = (first: number) => search.similarProducts('seed', { first, collapse: true, rules });
    const large = await page(15);
    expect(ids(large).slice(0, 6)).toEqual(['acme0', 'acme1', 'acme2', 'acme3', 'acme4', 'v0000']);
    expect(ids(await page(3))).toEqual(['acme0', 'acme1', 'acme2']);
  });
});

describe('stored rules', () => {
  const rule = (id: string, extra: object = {}) => ({ id, priority: 0, enabled: true, context: {}, ...extra });

  it('apply by context, and lose to the request\'s own rules where they contradict (hides still win)', async () => {
    const { rules, search } = setup();
    await rules.save(rule('mugs', { context: { categories: ['mug'] }, pins: [{ id: 'p10', position: 1 }, { id: 'p11', position: 2 }], hides: ['p00'] }));
    await rules.save(rule('lamps', { context: { categories: ['lamp'] }, hides: ['p02'] }));
    // The seed is a mug: 'mugs' applies, 'lamps' does not. The request pins p12 to position 1, which wins.
    const r = await search.similarProducts('seed', { first: 4, rules: { pins: [{ id: 'p12', position: 1 }, { id: 'p00', position: 3 }] } });
    expect(ids(r)).toEqual(['p12', 'p11', 'p01', 'p02']);
    const without = await search.similarProducts('seed', { first: 2, useStoredRules: false });
    expect(ids(without)).toEqual(['p00', 'p01']);
  });

  it('are refused on save when they contradict themselves, and reported missing on delete', async () => {
    const { rules, store } = setup();
    await expect(rules.save(rule('bad', { pins: [{ id: 'a', position: 1 }, { id: 'a', position: 2 }] }))).rejects.toEqual(
      new ContradictoryRulesError([{ kind: RuleConflictKind.PINNED_TWICE, productId: 'a' }]),
    );
    expect(store.rules.size).toBe(0);
    await expect(rules.delete('nope')).rejects.toEqual(new RuleNotFoundError('nope'));
  });

  it('are cached for the TTL; a save through this replica is seen at once, one through another after the TTL', async () => {
    const { rules, store, search, tick } = setup();
    await search.similarProducts('seed', { first: 1 });
    await search.similarProducts('seed', { first: 1 });
    expect(store.reads).toBe(1);
    await rules.save(rule('here', { hides: ['p00'] }));
    expect(ids(await search.similarProducts('seed', { first: 1 }))).toEqual(['p01']);
    // Another replica writes straight to the store: this one keeps its copy until the TTL runs out.
    await store.save({ ...rule('elsewhere', { hides: ['p01'] }), updatedAt: 'x' });
    expect(ids(await search.similarProducts('seed', { first: 1 }))).toEqual(['p01']);
    tick(5000);
    expect(ids(await search.similarProducts('seed', { first: 1 }))).toEqual(['p02']);
  });
});

describe('diversity and cuts', () => {
  // Five near-copies of one picture right next to the seed, then distinct products a little further away.
  const copies = [
    storedDoc('seed', unit(DIMS, 1)),
    ...Array.from({ length: 5 }, (_, i) => storedDoc(`copy${i}`, unit(DIMS, 0.95 - i / 1000, 1))),
    storedDoc('other2', unit(DIMS, 0.9, 2)),
    storedDoc('other3', unit(DIMS, 0.89, 3)),
    storedDoc('far', unit(DIMS, 0.2, 2)),
  ];

  it('diversity lets different products through between near-copies', async () => {
    const { search } = setup(copies);
    expect(ids(await search.similarProducts('seed', { first: 3 }))).toEqual(['copy0', 'copy1', 'copy2']);
    expect(ids(await search.similarProducts('seed', { first: 3, diversity: 0.5 }))).toEqual(['copy0', 'other2', 'other3']);
  });

  it('minSimilarity is a hard floor, and autocut stops at the first gap', async () => {
    const { search } = setup(copies);
    const floor = await search.similarProducts('seed', { first: 10, minSimilarity: 0.5 });
    expect(ids(floor)).toEqual(['copy0', 'copy1', 'copy2', 'copy3', 'copy4', 'other2', 'other3']);
    const cut = await search.similarProducts('seed', { first: 10, autocut: 1 });
    expect([ids(cut), cut.pageInfo.hasNextPage]).toEqual([['copy0', 'copy1', 'copy2', 'copy3', 'copy4', 'other2', 'other3'], false]);
  });

  it('autocut with collapsing cuts the same list whatever the page size, when the first window holds few groups', async () => {
    // Keyword scores are the number of query words a description holds: a 20, b 12, c 10, then 70 variants of c's
    // group at 5 and 40 single products at 4 to 1. The first window (65 products) settles only a, b and c: collapsed,
    // all three are settled, and cutting those alone (after a) is not the cut of the whole list (after c).
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`);
    const doc = (id: string, n: number, groupId = id) => storedDoc(id, unit(DIMS, 0.5), { groupId, description: words.slice(0, n).join(' ') });
    const catalog = [
      doc('a', 20),
      doc('b', 12),
      doc('c', 10),
      ...Array.from({ length: 70 }, (_, i) => doc(`cv${String(i).padStart(2, '0')}`, 5, 'c')),
      ...Array.from({ length: 40 }, (_, i) => doc(`s${String(i).padStart(2, '0')}`, 4 - Math.floor(i / 10))),
    ];
    const { search } = setup(catalog);
    const page = (first: number, after?: string) => search.searchByText(words.join(' '), SearchMode.KEYWORD, { first, after, collapse: true, autocut: 1 });
    const small = await page(1);
    const large = await page(60);
    expect(ids(large)).toEqual(['a', 'b', 'c']);
    expect([ids(small), small.pageInfo.hasNextPage, small.exhaustive]).toEqual([['a'], true, true]);
    const next = await page(5, small.pageInfo.endCursor);
    expect([ids(next), next.pageInfo.hasNextPage]).toEqual([['b', 'c'], false]);
  });
});
