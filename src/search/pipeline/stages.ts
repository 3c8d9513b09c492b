import type { Hit } from '../../catalog/product-index';
import type { ResolvedRules } from '../rules/resolve';
import { applyBoosts, RERANK_WINDOW, type WeightedBoost } from './boost';
import { collapseGroups } from './collapse';
import { AUTOCUT_WINDOW, autocut } from './cuts';
import { DIVERSITY_POOL, diversify } from './diversity';
import { fuseTiers, keywordOnly, rankRounds, rankSide, vectorOnly } from './fuse';
import { placePins } from './pins';
import type { Candidate, Ranked } from './ranked';
import type { Candidates } from './retrieval';
import { cosineFromScore } from './scores';
import { DEFAULT_RANK_CONSTANT } from '../fusion';
import { RRF_WINDOW } from './windows';

/**
 * The ranking stages in order, over whatever the candidates hold so far: fuse → boosts and buries (the best 100)
 * → collapse → autocut → diversity (the best 50) → pins. Each stage passes on how much of its output is settled.
 *
 * Autocut comes before diversity, not after: it looks for a gap in relevance, and only the relevance order has one.
 */

export interface RankingPlan {
  rules: ResolvedRules;
  /** Reference time of recency boosts (fixed per query: later pages carry it in the cursor). */
  now: number;
  collapse: boolean;
  autocut?: number;
  diversity: number;
}

export function rankCandidates(c: Candidates, plan: RankingPlan): Ranked {
  let r = fuse(c);
  const boosts: WeightedBoost[] = plan.rules.boosts.map(({ boost, rule }, i) => ({ boost, rule, index: indexInRule(plan.rules, i) }));
  r = applyBoosts(r, boosts, relevanceScale(c, r), plan.now);
  if (plan.collapse) r = collapseGroups(r);
  r = autocut(r, plan.autocut, (x) => x.score);
  r = diversify(r, plan.diversity);
  return placePins(r, plan.rules.pins, pinnedCandidates(c.pinned ?? []), plan.collapse);
}

/** How many settled results the stages need before they can settle anything (their fixed windows). */
export function windowNeeded(plan: RankingPlan): number {
  return Math.max(
    plan.rules.boosts.length > 0 ? RERANK_WINDOW : 0,
    plan.diversity > 0 ? DIVERSITY_POOL : 0,
    plan.autocut ? AUTOCUT_WINDOW : 0,
  );
}

function fuse(c: Candidates): Ranked {
  const vector = c.rounds && rankRounds(c.rounds, c.vectorComplete);
  const keyword = c.keyword && rankSide({ ...c.keyword, exhausted: c.keywordComplete });
  if (vector && keyword) return fuseTiers(vector, keyword, RRF_WINDOW);
  return vector ? vectorOnly(vector) : keywordOnly(keyword!);
}

/**
 * The relevance scale boosts add to, where 1 is a perfect match: the kNN score (1 + cos) / 2 as it is; BM25 over
 * the best BM25 score of the query; a fused score over the best possible one (first on both sides).
 */
function relevanceScale(c: Candidates, r: Ranked): (x: Candidate) => number {
  if (c.rounds && c.keyword) return (x) => x.score / (2 / (DEFAULT_RANK_CONSTANT + 1));
  if (c.rounds) return (x) => x.score;
  const best = Math.max(0, ...r.items.map((x) => x.score));
  return (x) => (best > 0 ? x.score / best : 0);
}

function pinnedCandidates(hits: readonly Hit[]): Map<string, Candidate> {
  return new Map(
    hits.map((h) => [
      h.product.id,
      {
        product: h.product,
        score: h.score,
        ...(h.matchedImage ? { vector: { rank: 0, similarity: cosineFromScore(h.score), matchedImage: h.matchedImage, ...(h.exactScore ? { exact: true } : {}) } } : {}),
      },
    ]),
  );
}

/** A boost's position within its own rule (the resolved list runs all rules' boosts together). */
function indexInRule(rules: ResolvedRules, i: number): number {
  const ref = rules.boosts[i]!.rule;
  return rules.boosts.slice(0, i).filter((b) => b.rule.source === ref.source && b.rule.ruleId === ref.ruleId).length;
}
