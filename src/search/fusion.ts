/**
 * Reciprocal rank fusion, done here because the Elasticsearch we must support (basic licence, integ-test build)
 * has no `rrf` retriever. RRF needs no score calibration between BM25 and cosine, which is why it is the default.
 */

export interface RankedList<T> {
  items: readonly T[];
  weight?: number;
}

export interface Fused<T> {
  item: T;
  score: number;
}

export const DEFAULT_RANK_CONSTANT = 60;

export function reciprocalRankFusion<T>(
  lists: readonly RankedList<T>[],
  keyOf: (item: T) => string,
  rankConstant = DEFAULT_RANK_CONSTANT,
): Fused<T>[] {
  const byKey = new Map<string, Fused<T>>();
  for (const list of lists) {
    const weight = list.weight ?? 1;
    list.items.forEach((item, index) => {
      const key = keyOf(item);
      const contribution = weight / (rankConstant + index + 1);
      const existing = byKey.get(key);
      if (existing) existing.score += contribution;
      else byKey.set(key, { item, score: contribution });
    });
  }
  // Stable on ties: Map preserves first-seen order and Array.prototype.sort is stable.
  return [...byKey.values()].sort((a, b) => b.score - a.score);
}
