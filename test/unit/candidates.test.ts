import { pickProduct } from '../../src/catalog/product';
import type { Hit, Retrieval, RetrievalQuery } from '../../src/catalog/product-index';
import { Candidates } from '../../src/search/pipeline/retrieval';
import { KEYWORD_CANDIDATES, MAX_GROUP_ROUNDS, NUM_CANDIDATES } from '../../src/search/pipeline/windows';
import { storedDoc } from '../support/fakes';

/**
 * Candidates (pipeline/retrieval.ts) on its own: the exact request of every round trip, and what each answer does to
 * the sides' state. The index is scripted: each test says what the engine answers, so the edges (a side running dry,
 * a full candidate set, an engine answer without a generation) are reached on purpose.
 */

const hit = (id: string, score = 0.5, groupId = id): Hit => ({ product: pickProduct(storedDoc(id, [1], { groupId })), score });
const VECTOR = [1, 0, 0, 0];
const restriction = { excludeIds: ['seed'] };

/** Answers each side with as many hits as asked, up to `available` (named p0, p1, …; group = `group(i)`). */
function engine(o: { vector?: number; keyword?: number; group?: (i: number) => string; generation?: (trip: number) => string | undefined; extra?: (q: RetrievalQuery) => Retrieval } = {}) {
  const queries: RetrievalQuery[] = [];
  const list = (prefix: string, from: number, size: number, available: number) =>
    Array.from({ length: Math.max(0, Math.min(size, available - from)) }, (_, j) => hit(`${prefix}${from + j}`, 0.9, o.group?.(from + j)));
  const index = {
    queries,
    async retrieve(q: RetrievalQuery): Promise<Retrieval> {
      queries.push(q);
      const trip = queries.length;
      return {
        ...(q.vector ? { vector: list('p', q.vector.from, q.vector.size, o.vector ?? Infinity) } : {}),
        ...(q.keyword ? { keyword: list('k', q.keyword.from, q.keyword.size, o.keyword ?? Infinity) } : {}),
        generation: o.generation ? o.generation(trip) : 'gen-1',
        ...o.extra?.(q),
      };
    },
  };
  return index;
}

/** The exact query of a vector-side trip, every key present (toStrictEqual tells a missing key from an undefined one). */
const vectorQuery = (from: number, size: number, extra: object = {}, top: Partial<RetrievalQuery> = {}): RetrievalQuery => ({
  restriction,
  vector: { vector: VECTOR, from, size, numCandidates: NUM_CANDIDATES, ...extra },
  keyword: undefined,
  facets: undefined,
  pinned: undefined,
  withVectors: undefined,
  ...top,
});
const idsOf = (hits: readonly Hit[]) => hits.map((h) => h.product.id);

