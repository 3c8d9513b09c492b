import { primaryVector, type Product } from '../catalog/product';
import type { CatalogScan, ProductIndex } from '../catalog/product-index';
import type { Embedder } from '../embedding/embedder';
import { CovarianceAccumulator, projectPca, type PcaModel } from './pca';
import { fitUmap } from './umap.adapter';
import { dot } from '../common/vectors';

/**
 * The catalog map: every product's image vector placed in 2-D (UMAP for small catalogs, PCA above
 * `umapMaxProducts`), computed on demand and cached per catalog generation, so a write anywhere makes the next
 * request recompute and concurrent requests share one computation. Coordinates are scaled to [0, 1].
 */
export type CatalogReader = CatalogScan & Pick<ProductIndex, 'getDocuments' | 'retrieve'>;

export type ProjectionMethod = 'UMAP' | 'PCA';

export const MAP_FACETS = ['category', 'brand', 'color', 'inStock'] as const;
export type MapFacetName = (typeof MAP_FACETS)[number];

export interface MapFacet {
  name: MapFacetName;
  values: string[];
  /** Per point: index into `values`, -1 when the product has no value. */
  codes: number[];
}

export interface CatalogMap {
  generation: string;
  method: ProjectionMethod;
  totalProducts: number;
  ids: string[];
  x: number[];
  y: number[];
  facets: MapFacet[];
}

interface Computed {
  map: CatalogMap;
  /** Every product's position (also the ones a sampled map leaves out). */
  positions: Map<string, [number, number]>;
}

/** How many nearest products place a text query. */
const PLACE_K = 10;

export interface CatalogMapOptions {
  umapMaxProducts: number;
  maxPoints: number;
}

export class CatalogMapService {
  private cached?: { generation: string; result: Promise<Computed> };

  constructor(
    private readonly catalog: CatalogReader,
    private readonly embedder: Embedder,
    private readonly o: CatalogMapOptions,
  ) {}

  async map(): Promise<CatalogMap> {
    return (await this.current()).map;
  }

  /**
   * Where a text query lands: the similarity-weighted mean position of its nearest products. Text and image vectors
   * sit apart in SigLIP's space (the modality gap), so projecting the text vector itself would land off the
   * catalog; its image neighbours are what the shopper would see.
   */
  async placeText(q: string): Promise<{ x: number; y: number }> {
    const [computed, vector] = await Promise.all([this.current(), this.embedder.embedText(q)]);
    const found = await this.catalog.retrieve({ restriction: {}, vector: { vector, from: 0, size: PLACE_K, numCandidates: 100 } });
    const hits = found.vector ?? [];
    let x = 0;
    let y = 0;
    let total = 0;
    for (const h of hits) {
      const p = computed.positions.get(h.product.id);
      if (!p) continue; // written after the map was computed
      const w = Math.max(1e-6, h.score) ** 4; // sharpen: the closest few dominate
      x += w * p[0];
      y += w * p[1];
      total += w;
    }
    return total > 0 ? { x: round(x / total), y: round(y / total) } : { x: 0.5, y: 0.5 };
  }

  /** Cosine similarity of every pair (vectors are unit length), row-major; unknown ids are reported, not raised. */
  async similarityMatrix(ids: string[]): Promise<{ ids: string[]; values: number[]; unknownIds: string[] }> {
    const unique = [...new Set(ids)];
    const docs = await this.catalog.getDocuments(unique);
    const known = unique.filter((id) => docs.has(id));
    const vectors = known.map((id) => primaryVector(docs.get(id)!));
    const values: number[] = [];
    for (const a of vectors) for (const b of vectors) values.push(Math.round(dot(a, b) * 1e4) / 1e4);
    return { ids: known, values, unknownIds: unique.filter((id) => !docs.has(id)) };
  }

  private async current(): Promise<Computed> {
    const generation = await this.catalog.generation();
    if (this.cached?.generation !== generation) {
      const result = this.compute(generation);
      this.cached = { generation, result };
      // A failed computation must not stay cached.
      result.catch(() => {
        if (this.cached?.result === result) this.cached = undefined;
      });
    }
    return this.cached.result;
  }

  private async compute(generation: string): Promise<Computed> {
    const products: Product[] = [];
    const vectors: number[][] = [];
    let covariance: CovarianceAccumulator | undefined;
    // Covariance is summed while scanning: each batch costs a few milliseconds between Elasticsearch round trips,
    // so even a 100k catalog never holds the event loop for long.
    for await (const batch of this.catalog.scanVectors(1000)) {
      for (const { product, vector } of batch) {
        covariance ??= new CovarianceAccumulator(vector.length);
        covariance.add(vector);
        products.push(product);
        vectors.push(vector);
      }
      await new Promise((r) => setImmediate(r));
    }
    const method: ProjectionMethod = products.length <= this.o.umapMaxProducts && products.length > 16 ? 'UMAP' : 'PCA';
    let raw: number[][];
    if (method === 'UMAP') {
      raw = await fitUmap(vectors);
    } else {
      const model: PcaModel = covariance ? covariance.fit(2) : { mean: new Float64Array(0), components: [] };
      raw = vectors.map((v) => projectPca(model, v));
    }
    const scale = fitScale(raw);
    const keep = sampleIndices(products.length, this.o.maxPoints);
    const map: CatalogMap = {
      generation,
      method,
      totalProducts: products.length,
      ids: keep.map((i) => products[i].id),
      x: keep.map((i) => scale.x(raw[i][0] ?? 0)),
      y: keep.map((i) => scale.y(raw[i][1] ?? 0)),
      facets: MAP_FACETS.map((name) => facet(name, keep.map((i) => products[i]))),
    };
    const positions = new Map(products.map((p, i): [string, [number, number]] => [p.id, [scale.x(raw[i][0] ?? 0), scale.y(raw[i][1] ?? 0)]]));
    return { map, positions };
  }
}

/** Evenly spread indices in id order: a uniform sample that is the same on every replica. */
export function sampleIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor((i * n) / max));
}

function fitScale(points: number[][]): { x(v: number): number; y(v: number): number } {
  const range = (k: 0 | 1) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of points) {
      lo = Math.min(lo, p[k] ?? 0);
      hi = Math.max(hi, p[k] ?? 0);
    }
    return lo === Infinity ? { lo: 0, span: 1 } : { lo, span: hi - lo || 1 };
  };
  const rx = range(0);
  const ry = range(1);
  return { x: (v) => round((v - rx.lo) / rx.span), y: (v) => round((v - ry.lo) / ry.span) };
}

function round(v: number): number {
  return Math.round(v * 1e5) / 1e5;
}

function facet(name: MapFacetName, products: Product[]): MapFacet {
  const values: string[] = [];
  const index = new Map<string, number>();
  const codes = products.map((p) => {
    const raw = name === 'inStock' ? (p.inStock ? 'in stock' : 'out of stock') : p[name];
    if (raw == null || raw === '') return -1;
    let code = index.get(raw);
    if (code === undefined) {
      code = values.length;
      values.push(raw);
      index.set(raw, code);
    }
    return code;
  });
  return { name, values, codes };
}
