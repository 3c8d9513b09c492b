import { pickProduct } from '../../src/catalog/product';
import { RuleConflictKind } from '../../src/common/errors';
import { applyBoosts, boostMatch } from '../../src/search/pipeline/boost';
import { autocut, autocutCount } from '../../src/search/pipeline/cuts';
import { diversify } from '../../src/search/pipeline/diversity';
import { mulberry32 } from '../../src/common/random';
import { byScoreThenId } from '../../src/search/pipeline/ranked';
import { placePins } from '../../src/search/pipeline/pins';
import type { Candidate, Ranked } from '../../src/search/pipeline/ranked';
import { productMatches } from '../../src/search/rules/product-filter';
import { appliesTo, findConflicts, resolveRules } from '../../src/search/rules/resolve';
import { storedDoc } from '../support/fakes';

/** The pure ranking stages and rule resolution, with literal expected values. */

const c = (id: string, score: number, extra: Partial<Candidate> & { doc?: Parameters<typeof storedDoc>[2] } = {}): Candidate => {
  const { doc, ...rest } = extra;
  return { product: pickProduct(storedDoc(id, [1], doc)), score, ...rest };
};
const list = (items: Candidate[], settled = items.length, complete = true): Ranked => ({ items, settled, complete });
const ids = (r: Ranked) => r.items.map((x) => x.product.id);
const QUERY = { source: 'QUERY' as const };

describe('rule conflicts and resolution', () => {
  it('finds every contradiction inside one rule set', () => {
    expect(
      findConflicts({
        pins: [
          { id: 'a', position: 1 },
          { id: 'b', position: 1 },
          { id: 'a', position: 3 },
        ],
        hides: ['b'],
      }),
    ).toEqual([
      { kind: RuleConflictKind.PINNED_AND_HIDDEN, productId: 'b' },
      { kind: RuleConflictKind.POSITION_TAKEN, position: 1 },
      { kind: RuleConflictKind.PINNED_TWICE, productId: 'a' },
    ]);
    expect(findConflicts({ pins: [{ id: 'a', position: 1 }], hides: ['b'] })).toEqual([]);
  });

  const stored = (id: string, priority: number, rules: object, context = {}) => ({ id, priority, enabled: true, context, updatedAt: 'x', ...rules });

  it('resolves across rule sets by precedence: the request first, then priority, then id; hides beat pins', () => {
    const r = resolveRules(
      { pins: [{ id: 'q', position: 2 }], boosts: [{ filter: { inStock: true }, weight: 0.1 }] },
      [
        stored('low', 1, { pins: [{ id: 'x', position: 1 }], hides: ['h'] }),
        stored('high', 5, { pins: [{ id: 'y', position: 1 }, { id: 'h', position: 4 }, { id: 'q', position: 6 }] }),
        stored('off', 9, { hides: ['q'] }, { categories: ['lamp'] }),
      ],
      { categories: ['mug'] },
    );
    expect(r.pins).toEqual([
      { id: 'y', position: 1, rule: { source: 'STORED', ruleId: 'high' } },
      { id: 'q', position: 2, rule: QUERY },
    ]);
    expect(r.droppedPins.map((p) => [p.id, p.position, p.rule.ruleId ?? 'QUERY', p.reason])).toEqual([
      ['h', 4, 'high', 'HIDDEN'],
      ['q', 6, 'high', 'PRODUCT_ALREADY_PINNED'],
      ['x', 1, 'low', 'POSITION_TAKEN'],
    ]);
    expect([...r.hides]).toEqual([['h', { source: 'STORED', ruleId: 'low' }]]);
    expect(r.applied).toEqual([QUERY, { source: 'STORED', ruleId: 'high' }, { source: 'STORED', ruleId: 'low' }]);
  });

  it('applies a stored rule by category and by query, only when enabled', () => {
    const rule = stored('r', 0, {}, { categories: ['Mug'], queries: ['Red  Mug'] });
    expect(appliesTo(rule, { categories: ['mug'], query: 'red mug' })).toBe(true);
    expect(appliesTo(rule, { categories: ['mug'], query: 'blue mug' })).toBe(false);
    expect(appliesTo(rule, { categories: ['lamp'], query: 'red mug' })).toBe(false);
    expect(appliesTo({ ...rule, enabled: false }, { categories: ['mug'], query: 'red mug' })).toBe(false);
    expect(appliesTo(stored('everywhere', 0, {}), { categories: [] })).toBe(true);
  });
});