describe('Candidates: the vector side', () => {
  it('starts with one empty round and no keyword side, asks for the window, and grows it ×4 from where it stopped', async () => {
    const index = engine({ vector: 30 });
    const c = new Candidates(index, { restriction, vector: VECTOR });
    expect(c.rounds).toStrictEqual([{ hits: [], exhausted: false, excludeGroups: [], fetched: 0, unseen: new Set() }]);
    expect([c.keyword, c.trips, c.generation, c.facets, c.pinned]).toStrictEqual([undefined, 0, undefined, undefined, undefined]);
    expect([c.vectorComplete, c.keywordComplete, c.complete, c.canGrow]).toEqual([false, true, false, true]);

    await c.fill(10);
    expect(index.queries).toStrictEqual([vectorQuery(0, 10)]);
    expect([idsOf(c.rounds![0]!.hits).length, c.rounds![0]!.fetched, c.rounds![0]!.exhausted, c.trips, c.generation]).toEqual([10, 10, false, 1, 'gen-1']);
    expect([c.vectorComplete, c.complete, c.canGrow]).toEqual([false, false, true]);

    // A smaller window later asks nothing: the window never shrinks, and the side holds it already.
    await c.fill(4);
    expect(index.queries).toHaveLength(1);

    // ×4: a window of 40, of which 10 are held. The engine has 30: fewer than asked, so the side is exhausted.
    await c.grow();
    expect(index.queries[1]).toStrictEqual(vectorQuery(10, 30));
    expect([idsOf(c.rounds![0]!.hits), c.rounds![0]!.fetched, c.rounds![0]!.exhausted, c.trips]).toEqual([
      Array.from({ length: 30 }, (_, i) => `p${i}`),
      30,
      true,
      2,
    ]);
    expect([c.vectorComplete, c.complete, c.canGrow]).toEqual([true, true, false]);
    await c.grow();
    expect(index.queries).toHaveLength(2);
  });

  it('a side that gets exactly what it asked for is not exhausted', async () => {
    const index = engine({ vector: 10 });
    const c = new Candidates(index, { restriction, vector: VECTOR });
    await c.fill(10);
    expect([c.rounds![0]!.exhausted, c.vectorComplete]).toEqual([false, false]);
  });

  it('asks at most the candidate set, and is complete once it holds all of it', async () => {
    const index = engine();
    const c = new Candidates(index, { restriction, vector: VECTOR });
    await c.fill(5000);
    expect(index.queries).toStrictEqual([vectorQuery(0, NUM_CANDIDATES)]);
    expect([c.rounds![0]!.fetched, c.rounds![0]!.exhausted, c.vectorComplete, c.complete, c.canGrow]).toEqual([NUM_CANDIDATES, false, true, true, false]);
    await c.grow();
    expect(index.queries).toHaveLength(1);
  });

  it('passes minSimilarity, withVectors and the restriction on as given', async () => {
    const index = engine();
    const r = { filter: { colors: ['red'] }, excludeIds: ['a', 'b'] };
    await new Candidates(index, { restriction: r, vector: VECTOR, minSimilarity: 0, withVectors: true }).fill(3);
    expect(index.queries).toStrictEqual([{ ...vectorQuery(0, 3, { minSimilarity: 0 }), restriction: r, withVectors: true }]);
    expect(index.queries[0]!.restriction).toBe(r);
    const plain = engine();
    await new Candidates(plain, { restriction, vector: VECTOR, withVectors: false }).fill(3);
    expect(plain.queries).toStrictEqual([{ ...vectorQuery(0, 3), withVectors: false }]);
  });
});

describe('Candidates: products left in the kNN (unfiltered) and dropped here', () => {
  it('asks one more position per product not met yet, counts positions apart from the hits it keeps', async () => {
    // The engine's list: p0, the seed, p1, p2, …
    const queries: RetrievalQuery[] = [];
    const list = ['p0', 'seed', ...Array.from({ length: 50 }, (_, i) => `p${i + 1}`)];
    const index = {
      async retrieve(q: RetrievalQuery): Promise<Retrieval> {
        queries.push(q);
        return { vector: list.slice(q.vector!.from, q.vector!.from + q.vector!.size).map((id) => hit(id)), generation: 'g' };
      },
    };
    const c = new Candidates(index, { restriction, vector: VECTOR, unfiltered: ['seed'] });
    expect(c.rounds![0]!.unseen).toEqual(new Set(['seed']));
    await c.fill(4);
    expect(queries).toStrictEqual([vectorQuery(0, 5, { unfiltered: ['seed'] })]);
    const round = c.rounds![0]!;
    expect([idsOf(round.hits), round.fetched, round.unseen, round.exhausted]).toEqual([['p0', 'p1', 'p2', 'p3'], 5, new Set(), false]);
    // Met: the next window asks for exactly what it lacks (16 - 4), from the fifth position.
    await c.grow();
    expect(queries[1]).toStrictEqual(vectorQuery(5, 12, { unfiltered: ['seed'] }));
    expect([round.hits.length, round.fetched]).toEqual([16, 17]);
  });

  it('is exhausted by what the engine returned before dropping, not by what is kept', async () => {
    // The engine returns all 3 positions asked for, the seed among them: not exhausted although 2 are kept.
    const index = { retrieve: async (): Promise<Retrieval> => ({ vector: [hit('seed'), hit('a'), hit('b')] }) };
    const c = new Candidates(index, { restriction, vector: VECTOR, unfiltered: ['seed'] });
    await c.fill(2);
    expect([idsOf(c.rounds![0]!.hits), c.rounds![0]!.exhausted, c.rounds![0]!.fetched]).toEqual([['a', 'b'], false, 3]);
  });

  it('keeps asking the extra position while the dropped product has not come, and reads the longer list to its end', async () => {
    const index = engine();
    const c = new Candidates(index, { restriction, vector: VECTOR, unfiltered: ['x', 'y'] });
    await c.fill(10);
    await c.grow();
    expect(index.queries.map((q) => [q.vector!.from, q.vector!.size])).toEqual([
      [0, 12],
      [12, 30],
    ]);
    await c.fill(NUM_CANDIDATES);
    // The list is NUM_CANDIDATES + 2 positions long: the last window asks for the rest of it.
    expect([index.queries[2]!.vector!.from, index.queries[2]!.vector!.size]).toEqual([42, NUM_CANDIDATES + 2 - 42]);
    expect([c.rounds![0]!.fetched, c.vectorComplete, c.canGrow]).toEqual([NUM_CANDIDATES + 2, true, false]);
  });
});

