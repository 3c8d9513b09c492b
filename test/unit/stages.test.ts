import type { Boost, RuleRef } from '../../src/catalog/merchandising';
import { pickProduct } from '../../src/catalog/product';
import type { Hit, Retrieval, RetrievalQuery } from '../../src/catalog/product-index';
import { Candidates } from '../../src/search/pipeline/retrieval';
import { rankCandidates, windowNeeded, type RankingPlan } from '../../src/search/pipeline/stages';
import type { ResolvedRules } from '../../src/search/rules/resolve';
import { storedDoc } from '../support/fakes';

/**
 * The ranking stages in order (pipeline/stages.ts) over candidates a scripted engine returned: which fusion runs,
 * the relevance scale boosts add to, which boost of its rule each one was, pins with their own scores, and the
 * windows the stages need.
 */

const hit = (id: string, score: number, extra: Partial<Hit> & { groupId?: string } = {}): Hit => {
  const { groupId, ...rest } = extra;
  return { product: pickProduct(storedDoc(id, [1], { groupId: groupId ?? id, brand: id.startsWith('acme') ? 'Acme' : 'Zeta' })), score, ...rest };
};

/** Candidates holding exactly these sides (each complete), as the engine returned them. */
async function candidates(o: { vector?: Hit[]; keyword?: Hit[]; pinned?: Hit[] }): Promise<Candidates> {
  const index = {
    async retrieve(q: RetrievalQuery): Promise<Retrieval> {
      return { vector: q.vector ? o.vector : undefined, keyword: q.keyword ? o.keyword : undefined, pinned: q.pinned ? o.pinned : undefined, generation: 'g' };
    },
  };
  const c = new Candidates(index, {
    restriction: {},
    vector: o.vector ? [1, 0] : undefined,
    keywords: o.keyword ? 'mug' : undefined,
    pinned: o.pinned?.map((h) => h.product.id),
  });
  await c.fill(500);
  return c;
}

const QUERY: RuleRef = { source: 'QUERY' };
const r1: RuleRef = { source: 'STORED', ruleId: 'r1' };
const r2: RuleRef = { source: 'STORED', ruleId: 'r2' };
const rules = (o: Partial<ResolvedRules> = {}): ResolvedRules => ({ hides: new Map(), pins: [], droppedPins: [], boosts: [], applied: [], ...o });
const plan = (o: Partial<RankingPlan> = {}): RankingPlan => ({ rules: rules(), now: Date.parse('2025-01-01T00:00:00Z'), collapse: false, diversity: 0, ...o });
const acme: Boost = { filter: { brands: ['acme'] }, weight: 0.25 };
const rows = (r: { items: { product: { id: string }; score: number; relevance?: number }[] }) => r.items.map((c) => [c.product.id, c.score, c.relevance]);

describe('windowNeeded', () => {
  it('is the largest fixed window among the stages the plan uses', () => {
    expect(windowNeeded(plan())).toBe(0);
    expect(windowNeeded(plan({ rules: rules({ boosts: [{ boost: acme, rule: QUERY }] }) }))).toBe(100);
    expect(windowNeeded(plan({ diversity: 0.5 }))).toBe(50);
    expect(windowNeeded(plan({ autocut: 1 }))).toBe(50);
    expect(windowNeeded(plan({ autocut: 0 }))).toBe(0);
    expect(windowNeeded(plan({ diversity: 0.5, autocut: 2, rules: rules({ boosts: [{ boost: acme, rule: QUERY }] }) }))).toBe(100);
  });
});

