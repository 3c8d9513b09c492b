import type { Boost, RequestContext, StoredRule } from '../../src/catalog/merchandising';
import { pickProduct, type ProductFilter } from '../../src/catalog/product';
import { ContradictoryRulesError, InvalidInputError, RuleConflictKind } from '../../src/common/errors';
import { checkRuleSet } from '../../src/search/rules/check';
import { productMatches } from '../../src/search/rules/product-filter';
import { appliesTo, findConflicts, normaliseQuery, resolveRules } from '../../src/search/rules/resolve';
import { storedDoc } from '../support/fakes';

/**
 * The rule modules on their own, case by case: which boosts are well-formed and what their errors say, the filter
 * semantics boosts evaluate in memory (they must agree with Elasticsearch's), when a stored rule's context applies,
 * and the precedence between stored rules.
 */

const product = (extra: Parameters<typeof storedDoc>[2] = {}) => pickProduct(storedDoc('p', [1], extra));
const stored = (id: string, priority: number, rules: Partial<StoredRule> = {}): StoredRule => ({
  id,
  priority,
  enabled: true,
  context: {},
  updatedAt: '2025-01-01T00:00:00.000Z',
  ...rules,
});
const STORED = (ruleId: string) => ({ source: 'STORED' as const, ruleId });
/** What GraphQL hands over for an argument the client sent as null (the domain types say "absent"). */
const NULL = null as unknown as undefined;

describe('checkRuleSet', () => {
  const inStock = { inStock: true };

  it('accepts a boost with exactly one of a filter and a recency half-life', () => {
    expect(() => checkRuleSet({ boosts: [{ filter: inStock, weight: 1 }] })).not.toThrow();
    expect(() => checkRuleSet({ boosts: [{ recencyHalfLifeDays: 7, weight: 1 }] })).not.toThrow();
    // A half-life sent as null is not given.
    expect(() => checkRuleSet({ boosts: [{ filter: inStock, recencyHalfLifeDays: NULL, weight: 1 }] })).not.toThrow();
    expect(() => checkRuleSet({ boosts: [{ filter: inStock, recencyHalfLifeDays: undefined, weight: 1 }] })).not.toThrow();
    expect(() => checkRuleSet({})).not.toThrow();
  });

  it('refuses a boost with both or neither, naming the boost (1-based) and the field', () => {
    const both: Boost = { filter: inStock, recencyHalfLifeDays: 7, weight: 1 };
    const neither: Boost = { weight: 1 };
    const error = (rules: { boosts: Boost[] }, field?: string) => {
      try {
        checkRuleSet(rules, field);
      } catch (e) {
        return e;
      }
      throw new Error('no error');
    };
    for (const [rules, field, message, path] of [
      [{ boosts: [both] }, undefined, 'Boost 1 must give exactly one of filters and recencyHalfLifeDays', 'rules.boosts'],
      [{ boosts: [{ filter: inStock, weight: 1 }, neither] }, undefined, 'Boost 2 must give exactly one of filters and recencyHalfLifeDays', 'rules.boosts'],
      [{ boosts: [{ recencyHalfLifeDays: 1, weight: 1 }, { filter: inStock, weight: 1 }, { filter: inStock, recencyHalfLifeDays: 0, weight: 1 }] }, 'input', 'Boost 3 must give exactly one of filters and recencyHalfLifeDays', 'input.boosts'],
    ] as const) {
      const e = error({ boosts: [...rules.boosts] }, field);
      expect(e).toBeInstanceOf(InvalidInputError);
      expect([(e as InvalidInputError).message, (e as InvalidInputError).field]).toEqual([message, path]);
    }
  });

  it('refuses contradictions after the boosts are found well-formed', () => {
    expect(() => checkRuleSet({ pins: [{ id: 'a', position: 1 }], hides: ['a'] })).toThrow(
      new ContradictoryRulesError([{ kind: RuleConflictKind.PINNED_AND_HIDDEN, productId: 'a' }]),
    );
  });
});

describe('findConflicts', () => {
  it('finds nothing in pins alone or hides alone', () => {
    expect(findConflicts({ pins: [{ id: 'a', position: 1 }, { id: 'b', position: 2 }] })).toEqual([]);
    expect(findConflicts({ hides: ['a', 'b'] })).toEqual([]);
  });
});