describe('Candidates: the keyword side', () => {
  it('exists for any keywords, the empty string too, and pages BM25 by from/size', async () => {
    const index = engine({ keyword: 7 });
    const c = new Candidates(index, { restriction, keywords: '' });
    expect([c.rounds, c.keyword, c.vectorComplete, c.keywordComplete, c.canGrow]).toStrictEqual([undefined, { hits: [], exhausted: false }, true, false, true]);
    await c.fill(5);
    await c.grow();
    expect(index.queries).toStrictEqual([
      { restriction, vector: undefined, keyword: { q: '', from: 0, size: 5 }, facets: undefined, pinned: undefined, withVectors: undefined },
      { restriction, vector: undefined, keyword: { q: '', from: 5, size: 15 }, facets: undefined, pinned: undefined, withVectors: undefined },
    ]);
    expect([idsOf(c.keyword!.hits).length, c.keyword!.exhausted, c.keywordComplete, c.complete, c.canGrow]).toEqual([7, true, true, true, false]);
  });

  it('stops at KEYWORD_CANDIDATES matches', async () => {
    const index = engine();
    const c = new Candidates(index, { restriction, keywords: 'mug' });
    await c.fill(KEYWORD_CANDIDATES + 500);
    expect(index.queries[0]!.keyword).toEqual({ q: 'mug', from: 0, size: KEYWORD_CANDIDATES });
    expect([c.keyword!.exhausted, c.keywordComplete, c.canGrow]).toEqual([false, true, false]);
  });

  it('hybrid: both sides in one round trip; a complete side asks nothing while the other grows', async () => {
    const index = engine({ vector: 12 });
    const c = new Candidates(index, { restriction, vector: VECTOR, keywords: 'mug' });
    await c.fill(10);
    expect(index.queries[0]).toStrictEqual({ ...vectorQuery(0, 10), keyword: { q: 'mug', from: 0, size: 10 } });
    await c.grow();
    expect(index.queries[1]).toStrictEqual({ ...vectorQuery(10, 30), keyword: { q: 'mug', from: 10, size: 30 } });
    expect([c.vectorComplete, c.keywordComplete, c.canGrow]).toEqual([true, false, true]);
    await c.grow();
    expect(index.queries[2]).toStrictEqual({ ...vectorQuery(0, 0), vector: undefined, keyword: { q: 'mug', from: 40, size: 120 } });
  });
});