describe('boosts', () => {
  it('match products by the filter semantics of the index (lowercase keywords, inclusive ranges)', () => {
    const p = pickProduct(storedDoc('p', [1], { brand: 'Acme', price: 10, tags: ['sale'], inStock: false }));
    expect([
      productMatches(p, { brands: ['ACME'] }),
      productMatches(p, { minPrice: 10, maxPrice: 10 }),
      productMatches(p, { tags: ['new'] }),
      productMatches(p, { inStock: false, brands: ['acme', 'zeta'] }),
    ]).toEqual([true, true, false, true]);
  });

  it('decay with age for recency boosts', () => {
    const now = Date.parse('2025-01-11T00:00:00Z');
    const p = pickProduct(storedDoc('p', [1], { updatedAt: '2025-01-01T00:00:00.000Z' }));
    expect(boostMatch({ recencyHalfLifeDays: 10, weight: 1 }, p, now)).toBe(0.5);
    expect(boostMatch({ recencyHalfLifeDays: 5, weight: 1 }, p, now)).toBe(0.25);
  });

  it('re-rank the window on the relevance scale and leave the rest in order', () => {
    const r = list([c('a', 0.9), c('b', 0.85, { doc: { brand: 'Acme' } }), c('c', 0.8, { doc: { brand: 'Acme' } }), c('d', 0.99)]);
    const boosts = [{ boost: { filter: { brands: ['acme'] }, weight: 0.1 }, rule: QUERY, index: 0 }];
    const out = applyBoosts(r, boosts, (x) => x.score, 0, 3);
    expect(ids(out)).toEqual(['b', 'a', 'c', 'd']);
    expect(out.items.map((x) => x.score)).toEqual([0.95, 0.9, 0.9, 0.99]);
    expect(out.items[0]!.boosts).toEqual([{ rule: QUERY, weight: 0.1, contribution: 0.1, index: 0 }]);
  });

  it('settle nothing until the whole window is settled', () => {
    const boosts = [{ boost: { filter: { inStock: true }, weight: -0.5 }, rule: QUERY, index: 0 }];
    expect(applyBoosts(list([c('a', 0.9), c('b', 0.8)], 1, false), boosts, (x) => x.score, 0, 2).settled).toBe(0);
  });
});

describe('autocut', () => {
  it('cuts before the first jump, Weaviate-style, and not where the curve falls steadily', () => {
    expect(autocutCount([0.95, 0.94, 0.93, 0.6, 0.59, 0.58], 1)).toBe(3);
    expect(autocutCount([0.95, 0.94, 0.93, 0.6, 0.59, 0.3, 0.29], 2)).toBe(5);
    expect(autocutCount([0.9, 0.8, 0.7, 0.6, 0.5], 1)).toBe(5);
    expect(autocutCount([0.9, 0.9, 0.9], 1)).toBe(3);
    expect(autocutCount([0.9], 1)).toBe(1);
  });

  it('ends the list at the cut, and waits for the whole window to be settled', () => {
    const r = list([c('a', 0.95), c('b', 0.94), c('c', 0.6), c('d', 0.59)]);
    expect([ids(autocut(r, 1, (x) => x.score)), autocut(r, 1, (x) => x.score).complete]).toEqual([['a', 'b'], true]);
    expect(autocut({ ...r, settled: 2, complete: false }, 1, (x) => x.score).settled).toBe(0);
  });
});

