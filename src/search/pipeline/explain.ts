import type { HitExplanation, SearchExplanation } from '../../catalog/search-result';
import type { ResolvedRules } from '../rules/resolve';
import type { Candidate } from './ranked';

/** `explain: true`: the candidate's record of every stage, as the typed breakdown the API returns. */
export function explainHit(c: Candidate): HitExplanation {
  return {
    ...(c.vector
      ? { vector: { similarity: c.vector.similarity, ...(c.vector.rank > 0 ? { rank: c.vector.rank } : {}), ...(c.rrf?.vector !== undefined ? { rrf: c.rrf.vector } : {}) } }
      : {}),
    ...(c.keyword ? { keyword: { score: c.keyword.score, rank: c.keyword.rank, ...(c.rrf?.keyword !== undefined ? { rrf: c.rrf.keyword } : {}) } } : {}),
    ...(c.relevance !== undefined ? { relevance: c.relevance } : {}),
    boosts: (c.boosts ?? []).map((b) => ({ rule: b.rule, boostIndex: b.index, weight: b.weight, contribution: b.contribution })),
    ...(c.pin ? { pin: c.pin } : {}),
    ...(c.mmrPenalty !== undefined ? { mmrPenalty: c.mmrPenalty } : {}),
    finalScore: c.score,
  };
}

export function explainRules(rules: ResolvedRules): SearchExplanation {
  return {
    rulesApplied: rules.applied,
    hidden: [...rules.hides].map(([productId, rule]) => ({ productId, rule })),
    droppedPins: rules.droppedPins.map((p) => ({ productId: p.id, position: p.position, rule: p.rule, reason: p.reason })),
  };
}
