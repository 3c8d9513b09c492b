import { percentile, rowRatios, type Row } from '../../bench/lib/stats';
import { docMeta, syntheticDoc, type SeedSet } from '../../bench/lib/synthetic-catalog';
import { mulberry32 } from '../../src/common/random';
import { generateCatalog } from '../../tools/synth/catalog';

/** The arithmetic behind `npm run bench`'s table and the recipe of its synthetic documents. */

describe('bench statistics', () => {
  it('percentile is nearest-rank, never interpolated', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1..1000, reversed
    expect(percentile(xs, 50)).toBe(500);
    expect(percentile(xs, 99)).toBe(990);
    expect(percentile(xs, 100)).toBe(1000);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([3, 1, 2], 50)).toBe(2);
  });

  it('forms one ratio per round, ours ÷ reference', () => {
    const row: Row = { measure: 'x', unit: 'ms', ours: [3, 4, 10], reference: [2, 2, 4], referenceName: 'raw', goal: '', load: [] };
    expect(rowRatios(row)).toEqual([1.5, 2, 2.5]);
  });
});

describe('bench synthetic documents', () => {
  // Arbitrary unit vectors stand in for the seed embeddings: this tests the perturbation arithmetic only.
  const dims = 64;
  const rng = mulberry32(11);
  const unit = () => {
    const v = Float32Array.from({ length: dims }, () => rng() - 0.5);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const records = generateCatalog(3, 40).map((c) => c.record);
  const byCategory = new Map<string, number[]>();
  records.forEach((r, i) => byCategory.set(r.category, [...(byCategory.get(r.category) ?? []), i]));
  const seeds: SeedSet = { records, vectors: records.map(unit), byCategory, dims, modelId: 'm@1' };
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, j) => s + x * b[j]!, 0);

  it('is deterministic per document and independent of generation order', () => {
    const a = syntheticDoc(seeds, 12345);
    syntheticDoc(seeds, 7);
    expect(syntheticDoc(seeds, 12345)).toEqual(a);
    expect(a.id).toBe('bv2-0012345');
    expect(a.groupId).toBe(`bv2-g${docMeta(seeds, 12345).base}-${12345 % 48}`);
  });

  it('gives unit vectors near the base product whose fields it copies', () => {
    for (let i = 0; i < 200; i++) {
      const d = syntheticDoc(seeds, i);
      const m = docMeta(seeds, i);
      expect(Math.abs(Math.hypot(...d.images[0]!.vector) - 1)).toBeLessThan(1e-6);
      expect(d.category).toBe(records[m.base]!.category);
      expect(d.inStock).toBe(m.inStock);
      expect(dot(d.images[0]!.vector, seeds.vectors[m.base]!)).toBeGreaterThan(0.6);
    }
  });
});
