import { diversify } from '../../src/search/pipeline/diversity';
import { byScoreThenId } from '../../src/search/pipeline/ranked';
import { NUM_CANDIDATES } from '../../src/search/pipeline/windows';
import { SearchService } from '../../src/search/search.service';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, storedDoc, unit } from '../support/fakes';

/**
 * "Exactly N": after filters, exclusions and collapsing, `first: N` returns N distinct products or groups whenever
 * that many exist, against the in-memory index (exact kNN, the same 1,000-candidate contract as Elasticsearch).
 */
const DIMS = 4;
const ids = (r: { hits: { product: { id: string } }[] }) => r.hits.map((h) => h.product.id);
const groups = (r: { hits: { product: { groupId: string } }[] }) => r.hits.map((h) => h.product.groupId);

/** `g` groups of `n` variants each; group k sits nearer the seed than group k+1, its variants in a tight band. */
function styles(g: number, n: number) {
  return Array.from({ length: g }, (_, k) =>
    Array.from({ length: n }, (_, i) => storedDoc(`g${k}-v${String(i).padStart(3, '0')}`, unit(DIMS, 0.9 - k * 0.01 - i * 0.00001), { groupId: `g${k}` })),
  ).flat();
}

function setup(docs: ReturnType<typeof storedDoc>[]) {
  const index = new InMemoryProductIndex([storedDoc('seed', unit(DIMS, 1), { groupId: 'seed' }), ...docs]);
  return { index, search: new SearchService(index, new FakeEmbedder(), new FakeImageSource()) };
}

describe('exactly N', () => {
  it('fills the page after a filter that only far products pass (the filter runs inside the kNN)', async () => {
    const docs = Array.from({ length: 200 }, (_, i) => storedDoc(`p${i}`, unit(DIMS, 0.99 - i / 250), { color: i >= 190 ? 'red' : 'blue' }));
    const { search } = setup(docs);
    const r = await search.similarProducts('seed', { first: 5, filter: { colors: ['red'] } });
    expect([ids(r), r.exhaustive, r.pageInfo.hasNextPage]).toEqual([['p190', 'p191', 'p192', 'p193', 'p194'], true, true]);
  });

  it('fills a collapsed page whose groups need more than the first window', async () => {
    // 10 groups of 40: a naive kNN of 10 (or of the first window, 16) holds one group.
    const { index, search } = setup(styles(10, 40));
    const r = await search.similarProducts('seed', { first: 10, collapse: true });
    expect([groups(r), r.exhaustive]).toEqual([['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9'], true]);
    expect(r.hits.map((h) => h.groupSize)).toEqual(Array(10).fill(40));
    // The engine collapses: the first window counts groups, so 16 groups come in one request (as products they took
    // windows of 16, 64, 256 and 1,000).
    const sizes = index.callsOf('retrieve').map(([q]) => (q as { vector: { from: number; size: number; collapse?: boolean } }).vector);
    expect(sizes.map((v) => [v.from + v.size, v.collapse])).toEqual([[16, true]]);
  });

  it('asks diversity\'s pool of 50 groups as one window of 52 groups (the engine\'s groups need no margin)', async () => {
    const { index, search } = setup(styles(80, 3));
    const r = await search.similarProducts('seed', { first: 10, collapse: true, diversity: 0.5 });
    expect([r.hits.length, r.exhaustive]).toEqual([10, true]);
    const sizes = index.callsOf('retrieve').map(([q]) => (q as { vector: { from: number; size: number; collapse?: boolean } }).vector);
    expect(sizes.map((v) => [v.from, v.size, v.collapse])).toEqual([[0, 52, true]]);
  });

  it('pages the kNN by groups when 1,000 candidates hold too few groups (many variants of few styles)', async () => {
    // 300 variants per style: the 1,000 nearest products are styles 0-3 only.
    const { index, search } = setup(styles(6, 300));
    const r = await search.similarProducts('seed', { first: 5, collapse: true });
    expect([groups(r), r.exhaustive, r.pageInfo.hasNextPage]).toEqual([['g0', 'g1', 'g2', 'g3', 'g4'], true, true]);
    const rounds = index.callsOf('retrieve').map(([q]) => (q as { vector: { excludeGroups?: string[] } }).vector.excludeGroups);
    expect(rounds[rounds.length - 1]).toEqual(['g0', 'g1', 'g2', 'g3']);
    // The next page continues with the last style, then says there is no more.
    const next = await search.similarProducts('seed', { first: 5, collapse: true, after: r.pageInfo.endCursor });
    expect([groups(next), next.exhaustive, next.pageInfo.hasNextPage]).toEqual([['g5'], true, false]);
  });

  it('stops at the bound on group rounds and says so with exhaustive: false', async () => {
    // Styles of 1,000 variants each: every round of 1,000 candidates brings one style, and there are four rounds.
    const { search } = setup(styles(6, NUM_CANDIDATES));
    const r = await search.similarProducts('seed', { first: 6, collapse: true });
    expect([groups(r), r.exhaustive]).toEqual([['g0', 'g1', 'g2', 'g3'], false]);
  });

  it('fills the page around exclusions, and never returns an excluded product', async () => {
    const docs = Array.from({ length: 30 }, (_, i) => storedDoc(`p${String(i).padStart(2, '0')}`, unit(DIMS, 0.99 - i / 100)));
    const { search } = setup(docs);
    const excluded = docs.slice(0, 20).map((d) => d.id);
    const r = await search.discover({ seedId: 'seed', excludeIds: excluded, first: 8 });
    expect(ids(r)).toEqual(['p20', 'p21', 'p22', 'p23', 'p24', 'p25', 'p26', 'p27']);
  });

  it('diversifies over the best 50 groups even when the first round of candidates holds fewer', async () => {
    // The 1,000 nearest products are 30 near-identical styles of 34 variants; 40 single-product styles, each in
    // its own direction, come after. MMR over only the first round's 30 groups would never see them.
    const near = Array.from({ length: 30 * 34 }, (_, j) =>
      storedDoc(`n${String(j).padStart(4, '0')}`, unit(8, 0.9 - Math.floor(j / 34) * 0.0001 - (j % 34) * 0.000001), { groupId: `n${Math.floor(j / 34)}` }),
    );
    const far = Array.from({ length: 40 }, (_, j) => storedDoc(`f${String(j).padStart(2, '0')}`, unit(8, 0.897 - j * 0.0001, 2 + (j % 6)), { groupId: `f${j}` }));
    const { index, search } = setup([...near, ...far]);
    const d = 0.9;
    const all = await index.retrieve({ restriction: { excludeIds: ['seed'] }, vector: { vector: unit(8, 1), from: 0, size: 5000, numCandidates: 5000 }, withVectors: true });
    const best = all.vector!.sort(byScoreThenId).filter((h, i, hs) => hs.findIndex((x) => x.product.groupId === h.product.groupId) === i);
    const mmr = (n: number) => diversify({ items: best.slice(0, n), settled: n, complete: true }, d).items.map((c) => c.product.id);
    expect(mmr(50).slice(0, 10)).not.toEqual(mmr(30).slice(0, 10));

    const page = await search.similarProducts('seed', { first: 10, collapse: true, diversity: d });
    expect([ids(page), page.exhaustive]).toEqual([mmr(50).slice(0, 10), true]);
    // A larger first page starts the same way (the pool never depends on the window).
    expect(ids(await search.similarProducts('seed', { first: 45, collapse: true, diversity: d })).slice(0, 10)).toEqual(ids(page));
  });
});