describe('rankCandidates', () => {
  it('vector only: boosts add to the kNN score as it is', async () => {
    const c = await candidates({ vector: [hit('zeta1', 0.9), hit('acme1', 0.8), hit('zeta2', 0.7)] });
    expect(rows(rankCandidates(c, plan()))).toEqual([
      ['zeta1', 0.9, undefined],
      ['acme1', 0.8, undefined],
      ['zeta2', 0.7, undefined],
    ]);
    const boosted = rankCandidates(c, plan({ rules: rules({ boosts: [{ boost: acme, rule: QUERY }] }) }));
    expect(rows(boosted)).toEqual([
      ['acme1', 1.05, 0.8],
      ['zeta1', 0.9, 0.9],
      ['zeta2', 0.7, 0.7],
    ]);
    expect([boosted.settled, boosted.complete]).toEqual([3, true]);
  });

  it('keywords only: relevance is the BM25 score over the best one, and 0 when no match scored', async () => {
    const c = await candidates({ keyword: [hit('zeta1', 8), hit('acme1', 4), hit('zeta2', 2)] });
    expect(rows(rankCandidates(c, plan({ rules: rules({ boosts: [{ boost: acme, rule: QUERY }] }) })))).toEqual([
      ['zeta1', 1, 1],
      ['acme1', 0.75, 0.5],
      ['zeta2', 0.25, 0.25],
    ]);
    const unscored = await candidates({ keyword: [hit('acme1', 0), hit('zeta1', 0)] });
    expect(rows(rankCandidates(unscored, plan({ rules: rules({ boosts: [{ boost: acme, rule: QUERY }] }) })))).toEqual([
      ['acme1', 0.25, 0],
      ['zeta1', 0, 0],
    ]);
  });

  it('hybrid: fuses by reciprocal rank, and relevance is the fused score over the best possible (first on both sides)', async () => {
    const c = await candidates({ vector: [hit('zeta1', 0.9), hit('acme1', 0.8)], keyword: [hit('zeta1', 5), hit('zeta3', 3)] });
    const r = rankCandidates(c, plan({ rules: rules({ boosts: [{ boost: acme, rule: QUERY }] }) }));
    expect(r.items.map((x) => x.product.id)).toEqual(['zeta1', 'acme1', 'zeta3']);
    // zeta1 is first on both sides: relevance 1. acme1 is second by vector only: (1/62) / (2/61).
    expect(r.items.map((x) => x.relevance)).toEqual([expect.closeTo(1, 12), expect.closeTo(61 / 124, 12), expect.closeTo(61 / 124, 12)]);
    expect(r.items.map((x) => x.score)).toEqual([expect.closeTo(1, 8), expect.closeTo(61 / 124 + 0.25, 8), expect.closeTo(61 / 124, 8)]);
    expect(r.items[0]!.rrf).toEqual({ vector: 1 / 61, keyword: 1 / 61 });
  });

  it('numbers each boost within its own rule, though the resolved list runs all rules together', async () => {
    const c = await candidates({ vector: [hit('acme1', 0.5)] });
    const b = (weight: number): Boost => ({ filter: { inStock: true }, weight });
    const boosts = [
      { boost: b(0.01), rule: QUERY },
      { boost: b(0.02), rule: r1 },
      { boost: b(0.03), rule: QUERY },
      { boost: b(0.04), rule: r2 },
      { boost: b(0.05), rule: r1 },
      { boost: b(0.06), rule: { source: 'QUERY', ruleId: 'r1' } as RuleRef },
    ];
    const [only] = rankCandidates(c, plan({ rules: rules({ boosts }) })).items;
    expect(only!.boosts!.map((x) => [x.weight, x.rule, x.index])).toEqual([
      [0.01, QUERY, 0],
      [0.02, r1, 0],
      [0.03, QUERY, 1],
      [0.04, r2, 0],
      [0.05, r1, 1],
      [0.06, { source: 'QUERY', ruleId: 'r1' }, 0],
    ]);
  });

  it('boosts recency from the plan\'s time, not the clock', async () => {
    const c = await candidates({ vector: [hit('zeta1', 0.5)] });
    const recency: Boost = { recencyHalfLifeDays: 1, weight: 0.5 };
    // storedDoc's products were updated at 2025-01-01: a day later the boost is half its weight.
    const r = rankCandidates(c, plan({ now: Date.parse('2025-01-02T00:00:00Z'), rules: rules({ boosts: [{ boost: recency, rule: QUERY }] }) }));
    expect(r.items[0]!.score).toBe(0.75);
  });

  it('places pins with their own score, similarity and matched image; exact only where the engine said so', async () => {
    const matchedImage = { index: 1, url: 'https://cdn/b.jpg' };
    const c = await candidates({
      vector: [hit('zeta1', 0.9), hit('zeta2', 0.8)],
      pinned: [hit('pin-exact', 0.75, { matchedImage, exactScore: true }), hit('pin', 0.6, { matchedImage }), hit('pin-text', 0.3)],
    });
    const pins = [
      { id: 'pin-exact', position: 1, rule: QUERY },
      { id: 'pin', position: 2, rule: r1 },
      { id: 'pin-text', position: 4, rule: QUERY },
      { id: 'not-fetched', position: 5, rule: QUERY },
    ];
    const r = rankCandidates(c, plan({ rules: rules({ pins }) }));
    expect(r.items.map((x) => [x.product.id, x.score, x.vector, x.pin])).toStrictEqual([
      ['pin-exact', 0.75, { rank: 0, similarity: 0.5, matchedImage, exact: true }, { rule: QUERY, position: 1 }],
      ['pin', 0.6, { rank: 0, similarity: 0.2, matchedImage }, { rule: r1, position: 2 }],
      ['zeta1', 0.9, { rank: 1, similarity: 0.8 }, undefined],
      ['pin-text', 0.3, undefined, { rule: QUERY, position: 4 }],
      ['zeta2', 0.8, { rank: 2, similarity: 0.6 }, undefined],
    ]);
    expect('vector' in r.items[3]!).toBe(false);
  });

  it('collapses to one product per group only when the plan says so, and pins then take their group\'s place', async () => {
    const c = await candidates({
      vector: [hit('a1', 0.9, { groupId: 'A' }), hit('a2', 0.85, { groupId: 'A' }), hit('b1', 0.8, { groupId: 'B' }), hit('c1', 0.7, { groupId: 'C' })],
      pinned: [hit('b2', 0.5, { groupId: 'B', matchedImage: { index: 0 } })],
    });
    const ids = (p: RankingPlan) => rankCandidates(c, p).items.map((x) => x.product.id);
    expect(ids(plan())).toEqual(['a1', 'a2', 'b1', 'c1']);
    expect(ids(plan({ collapse: true }))).toEqual(['a1', 'b1', 'c1']);
    const pins = [{ id: 'b2', position: 1, rule: QUERY }];
    expect(ids(plan({ collapse: true, rules: rules({ pins }) }))).toEqual(['b2', 'a1', 'c1']);
    expect(ids(plan({ collapse: false, rules: rules({ pins }) }))).toEqual(['b2', 'a1', 'a2', 'b1', 'c1']);
  });

  it('cuts at the plan\'s autocut, and diversifies by the plan\'s diversity', async () => {
    const near = (id: string, score: number, axis: number) => hit(id, score, { vectors: [[Math.SQRT1_2, axis === 1 ? Math.SQRT1_2 : 0, axis === 2 ? Math.SQRT1_2 : 0]] });
    const c = await candidates({ vector: [near('a', 0.95, 1), near('a-copy', 0.94, 1), near('b', 0.93, 2), hit('far', 0.5, { vectors: [[0, 0, 1]] })] });
    const ids = (p: RankingPlan) => rankCandidates(c, p).items.map((x) => x.product.id);
    expect(ids(plan({ autocut: 1 }))).toEqual(['a', 'a-copy', 'b']);
    expect(ids(plan({ diversity: 0.5 }))).toEqual(['a', 'b', 'a-copy', 'far']);
    expect(ids(plan({ diversity: 0 }))).toEqual(['a', 'a-copy', 'b', 'far']);
  });
});
