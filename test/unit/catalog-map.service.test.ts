import type { Product, ProductDocument } from '../../src/catalog/product';
import type { Embedder } from '../../src/embedding/embedder';
import { CatalogMapService, type CatalogReader } from '../../src/explore/catalog-map.service';

/** The map service against an in-memory catalog: method choice, sampling, caching per generation, text placement. */
function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** `clusters` tight groups of points around orthogonal axes of a d-dimensional space; deterministic jitter. */
function clustered(n: number, clusters: number, d = 16): { product: Product; vector: number[] }[] {
  return Array.from({ length: n }, (_, i) => {
    const c = i % clusters;
    const vector = unit(Array.from({ length: d }, (_, j) => (j === c ? 1 : 0) + 0.05 * Math.sin(i * 7.1 + j * 3.3)));
    const product: Product = {
      id: `p-${String(i).padStart(6, '0')}`,
      groupId: `p-${String(i).padStart(6, '0')}`,
      title: `Product ${i}`,
      category: `cat-${c}`,
      brand: i % 4 < 2 ? 'Acme' : undefined,
      inStock: i % 4 !== 2,
      tags: [],
      attributes: {},
      updatedAt: '2026-01-01T00:00:00Z',
    };
    return { product, vector };
  });
}

class FakeCatalog implements CatalogReader {
  scans = 0;
  constructor(
    public rows: { product: Product; vector: number[] }[],
    public gen = 'g1',
  ) {}
  async generation() {
    return this.gen;
  }
  async *scanVectors(batch = 1000) {
    this.scans++;
    for (let i = 0; i < this.rows.length; i += batch) yield this.rows.slice(i, i + batch);
  }
  async getDocuments(ids: readonly string[]) {
    return new Map(
      this.rows
        .filter((r) => ids.includes(r.product.id))
        .map((r): [string, ProductDocument] => [r.product.id, { ...r.product, images: [{ vector: r.vector, sha256: '' }], contentHash: '', modelId: 'fake' }]),
    );
  }
  async retrieve(o: { vector?: { vector: ArrayLike<number>; size: number } }) {
    const q = o.vector!;
    const score = (v: number[]) => (1 + v.reduce((s, x, j) => s + x * q.vector[j], 0)) / 2;
    return {
      vector: [...this.rows].sort((a, b) => score(b.vector) - score(a.vector)).slice(0, q.size).map((r) => ({ product: r.product, score: score(r.vector) })),
    };
  }
}

const embedder = (vector: number[]): Embedder => ({
  modelId: 'fake',
  dims: vector.length,
  embedImage: async () => Float32Array.from(vector),
  embedText: async () => Float32Array.from(vector),
});

describe('CatalogMapService', () => {
  it('maps a small catalog with UMAP, keeping clusters together, and places a text query on its cluster', async () => {
    const catalog = new FakeCatalog(clustered(120, 4));
    const svc = new CatalogMapService(catalog, embedder(unit([0, 0, 1, ...Array(13).fill(0)])), { umapMaxProducts: 500, maxPoints: 1000 });
    const map = await svc.map();
    expect(map).toMatchObject({ method: 'UMAP', totalProducts: 120, generation: 'g1' });
    expect(map.ids).toHaveLength(120);
    for (const v of [...map.x, ...map.y]) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
    // Every point's nearest neighbour on the map is from its own cluster.
    const category = map.facets.find((f) => f.name === 'category')!;
    let same = 0;
    for (let i = 0; i < 120; i++) {
      let best = -1;
      let bestD = Infinity;
      for (let j = 0; j < 120; j++) {
        const d = (map.x[i] - map.x[j]) ** 2 + (map.y[i] - map.y[j]) ** 2;
        if (j !== i && d < bestD) [best, bestD] = [j, d];
      }
      if (category.codes[best] === category.codes[i]) same++;
    }
    expect(same).toBe(120);
    // The text vector points at cluster 2: it lands inside that cluster's bounding box.
    const at = await svc.placeText('anything');
    const members = map.ids.map((_, i) => i).filter((i) => category.values[category.codes[i]] === 'cat-2');
    const xs = members.map((i) => map.x[i]);
    const ys = members.map((i) => map.y[i]);
    expect(at.x).toBeGreaterThanOrEqual(Math.min(...xs));
    expect(at.x).toBeLessThanOrEqual(Math.max(...xs));
    expect(at.y).toBeGreaterThanOrEqual(Math.min(...ys));
    expect(at.y).toBeLessThanOrEqual(Math.max(...ys));
  });

  it('uses PCA above the UMAP limit and sends a uniform sample above the point cap', async () => {
    const catalog = new FakeCatalog(clustered(30_000, 5));
    const svc = new CatalogMapService(catalog, embedder(unit(Array(16).fill(1))), { umapMaxProducts: 2000, maxPoints: 5000 });
    const map = await svc.map();
    expect(map.method).toBe('PCA');
    expect(map.totalProducts).toBe(30_000);
    expect(map.ids).toHaveLength(5000);
    expect(map.ids.slice(0, 3)).toEqual(['p-000000', 'p-000006', 'p-000012']);
    expect(map.facets.map((f) => [f.name, f.values.length, f.codes.length])).toEqual([
      ['category', 5, 5000],
      ['brand', 1, 5000],
      ['color', 0, 5000],
      ['inStock', 2, 5000],
    ]);
    expect(map.facets[2].codes.every((c) => c === -1)).toBe(true);
  });

  it('computes once per catalog generation, sharing one computation between concurrent requests', async () => {
    const catalog = new FakeCatalog(clustered(60, 3));
    const svc = new CatalogMapService(catalog, embedder(unit(Array(16).fill(1))), { umapMaxProducts: 10, maxPoints: 1000 });
    const [a, b] = await Promise.all([svc.map(), svc.map()]);
    expect(a).toBe(b);
    expect(catalog.scans).toBe(1);
    await svc.map();
    expect(catalog.scans).toBe(1);
    catalog.rows = catalog.rows.slice(1);
    catalog.gen = 'g2';
    const c = await svc.map();
    expect(catalog.scans).toBe(2);
    expect(c).toMatchObject({ generation: 'g2', totalProducts: 59 });
  });

  it('returns the pairwise cosine matrix and reports unknown ids', async () => {
    const catalog = new FakeCatalog(clustered(8, 2));
    const svc = new CatalogMapService(catalog, embedder(unit(Array(16).fill(1))), { umapMaxProducts: 10, maxPoints: 1000 });
    const m = await svc.similarityMatrix(['p-000000', 'p-000001', 'nope', 'p-000000']);
    expect(m.ids).toEqual(['p-000000', 'p-000001']);
    expect(m.unknownIds).toEqual(['nope']);
    expect(m.values[0]).toBe(1);
    expect(m.values[3]).toBe(1);
    expect(m.values[1]).toBe(m.values[2]);
    expect(m.values[1]).toBeLessThan(0.1);
  });
});
