import type { Hit } from '../../catalog/product-index';
import { DEFAULT_RANK_CONSTANT } from '../fusion';
import { byScoreThenId, type Candidate, type Ranked } from './ranked';
import { cosineFromScore } from './scores';
import type { Side } from './retrieval';

/**
 * From the sides' hits to one ranked list. A side's order is score descending then id ascending; where the fetched
 * window ends inside a run of equal scores, the order of that run is not known yet, so only the hits scoring above
 * the window's last score are settled.
 */

export interface RankedSide {
  hits: Hit[];
  settled: number;
  exhausted: boolean;
}

export function rankSide(side: Side): RankedSide {
  const hits = [...side.hits].sort(byScoreThenId);
  if (side.exhausted || hits.length === 0) return { hits, settled: hits.length, exhausted: side.exhausted };
  const last = hits[hits.length - 1]!.score;
  let settled = hits.length;
  while (settled > 0 && hits[settled - 1]!.score === last) settled--;
  return { hits, settled, exhausted: false };
}

/**
 * The vector side over its rounds (collapsing pages the kNN by groups): each round in score-then-id order, one after
 * the other. Every round but the last is complete.
 */
export function rankRounds(rounds: readonly Side[], complete: boolean): RankedSide {
  const ranked = rounds.map(rankSide);
  const last = ranked[ranked.length - 1]!;
  const before = ranked.slice(0, -1).reduce((n, r) => n + r.hits.length, 0);
  return { hits: ranked.flatMap((r) => r.hits), settled: complete ? before + last.hits.length : before + last.settled, exhausted: complete };
}

/** A vector-only list: the engine's score, with the cosine similarity it stands for. */
export function vectorOnly(side: RankedSide): Ranked {
  const items = side.hits.map((h, i): Candidate => ({
    product: h.product,
    score: h.score,
    vector: vectorSide(h, i),
    ...(h.vectors ? { vectors: h.vectors } : {}),
  }));
  return { items, settled: side.settled, complete: side.exhausted };
}

export function keywordOnly(side: RankedSide): Ranked {
  const items = side.hits.map(
    (h, i): Candidate => ({ product: h.product, score: h.score, keyword: { rank: i + 1, score: h.score }, ...(h.vectors ? { vectors: h.vectors } : {}) }),
  );
  return { items, settled: side.settled, complete: side.exhausted };
}

/**
 * Reciprocal rank fusion in tiers of `window` ranks (see RRF_WINDOW): tier t fuses ranks (t-1)·window+1 … t·window
 * of both sides, each product contributing 1 / (60 + rank) per side it appears on within the tier, and appends the
 * products not placed by an earlier tier, best first. A tier is settled once both sides have settled every rank in
 * it, so a deeper fetch never reorders what an earlier tier placed.
 */
export function fuseTiers(vector: RankedSide, keyword: RankedSide, window: number, k = DEFAULT_RANK_CONSTANT): Ranked {
  const items: Candidate[] = [];
  const placed = new Set<string>();
  let settled = 0;
  const depth = Math.max(vector.hits.length, keyword.hits.length);
  for (let start = 0; start < depth; start += window) {
    const end = start + window;
    const tier = new Map<string, Candidate>();
    const add = (hits: Hit[], side: 'vector' | 'keyword') => {
      for (let i = start; i < Math.min(end, hits.length); i++) {
        const h = hits[i]!;
        if (placed.has(h.product.id)) continue;
        const c = tier.get(h.product.id) ?? { product: h.product, score: 0, rrf: {}, ...(h.vectors ? { vectors: h.vectors } : {}) };
        const contribution = 1 / (k + i + 1);
        c.score += contribution;
        c.rrf![side] = contribution;
        if (side === 'vector') c.vector = vectorSide(h, i);
        else c.keyword = { rank: i + 1, score: h.score };
        tier.set(h.product.id, c);
      }
    };
    add(vector.hits, 'vector');
    add(keyword.hits, 'keyword');
    const ordered = [...tier.values()].sort(byScoreThenId);
    for (const c of ordered) placed.add(c.product.id);
    items.push(...ordered);
    const tierSettled = (s: RankedSide) => s.exhausted || s.settled >= end;
    if (tierSettled(vector) && tierSettled(keyword) && settled === items.length - ordered.length) settled = items.length;
  }
  const complete = vector.exhausted && keyword.exhausted;
  return { items, settled: complete ? items.length : settled, complete };
}

function vectorSide(h: Hit, i: number): Candidate['vector'] {
  return { rank: i + 1, similarity: cosineFromScore(h.score), ...(h.matchedImage ? { matchedImage: h.matchedImage } : {}), ...(h.exactScore ? { exact: true } : {}) };
}