describe('productMatches: the filter semantics of the index, in memory', () => {
  const priced = product({ price: 10 });
  const unpriced = product({});

  it('ranges are inclusive, either bound may be left out (or null), and an unpriced product is in no range', () => {
    const cases: [ProductFilter, boolean, boolean][] = [
      // filter, matches the product priced 10, matches the unpriced product
      [{ minPrice: 10, maxPrice: 10 }, true, false],
      [{ minPrice: 9.99, maxPrice: 10.01 }, true, false],
      [{ minPrice: 10.01 }, false, false],
      [{ minPrice: 10 }, true, false],
      [{ maxPrice: 9.99 }, false, false],
      [{ maxPrice: 10 }, true, false],
      [{ minPrice: 5, maxPrice: 9 }, false, false],
      [{ minPrice: 11, maxPrice: 20 }, false, false],
      [{ minPrice: 11, maxPrice: NULL }, false, false],
      [{ minPrice: NULL, maxPrice: 9 }, false, false],
      [{ minPrice: NULL, maxPrice: 10 }, true, false],
      [{ minPrice: 0 }, true, false],
      // No bound at all: no range filter, so the unpriced product passes too.
      [{}, true, true],
      [{ minPrice: NULL }, true, true],
      [{ maxPrice: NULL }, true, true],
      [{ minPrice: NULL, maxPrice: NULL }, true, true],
    ];
    expect(cases.map(([f]) => [f, productMatches(priced, f), productMatches(unpriced, f)])).toEqual(cases);
  });

  it('a price stored as null is no price (Elasticsearch indexes null as missing)', () => {
    const nullPrice = product({ price: NULL });
    expect([productMatches(nullPrice, { minPrice: 0 }), productMatches(nullPrice, { maxPrice: 0 }), productMatches(nullPrice, {})]).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('any-of lists: one of the values; an empty or null list is no filter', () => {
    const p = product({ brand: 'Acme', tags: ['sale', 'new'] });
    const cases: [ProductFilter, boolean][] = [
      [{ brands: ['zeta', 'acme'] }, true],
      [{ brands: ['zeta'] }, false],
      [{ brands: [] }, true],
      [{ brands: NULL }, true],
      [{ tags: ['old', 'NEW'] }, true],
      [{ tags: ['old'] }, false],
      [{ tags: [] }, true],
      [{ colors: ['red'] }, false],
      [{ colors: [] }, true],
    ];
    expect(cases.map(([f]) => [f, productMatches(p, f)])).toEqual(cases);
  });

  it('lowercases exactly the fields whose mapping has the lowercase normalizer, as Elasticsearch does', () => {
    const p = product({ groupId: 'Style-1', brand: 'STRASSE', category: 'Mug', color: '\u212A', predictedTags: ['color:Red'] });
    const cases: [ProductFilter, boolean][] = [
      // Normalised keyword fields: lowercase on both sides (toLowerCase, not toUpperCase: 'ß' and 'SS' stay apart,
      // the Kelvin sign meets 'k', as in Lucene's LowerCaseFilter).
      [{ brands: ['strasse'] }, true],
      [{ brands: ['Straße'] }, false],
      [{ categories: ['MUG'] }, true],
      [{ colors: ['k'] }, true],
      [{ colors: ['\u212A'] }, true],
      [{ colors: ['K'] }, true],
      // groupId and predictedTags are plain keywords: exact.
      [{ groupIds: ['Style-1'] }, true],
      [{ groupIds: ['style-1'] }, false],
      [{ predictedTags: ['color:Red'] }, true],
      [{ predictedTags: ['color:red'] }, false],
    ];
    expect(cases.map(([f]) => [f, productMatches(p, f)])).toEqual(cases);
  });

  it('booleans match exactly; null is no filter', () => {
    const out = product({ inStock: false });
    expect([
      productMatches(out, { inStock: false }),
      productMatches(out, { inStock: true }),
      productMatches(out, { inStock: NULL }),
      productMatches(out, { inStock: undefined }),
    ]).toEqual([true, false, true, true]);
  });

  it('every given field must match', () => {
    const p = product({ brand: 'Acme', price: 10, inStock: true });
    expect([
      productMatches(p, { brands: ['acme'], minPrice: 5, inStock: true }),
      productMatches(p, { brands: ['acme'], minPrice: 5, inStock: false }),
      productMatches(p, { brands: ['acme'], minPrice: 11, inStock: true }),
      productMatches(p, { brands: ['zeta'], minPrice: 5, inStock: true }),
    ]).toEqual([true, false, false, false]);
  });
});

describe('appliesTo: a stored rule\'s context', () => {
  const ctx = (categories: string[], query?: string): RequestContext => (query === undefined ? { categories } : { categories, query });

  it('categories: any of the request\'s categories is any of the rule\'s, case-insensitively', () => {
    const rule = stored('r', 0, { context: { categories: ['Lamp', 'Mug'] } });
    expect([
      appliesTo(rule, ctx(['mug'])),
      appliesTo(rule, ctx(['LAMP'])),
      appliesTo(rule, ctx(['chair', 'mug'])),
      appliesTo(rule, ctx(['mug', 'chair'])),
      appliesTo(rule, ctx(['chair'])),
      appliesTo(rule, ctx([])),
    ]).toEqual([true, true, true, true, false, false]);
  });

  it('queries: the request\'s text is one of the rule\'s, trimmed, lowercased, runs of spaces as one', () => {
    const rule = stored('r', 0, { context: { queries: ['red mug', 'Blue  Lamp'] } });
    expect([
      appliesTo(rule, ctx([], 'red mug')),
      appliesTo(rule, ctx([], '  RED\tMUG ')),
      appliesTo(rule, ctx([], 'blue lamp')),
      appliesTo(rule, ctx([], 'redmug')),
      appliesTo(rule, ctx([], 'red mugs')),
      appliesTo(rule, ctx([]))
    ]).toEqual([true, true, true, false, false, false]);
  });

  it('both given: both must match; neither given: every request', () => {
    const rule = stored('r', 0, { context: { categories: ['mug'], queries: ['red'] } });
    expect([
      appliesTo(rule, ctx(['mug'], 'red')),
      appliesTo(rule, ctx(['mug'], 'blue')),
      appliesTo(rule, ctx(['lamp'], 'red')),
      appliesTo(rule, ctx(['mug'])),
      appliesTo(stored('all', 0, { context: { categories: [], queries: [] } }), ctx([])),
      appliesTo(stored('all', 0, { context: { categories: [], queries: [] }, enabled: false }), ctx([])),
    ]).toEqual([true, false, false, false, true, false]);
  });

  it('normaliseQuery trims, lowercases (not uppercases) and folds whitespace to one space', () => {
    expect(normaliseQuery('  Red \t\n Mug  ')).toBe('red mug');
    expect(normaliseQuery('STRASSE')).toBe('strasse');
    expect(normaliseQuery('Straße')).toBe('straße');
  });
});

describe('resolveRules: precedence between stored rules', () => {
  const all: RequestContext = { categories: [] };
  const order = (rules: StoredRule[]) => resolveRules(undefined, rules, all).applied.map((r) => r.ruleId);
  const permutations = <T>(xs: T[]): T[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));

  it('higher priority first whatever the ids, then the lower id, whatever order the store lists them in', () => {
    const rules = [stored('a', 1), stored('b', 5), stored('c', 5), stored('d', 0), stored('e', 5)];
    for (const p of permutations(rules)) expect(order(p)).toEqual(['b', 'c', 'e', 'a', 'd']);
    for (const p of permutations([stored('r2', 3), stored('r1', 3), stored('r3', 3)])) expect(order(p)).toEqual(['r1', 'r2', 'r3']);
  });

  it('between rules of equal priority, the lower id wins a position', () => {
    const r = resolveRules(undefined, [stored('m', 2, { pins: [{ id: 'y', position: 1 }] }), stored('k', 2, { pins: [{ id: 'x', position: 1 }] })], all);
    expect(r.pins).toEqual([{ id: 'x', position: 1, rule: STORED('k') }]);
    expect(r.droppedPins).toEqual([{ id: 'y', position: 1, rule: STORED('m'), reason: 'POSITION_TAKEN' }]);
  });

  it('a product hidden by several rules is credited to the first in precedence', () => {
    const r = resolveRules({ hides: ['q'] }, [stored('low', 1, { hides: ['h', 'q'] }), stored('high', 5, { hides: ['h'] })], all);
    expect([...r.hides]).toEqual([
      ['q', { source: 'QUERY' }],
      ['h', STORED('high')],
    ]);
  });

  it('boosts of every applicable rule, in precedence order; rules whose context misses are left out', () => {
    const w = (weight: number): Boost => ({ filter: { inStock: true }, weight });
    const r = resolveRules(
      { boosts: [w(1)] },
      [stored('b', 1, { boosts: [w(2), w(3)] }), stored('a', 1, { boosts: [w(4)] }), stored('x', 9, { boosts: [w(5)], context: { queries: ['lamp'] } })],
      { categories: [], query: 'mug' },
    );
    expect(r.boosts.map((b) => [b.boost.weight, b.rule.ruleId ?? 'QUERY'])).toEqual([
      [1, 'QUERY'],
      [4, 'a'],
      [2, 'b'],
      [3, 'b'],
    ]);
  });
});
