import type { ProductDocument } from '../../src/catalog/product';
import type { RetrievalQuery } from '../../src/catalog/product-index';
import { ElasticsearchProductIndex } from '../../src/search/elasticsearch/elasticsearch.adapter';
import { ES_URL } from '../support/es';
import { storedDoc } from '../support/fakes';

/**
 * The cheaper query path against a real Elasticsearch: the seed read by a realtime GET of its vector only, the kNN
 * that keeps an unfiltered seed in its list, several retrievals in one msearch, and the rescoring of int8 candidates
 * with the float vectors (which must work on the integ-test build as on the full distribution).
 */
const DIMS = 16;
/** Deterministic unit vectors spread around axis 0 (a fixed LCG, so every run indexes the same catalog). */
function vectors(n: number): number[][] {
  let s = 42;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return Array.from({ length: n }, () => {
    const v = Array.from({ length: DIMS }, (_, j) => (j === 0 ? 2 : 0) + rnd());
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const pad = (i: number) => `p${String(i).padStart(3, '0')}`;

function connect(alias: string, knnOversample?: number): ElasticsearchProductIndex {
  return ElasticsearchProductIndex.connect({ url: ES_URL, indexAlias: alias, requestTimeoutMs: 30_000, maxRetries: 1, knnOversample });
}

describe('the query path on a real Elasticsearch', () => {
  const alias = `test-query-path-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const vs = vectors(300);
  const docs: ProductDocument[] = vs.map((v, i) => storedDoc(pad(i), v, { category: i % 3 ? 'mug' : 'lamp', images: [{ vector: v, sha256: `a-${i}` }, { vector: vs[(i + 1) % vs.length]!, sha256: `b-${i}`, url: `https://img.test/${i}.jpg` }] }));
  let plain: ElasticsearchProductIndex;
  let rescored: ElasticsearchProductIndex;

  beforeAll(async () => {
    plain = connect(alias);
    rescored = connect(alias, 1);
    await plain.ensureIndex({ modelId: 'fake-model@00000000', dims: DIMS });
    expect((await plain.bulkUpsert(docs, { refresh: true })).every((r) => r.ok)).toBe(true);
  });

  afterAll(async () => {
    await plain.dropAll();
    await Promise.all([plain.close(), rescored.close()]);
  });

  it('reads a seed\'s first vector and category right after a write, before any refresh, by GET or mget', async () => {
    const fresh = storedDoc('fresh', vs[7]!, { category: 'Vase', images: [{ vector: vs[7]!, sha256: 'f1' }, { vector: vs[8]!, sha256: 'f2' }] });
    expect((await plain.bulkUpsert([fresh]))[0]!.ok).toBe(true);
    // Elasticsearch keeps float32s.
    const f32 = (s: { vector: number[]; category?: string } | undefined) => s && { ...s, vector: s.vector.map(Math.fround) };
    const one = await plain.getQuerySeeds(['fresh']);
    expect([...one.keys()]).toEqual(['fresh']);
    expect(f32(one.get('fresh'))).toEqual(f32({ vector: vs[7]!, category: 'Vase' }));
    const many = await plain.getQuerySeeds(['p001', 'ghost', 'fresh']);
    expect([...many.keys()].sort()).toEqual(['fresh', 'p001']);
    expect(f32(many.get('p001'))).toEqual(f32({ vector: vs[1]!, category: 'mug' }));
    expect(await plain.getQuerySeeds(['ghost'])).toEqual(new Map());
    await plain.delete('fresh', { refresh: true });
  });

  it('keeps an unfiltered exclusion in the kNN list, one position longer, and the same order as the filter gives', async () => {
    // p299's second image is vs[0] itself, so it ties p000 at score 1.0 and either may come first (the engine's
    // order of equal scores is its own); it is excluded to keep p000's place exact.
    const query = (unfiltered?: string[]): RetrievalQuery => ({
      restriction: { excludeIds: ['p000', 'p005', 'p299'] },
      vector: { vector: vs[0]!, from: 0, size: 11, numCandidates: 100, ...(unfiltered ? { unfiltered } : {}) },
    });
    const filtered = (await plain.retrieve(query())).vector!.map((h) => h.product.id);
    const kept = (await plain.retrieve(query(['p000']))).vector!.map((h) => h.product.id);
    expect(kept[0]).toBe('p000');
    expect(kept.filter((id) => id !== 'p000')).toEqual(filtered.slice(0, 10));
    expect(kept).not.toContain('p005');
    expect(kept).not.toContain('p299');
  });

  it('answers several retrievals in one msearch, each as retrieve alone would', async () => {
    const qs = [3, 4, 5].map((i): RetrievalQuery => ({ restriction: { excludeIds: [pad(i)] }, vector: { vector: vs[i]!, from: 0, size: 3, numCandidates: 30 } }));
    const each = await plain.retrieveEach(qs);
    const alone = await Promise.all(qs.map((q) => plain.retrieve(q)));
    expect(each.map((r) => r.vector!.map((h) => h.product.id))).toEqual(alone.map((r) => r.vector!.map((h) => h.product.id)));
    expect(each.map((r) => r.vector!.length)).toEqual([3, 3, 3]);
    expect(await plain.retrieveEach([])).toEqual([]);
  });

  it('rescores int8 candidates with the float vectors: exact scores and order, and windows that stay prefixes', async () => {
    const q = vs[10]!;
    const exact = docs
      .map((d) => ({ id: d.id, score: (1 + Math.max(...d.images.map((i) => dot(q, i.vector)))) / 2 }))
      .sort((a, b) => b.score - a.score);
    const page = (index: ElasticsearchProductIndex, from: number, size: number) => index.retrieve({ restriction: {}, vector: { vector: q, from, size, numCandidates: 300 } });
    const top = (await page(rescored, 0, 20)).vector!;
    expect(top.map((h) => h.product.id)).toEqual(exact.slice(0, 20).map((e) => e.id));
    for (const [i, h] of top.entries()) expect(h.score).toBeCloseTo(exact[i]!.score, 6);
    // Without rescoring the int8 scores are off by more than that (what the assertion above would catch).
    const quantised = (await page(plain, 0, 20)).vector!;
    expect(Math.max(...quantised.map((h) => Math.abs(h.score - exact.find((e) => e.id === h.product.id)!.score)))).toBeGreaterThan(1e-6);
    const parts = [...(await page(rescored, 0, 7)).vector!, ...(await page(rescored, 7, 13)).vector!];
    expect(parts.map((h) => h.product.id)).toEqual(top.map((h) => h.product.id));
    // The matched image is still found after the hits' _source is cut to what they need.
    expect(top.every((h) => h.matchedImage !== undefined)).toBe(true);
    const second = top.find((h) => h.matchedImage!.index === 1);
    expect(second?.matchedImage?.url).toBe(`https://img.test/${second!.product.id.slice(1).replace(/^0+(?=\d)/, '')}.jpg`);
  });

  it('reads the matched image from hits that carry their vectors exactly as the inner hits say it, equal images included', async () => {
    // Two images with one vector: the inner hits name the first; so must the reader that replaces them.
    const twin = storedDoc('twin', vs[12]!, { images: [{ vector: vs[40]!, sha256: 't0' }, { vector: vs[12]!, sha256: 't1', url: 'https://img.test/t1.jpg' }, { vector: vs[12]!, sha256: 't2' }] });
    expect((await plain.bulkUpsert([twin], { refresh: true }))[0]!.ok).toBe(true);
    try {
      for (const index of [plain, rescored]) {
        for (const collapse of [false, true]) {
          const q = (withVectors: boolean): RetrievalQuery => ({ restriction: {}, vector: { vector: vs[12]!, from: 0, size: 60, numCandidates: 300, collapse }, withVectors });
          const inner = (await index.retrieve(q(false))).vector!;
          const read = (await index.retrieve(q(true))).vector!;
          expect(read.every((h) => h.vectors !== undefined)).toBe(true);
          expect(read.map((h) => [h.product.id, h.score, h.matchedImage])).toEqual(inner.map((h) => [h.product.id, h.score, h.matchedImage]));
          expect(new Set(read.map((h) => h.matchedImage!.index))).toEqual(new Set([0, 1]));
          expect(read.find((h) => h.product.id === 'twin')!.matchedImage).toEqual({ index: 1, url: 'https://img.test/t1.jpg' });
        }
      }
    } finally {
      await plain.delete('twin', { refresh: true });
    }
  });

  it('marks as exact the rescored hits of one-image products only, and no hit of an int8 index without rescoring', async () => {
    const solo = storedDoc('solo', vs[11]!, { images: [{ vector: vs[11]!, sha256: 's1' }] });
    expect((await plain.bulkUpsert([solo], { refresh: true }))[0]!.ok).toBe(true);
    try {
      const q = { restriction: {}, vector: { vector: vs[11]!, from: 0, size: 5, numCandidates: 300 } };
      const exact = (await rescored.retrieve(q)).vector!.map((h) => `${h.product.id}:${h.exactScore ?? false}`);
      expect(exact.filter((h) => h.endsWith(':true'))).toEqual(['solo:true']);
      expect(exact).toHaveLength(5);
      expect((await plain.retrieve(q)).vector!.filter((h) => h.exactScore)).toEqual([]);
    } finally {
      await plain.delete('solo', { refresh: true });
    }
  });
});