describe('Candidates: facets, pins and the generation', () => {
  const facets = [{ restriction, facets: [{ field: 'brand' as const, size: 20 }] }];

  it('asks facets and pinned products with the first trip only, and keeps what came (none when the engine said nothing)', async () => {
    const counted = [{ field: 'brand' as const, values: [{ value: 'acme', count: 3 }] }];
    const index = engine({ vector: 100, extra: (q) => (q.facets ? { facets: counted, pinned: [hit('pin')] } : {}) });
    const c = new Candidates(index, { restriction, vector: VECTOR, facets, pinned: ['pin'] });
    await c.fill(4);
    await c.grow();
    expect(index.queries.map((q) => [q.facets, q.pinned])).toStrictEqual([
      [facets, ['pin']],
      [undefined, undefined],
    ]);
    expect([c.facets, idsOf(c.pinned!)]).toStrictEqual([counted, ['pin']]);

    const silent = engine();
    const s = new Candidates(silent, { restriction, vector: VECTOR, facets, pinned: ['pin'] });
    await s.fill(4);
    expect([s.facets, s.pinned]).toStrictEqual([[], []]);
  });

  it('asks no facets or pins for empty lists, and leaves them unset', async () => {
    const index = engine();
    const c = new Candidates(index, { restriction, vector: VECTOR, facets: [], pinned: [] });
    await c.fill(4);
    expect([index.queries[0]!.facets, index.queries[0]!.pinned, c.facets, c.pinned]).toStrictEqual([undefined, undefined, undefined, undefined]);
  });

  it('keeps the first generation the engine named, and takes a later one when the first trip named none', async () => {
    const c = new Candidates(engine({ generation: (t) => `gen-${t}` }), { restriction, vector: VECTOR });
    await c.fill(4);
    await c.grow();
    expect([c.trips, c.generation]).toEqual([2, 'gen-1']);
    const late = new Candidates(engine({ generation: (t) => (t === 1 ? undefined : `gen-${t}`) }), { restriction, vector: VECTOR });
    await late.fill(4);
    expect(late.generation).toBeUndefined();
    await late.grow();
    expect(late.generation).toBe('gen-2');
  });

  it('reads a missing side of the answer as no hits', async () => {
    const index = { retrieve: async (): Promise<Retrieval> => ({}) };
    const c = new Candidates(index, { restriction, vector: VECTOR, keywords: 'mug' });
    await c.fill(4);
    expect([c.rounds![0]!.hits, c.rounds![0]!.exhausted, c.keyword!.hits, c.keyword!.exhausted, c.complete]).toStrictEqual([[], true, [], true, true]);
  });
});

