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
    const sizes = index.callsOf('retrieve').map(([q]) => (q as { vector: { from: number; size: number } }).vector);
    expect(sizes.map((v) => v.from + v.size)).toEqual([16, 64, 256, 1000]);
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
});