describe('diversity (MMR)', () => {
  // a1 and a2 are the same picture; b is different and a little less relevant.
  const items = [c('a1', 0.9, { vectors: [[1, 0]] }), c('a2', 0.89, { vectors: [[1, 0]] }), c('b', 0.8, { vectors: [[0, 1]] })];

  it('keeps relevance order at 0 and lets a different product overtake a near-copy above it', () => {
    expect(ids(diversify(list(items), 0))).toEqual(['a1', 'a2', 'b']);
    const out = diversify(list(items), 0.5);
    expect(ids(out)).toEqual(['a1', 'b', 'a2']);
    expect(out.items.map((x) => x.mmrPenalty)).toEqual([0, 0, 0.5]);
  });

  it('picks exactly as the textbook MMR (every remaining × picked cosine each step), ties and missing vectors included', () => {
    const rng = mulberry32(8);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + Math.floor(rng() * 70);
      // Scores on a coarse grid and a few repeated vectors, so equal values and the id tie-break come up.
      const shared = Array.from({ length: 3 }, () => unit(Array.from({ length: 8 }, () => rng() - 0.5)));
      const items = Array.from({ length: n }, (_, i) => {
        const roll = rng();
        const vectors = roll < 0.1 ? undefined : [roll < 0.4 ? shared[i % 3]! : unit(Array.from({ length: 8 }, () => rng() - 0.5))];
        return c(`p${String(Math.floor(rng() * 1000)).padStart(3, '0')}-${i}`, Math.round(rng() * 10) / 10, vectors ? { vectors } : {});
      }).sort(byScoreThenId);
      const d = [0.3, 0.5, 0.9][trial % 3]!;
      const got = diversify(list(items), d);
      const want = naiveMmr(items, d, 50);
      expect(got.items.map((x) => [x.product.id, x.mmrPenalty])).toEqual(want.map((x) => [x.product.id, x.mmrPenalty]));
    }
  });
});

/** MMR as first written: for every remaining candidate, its highest cosine to every result picked so far. */
function naiveMmr(items: Candidate[], d: number, pool: number): Candidate[] {
  const cands = items.slice(0, pool);
  const [lo, hi] = [Math.min(...cands.map((x) => x.score)), Math.max(...cands.map((x) => x.score))];
  const rel = (x: Candidate) => (hi > lo ? (x.score - lo) / (hi - lo) : 1);
  const cos = (a?: number[], b?: number[]) => (a && b ? a.reduce((s, v, i) => s + v * b[i]!, 0) : 0);
  const chosen: Candidate[] = [];
  const remaining = [...cands];
  while (remaining.length > 0) {
    let best = -1;
    let bestValue = -Infinity;
    let bestPenalty = 0;
    remaining.forEach((x, i) => {
      const sim = chosen.length === 0 ? 0 : Math.max(...chosen.map((s) => cos(x.vectors?.[0], s.vectors?.[0])));
      const value = (1 - d) * rel(x) - d * sim;
      if (value > bestValue || (value === bestValue && byScoreThenId(x, remaining[best]!) < 0)) [best, bestValue, bestPenalty] = [i, value, d * sim];
    });
    const [pick] = remaining.splice(best, 1);
    chosen.push({ ...pick!, mmrPenalty: Math.round(bestPenalty * 1e6) / 1e6 });
  }
  return [...chosen, ...items.slice(pool)];
}

function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('pins', () => {
  const organic = list([c('o1', 0.9), c('o2', 0.8), c('o3', 0.7)]);
  const pinned = new Map([
    ['p', c('p', 0.1)],
    ['o3', c('o3', 0.7)],
  ]);

  it('take their positions, and the organic list flows around them without repeating them', () => {
    const out = placePins(organic, [{ id: 'o3', position: 1, rule: QUERY }, { id: 'p', position: 3, rule: QUERY }], pinned, false);
    expect(ids(out)).toEqual(['o3', 'o1', 'p', 'o2']);
    expect(out.items[2]!.pin).toEqual({ rule: QUERY, position: 3 });
  });

  it('land at the end when the list is shorter, and are skipped when the filters left them out', () => {
    const out = placePins(organic, [{ id: 'p', position: 9, rule: QUERY }, { id: 'gone', position: 1, rule: QUERY }], pinned, false);
    expect(ids(out)).toEqual(['o1', 'o2', 'o3', 'p']);
  });

  it('settle nothing from a pin\'s position on while the list before it is unknown', () => {
    const out = placePins(list([c('o1', 0.9)], 1, false), [{ id: 'p', position: 3, rule: QUERY }], pinned, false);
    expect([ids(out), out.settled]).toEqual([['o1'], 1]);
  });
});
