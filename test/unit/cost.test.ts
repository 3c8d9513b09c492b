import { AUTOCUT_COST, CONTINUATION_COST, DIVERSITY_COST, FACET_COST, pageCost, RULES_COST } from '../../src/resolvers/cost';

/** The cost model's arithmetic: every argument that makes a list request heavier is priced. */
describe('pageCost', () => {
  const cost = (args: Record<string, unknown>, child = 3) => pageCost(10)({ args, childComplexity: child });

  it('prices the page size times what each hit selects, plus the base', () => {
    expect(cost({ first: 20 })).toBe(10 + 20 * 3);
    expect(cost({})).toBe(10 + 10 * 3);
  });

  it('prices a continuation page and every facet field', () => {
    expect(cost({ first: 5, after: 'c', facets: ['BRAND', 'COLOR'] })).toBe(10 + CONTINUATION_COST + 2 * FACET_COST + 5 * 3);
  });

  it('prices diversity, rules that re-rank or pin, and autocut', () => {
    expect(cost({ first: 5, diversity: 0.3, autocut: 1, rules: { pins: [{}] } })).toBe(10 + DIVERSITY_COST + RULES_COST + AUTOCUT_COST + 5 * 3);
    expect(cost({ first: 5, diversity: 0, rules: { hides: ['x'] } })).toBe(10 + 5 * 3);
  });

  it('prices out-of-range arguments at their caps, so validation names the problem', () => {
    expect(cost({ first: 1_000_000, facets: new Array(50).fill('BRAND') })).toBe(10 + 10 * FACET_COST + 100 * 3);
  });
});