describe('Candidates: collapsing', () => {
  /** The engine collapses: `groups` groups in its candidate set of `candidates` products. */
  function collapsing(groups: number, candidates: number) {
    const queries: RetrievalQuery[] = [];
    const index = {
      queries,
      async retrieve(q: RetrievalQuery): Promise<Retrieval> {
        queries.push(q);
        const v = q.vector!;
        const offset = (v.excludeGroups ?? []).length;
        const n = Math.max(0, Math.min(v.size, groups - offset - v.from));
        return { vector: Array.from({ length: n }, (_, j) => hit(`g${offset + v.from + j}-best`, 0.9, `g${offset + v.from + j}`)), vectorCandidates: candidates, generation: 'g' };
      },
    };
    return index;
  }

  it('lets the engine collapse (no keywords, nothing unfiltered): windows count groups, and fewer groups than a full set means no more', async () => {
    const index = collapsing(7, 300);
    const c = new Candidates(index, { restriction, vector: VECTOR, collapse: true });
    await c.fill(10);
    expect(index.queries).toStrictEqual([vectorQuery(0, 10, { collapse: true })]);
    expect([c.rounds![0]!.done, c.rounds![0]!.exhausted, c.vectorComplete, c.canGrow]).toEqual([true, true, true, false]);
  });

  it('opens a new round over the groups not seen yet when a full candidate set ran out of groups, up to the bound', async () => {
    // Each round's 1,000 candidates hold 3 groups: every round is read after one request, and is never the last.
    const queries: RetrievalQuery[] = [];
    const index = {
      async retrieve(q: RetrievalQuery): Promise<Retrieval> {
        queries.push(q);
        const seen = (q.vector!.excludeGroups ?? []).length;
        return { vector: [3, 1, 2].map((k) => hit(`p${seen + k}`, 0.9, `g${seen + k}`)), vectorCandidates: NUM_CANDIDATES };
      },
    };
    const c = new Candidates(index, { restriction, vector: VECTOR, collapse: true });
    await c.fill(10);
    expect([c.rounds![0]!.done, c.rounds![0]!.exhausted, c.vectorComplete, c.canGrow]).toEqual([true, false, false, true]);
    await c.grow();
    // The seen groups, sorted, so the round does not depend on the order they came in.
    expect(queries[1]).toStrictEqual(vectorQuery(0, 40, { excludeGroups: ['g1', 'g2', 'g3'], collapse: true }));
    await c.grow();
    await c.grow();
    expect(queries.map((q) => q.vector!.excludeGroups)).toStrictEqual([undefined, ['g1', 'g2', 'g3'], ['g1', 'g2', 'g3', 'g4', 'g5', 'g6'], ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9']]);
    expect(c.rounds).toHaveLength(MAX_GROUP_ROUNDS);
    expect([c.vectorComplete, c.canGrow, c.complete]).toEqual([false, false, false]);
    await c.grow();
    expect(queries).toHaveLength(MAX_GROUP_ROUNDS);
  });

  it('reads a collapsed round as done once it holds NUM_CANDIDATES groups, and exhausted only for a short candidate set', async () => {
    const index = collapsing(5000, NUM_CANDIDATES);
    const c = new Candidates(index, { restriction, vector: VECTOR, collapse: true });
    await c.fill(NUM_CANDIDATES);
    expect([c.rounds![0]!.fetched, c.rounds![0]!.done, c.rounds![0]!.exhausted, c.vectorComplete]).toEqual([NUM_CANDIDATES, true, false, false]);
    const short = new Candidates(collapsing(5000, NUM_CANDIDATES - 1), { restriction, vector: VECTOR, collapse: true });
    await short.fill(NUM_CANDIDATES);
    expect([short.rounds![0]!.done, short.rounds![0]!.exhausted, short.vectorComplete]).toEqual([true, true, true]);
    // An answer without the count is a short candidate set.
    const uncounted = new Candidates({ retrieve: async () => ({ vector: [hit('a')] }) }, { restriction, vector: VECTOR, collapse: true });
    await uncounted.fill(4);
    expect([uncounted.rounds![0]!.done, uncounted.rounds![0]!.exhausted]).toEqual([true, true]);
  });

  it('a round with as many groups as asked is not done yet', async () => {
    const c = new Candidates(collapsing(50, NUM_CANDIDATES), { restriction, vector: VECTOR, collapse: true });
    await c.fill(10);
    expect([c.rounds![0]!.done, c.rounds![0]!.fetched, c.vectorComplete, c.canGrow]).toEqual([undefined, 10, false, true]);
  });

  it('with keywords or unfiltered products, collapses itself: rounds are product lists, paged by position', async () => {
    for (const plan of [{ keywords: 'mug' }, { unfiltered: ['seed'] }]) {
      const index = engine({ group: (i) => `g${Math.floor(i / 100)}` });
      const c = new Candidates(index, { restriction, vector: VECTOR, collapse: true, ...plan });
      await c.fill(NUM_CANDIDATES + 500);
      const first = index.queries[0]!.vector!;
      expect([first.from, first.size, 'collapse' in first]).toEqual([0, NUM_CANDIDATES + ('unfiltered' in plan ? 1 : 0), false]);
      // The candidate set is read, but collapsing still wants more groups: not complete, and a new round follows.
      expect([c.vectorComplete, c.canGrow]).toEqual([false, true]);
      await c.grow();
      const second = index.queries[1]!.vector!;
      // Groups of 100 positions: the first round read g0-g9, and g10 too when the seed took a position.
      const seen = Array.from({ length: 'unfiltered' in plan ? 11 : 10 }, (_, g) => `g${g}`).sort();
      expect([second.from, second.excludeGroups]).toEqual([0, seen]);
      expect(c.rounds).toHaveLength(2);
    }
  });
});
