import type { Boost, RuleRef } from '../../catalog/merchandising';
import type { Product } from '../../catalog/product';
import { productMatches } from '../rules/product-filter';
import { byScoreThenId, type AppliedBoost, type Candidate, type Ranked } from './ranked';

/**
 * Boosts and buries re-rank the best RERANK_WINDOW candidates (like a second-phase ranking): each candidate's score
 * is put on a relevance scale where 1 is a perfect match, every applicable boost adds weight × match (match is 1 for a
 * filter boost, 2^(−age/half-life) for a recency boost), and the window is re-sorted. Candidates past the window keep
 * their order. The window is a property of the query, not of the page, so pages stay consistent.
 */

export const RERANK_WINDOW = 100;

const DAY_MS = 86_400_000;

export interface WeightedBoost {
  boost: Boost;
  rule: RuleRef;
  /** 0-based position of the boost in its rule. */
  index: number;
}

/** How much a boost applies to a product: 0-1. `now` is fixed per query (carried by its cursors). */
export function boostMatch(boost: Boost, p: Product, now: number): number {
  if (boost.filter) return productMatches(p, boost.filter) ? 1 : 0;
  const age = Math.max(0, (now - Date.parse(p.updatedAt)) / DAY_MS);
  return Number.isFinite(age) ? 2 ** (-age / boost.recencyHalfLifeDays!) : 0;
}

export function applyBoosts(r: Ranked, boosts: readonly WeightedBoost[], relevance: (c: Candidate) => number, now: number, window = RERANK_WINDOW): Ranked {
  if (boosts.length === 0) return r;
  if (r.settled < Math.min(window, r.items.length) && !r.complete) return { ...r, settled: 0 };
  const head = r.items.slice(0, window).map((c) => {
    const base = relevance(c);
    const applied: AppliedBoost[] = [];
    for (const { boost, rule, index } of boosts) {
      const contribution = round(boost.weight * boostMatch(boost, c.product, now));
      if (contribution !== 0) applied.push({ rule, weight: boost.weight, contribution, index });
    }
    const score = round(base + applied.reduce((s, b) => s + b.contribution, 0));
    return { ...c, relevance: base, boosts: applied, score };
  });
  head.sort(byScoreThenId);
  const tail = r.items.slice(window).map((c) => ({ ...c, relevance: relevance(c), score: relevance(c) }));
  return { items: [...head, ...tail], settled: r.settled, complete: r.complete };
}

/** Scores rounded to 1e-9 so sums of equal contributions compare equal whatever their order. */
function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
