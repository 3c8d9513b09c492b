/** Threshold fitting and per-label scoring for labelled cosine pairs; pure, so it is unit-tested on its own. */
import { relationOf, RELATIONS, type Relation, type RelationThresholds } from '../../src/catalog/relation';

export interface LabelledPair {
  label: Relation;
  /** How the pair was made (e.g. `crop`, `recolor`, `nearest-other`), for the per-kind breakdown. */
  kind: string;
  cosine: number;
}

export interface LabelScores {
  precision: Record<Relation, number>;
  recall: Record<Relation, number>;
  f1: Record<Relation, number>;
  macroF1: number;
  /** confusion[truth][predicted] = count */
  confusion: Record<Relation, Record<Relation, number>>;
}

export function scoreLabels(pairs: LabelledPair[], t: RelationThresholds): LabelScores {
  const confusion = Object.fromEntries(RELATIONS.map((r) => [r, Object.fromEntries(RELATIONS.map((p) => [p, 0]))])) as LabelScores['confusion'];
  for (const p of pairs) confusion[p.label][relationOf(p.cosine, t)]++;
  const precision = {} as Record<Relation, number>;
  const recall = {} as Record<Relation, number>;
  const f1 = {} as Record<Relation, number>;
  for (const r of RELATIONS) {
    const tp = confusion[r][r];
    const predicted = RELATIONS.reduce((s, x) => s + confusion[x][r], 0);
    const actual = RELATIONS.reduce((s, x) => s + confusion[r][x], 0);
    precision[r] = predicted === 0 ? 0 : tp / predicted;
    recall[r] = actual === 0 ? 0 : tp / actual;
    f1[r] = precision[r] + recall[r] === 0 ? 0 : (2 * precision[r] * recall[r]) / (precision[r] + recall[r]);
  }
  return { precision, recall, f1, macroF1: RELATIONS.reduce((s, r) => s + f1[r], 0) / RELATIONS.length, confusion };
}

/**
 * The (variant, duplicate) pair of thresholds with the best macro-F1 over the three labels, searched exhaustively
 * over the midpoints between consecutive observed cosines. Ties go to the higher thresholds (fewer false
 * DUPLICATE/VARIANT labels, the costlier mistake for a catalog team acting on them).
 */
export function fitThresholds(pairs: LabelledPair[]): RelationThresholds & { macroF1: number } {
  if (pairs.length === 0) throw new Error('no pairs to calibrate on');
  const sorted = [...new Set(pairs.map((p) => p.cosine))].sort((a, b) => a - b);
  const cuts = [sorted[0] - 1e-6, ...sorted.slice(1).map((c, i) => (c + sorted[i]) / 2), sorted[sorted.length - 1] + 1e-6];
  const round = (x: number): number => Math.round(x * 1e6) / 1e6;
  // counts of each label at or above each cut: cumulative from the top
  const byCos = [...pairs].sort((a, b) => a.cosine - b.cosine);
  const above = cuts.map(() => ({ DUPLICATE: 0, VARIANT: 0, SIMILAR: 0 }) as Record<Relation, number>);
  const total = { DUPLICATE: 0, VARIANT: 0, SIMILAR: 0 } as Record<Relation, number>;
  for (const p of pairs) total[p.label]++;
  let j = byCos.length - 1;
  const run = { DUPLICATE: 0, VARIANT: 0, SIMILAR: 0 } as Record<Relation, number>;
  for (let i = cuts.length - 1; i >= 0; i--) {
    while (j >= 0 && byCos[j].cosine >= cuts[i]) run[byCos[j--].label]++;
    above[i] = { ...run };
  }
  const f1 = (tp: number, predicted: number, actual: number): number => (tp === 0 ? 0 : (2 * tp) / (predicted + actual));
  let best = { variant: cuts[0], duplicate: cuts[0], macroF1: -1 };
  for (let d = 0; d < cuts.length; d++) {
    const dup = above[d];
    const fDup = f1(dup.DUPLICATE, dup.DUPLICATE + dup.VARIANT + dup.SIMILAR, total.DUPLICATE);
    for (let v = 0; v <= d; v++) {
      const band = { DUPLICATE: above[v].DUPLICATE - dup.DUPLICATE, VARIANT: above[v].VARIANT - dup.VARIANT, SIMILAR: above[v].SIMILAR - dup.SIMILAR };
      const below = { DUPLICATE: total.DUPLICATE - above[v].DUPLICATE, VARIANT: total.VARIANT - above[v].VARIANT, SIMILAR: total.SIMILAR - above[v].SIMILAR };
      const fVar = f1(band.VARIANT, band.DUPLICATE + band.VARIANT + band.SIMILAR, total.VARIANT);
      const fSim = f1(below.SIMILAR, below.DUPLICATE + below.VARIANT + below.SIMILAR, total.SIMILAR);
      const m = (fDup + fVar + fSim) / 3;
      if (m >= best.macroF1) best = { variant: round(cuts[v]), duplicate: round(cuts[d]), macroF1: m };
    }
  }
  return best;
}
