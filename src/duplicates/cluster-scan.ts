import { forEachLimited } from '../common/concurrency';
import type { Product } from '../catalog/product';
import { relationOf, type RelatedProduct, type RelationThresholds } from '../catalog/relation';
import type { DuplicateCatalog } from './duplicate-catalog';
import { UnionFind } from './union-find';
import { dot } from '../common/vectors';

/** A group of products that are duplicates (or variants) of each other, through one another. */
export interface DuplicateCluster {
  /** The member most similar to all the others (highest mean cosine); ties to the smallest id. */
  representative: Product;
  /**
   * Every other member with its relation and exact cosine to the representative, most similar first. Union-find is
   * transitive: a member that joined through another member can be less similar to the representative than the level
   * asked for.
   */
  members: RelatedProduct[];
}

export interface ScanOptions {
  /** The lowest cosine that joins two products (the DUPLICATE or VARIANT threshold). */
  minCosine: number;
  thresholds: RelationThresholds;
  /** Neighbours asked for per product. A product with more near-duplicates than this still joins them all through them. */
  k?: number;
  /** Nearest-neighbour queries in flight. */
  concurrency?: number;
  /** Products per scan batch. */
  batch?: number;
  onProgress?: (done: number) => void;
  signal?: AbortSignal;
}

/** Approximate (int8) cosines are off by up to ~0.01; candidates within this of the cut are checked exactly. */
const APPROX_MARGIN = 0.02;
/** Medoids are computed over at most this many members; a larger cluster's representative is picked among them. */
const MEDOID_MAX = 400;

/**
 * Catalog-wide duplicate clusters: a kNN query per product, candidate pairs confirmed on exact cosines, joined with
 * union-find. Memory holds only products that have a near-duplicate, so it scales with the duplicates, not the catalog.
 */
export async function scanClusters(catalog: DuplicateCatalog, o: ScanOptions): Promise<DuplicateCluster[]> {
  const k = o.k ?? 10;
  const uf = new UnionFind();
  const kept = new Map<string, { product: Product; vector: ArrayLike<number> }>();
  let done = 0;
  for await (const batch of catalog.scanVectors(o.batch ?? 500)) {
    o.signal?.throwIfAborted();
    const inBatch = new Map(batch.map((r) => [r.product.id, r]));
    const candidates: [string, string][] = [];
    await forEachLimited(batch.length, o.concurrency ?? 4, async (i) => {
      const row = batch[i]!;
      const near = await catalog.nearest(row.vector, k, [row.product.id]);
      for (const n of near) if (n.cosine >= o.minCosine - APPROX_MARGIN) candidates.push([row.product.id, n.id]);
    });
    if (candidates.length > 0) {
      const missing = [...new Set(candidates.map(([, b]) => b))].filter((id) => !inBatch.has(id) && !kept.has(id));
      const fetched = await catalog.vectors(missing);
      const lookup = (id: string) => inBatch.get(id) ?? kept.get(id) ?? fetched.get(id);
      for (const [a, b] of candidates) {
        const ra = lookup(a);
        const rb = lookup(b);
        if (!ra || !rb || dot(ra.vector, rb.vector) < o.minCosine) continue; // rb: deleted since the kNN answered
        uf.union(a, b);
        kept.set(a, ra);
        kept.set(b, rb);
      }
    }
    done += batch.length;
    o.onProgress?.(done);
  }
  const clusters = uf.groups().map((ids) => toCluster(ids.map((id) => kept.get(id)!), o.thresholds));
  return clusters.sort((x, y) => y.members.length - x.members.length || cmp(x.representative.id, y.representative.id));
}

function toCluster(rows: { product: Product; vector: ArrayLike<number> }[], t: RelationThresholds): DuplicateCluster {
  const sorted = [...rows].sort((a, b) => cmp(a.product.id, b.product.id));
  const pool = sorted.slice(0, MEDOID_MAX);
  let best = pool[0]!;
  let bestSum = -Infinity;
  for (const a of pool) {
    let sum = 0;
    for (const b of pool) if (b !== a) sum += dot(a.vector, b.vector);
    if (sum > bestSum + 1e-9) {
      best = a;
      bestSum = sum;
    }
  }
  const members = sorted
    .filter((r) => r !== best)
    .map((r) => {
      const similarity = round(dot(best.vector, r.vector));
      return { product: r.product, relation: relationOf(similarity, t), similarity };
    })
    .sort((a, b) => b.similarity - a.similarity || cmp(a.product.id, b.product.id));
  return { representative: best.product, members };
}

/** Six decimals: float32 vectors carry no more, and clients should not see float noise. */
export function round(x: number): number {
  return Math.round(Math.max(-1, Math.min(1, x)) * 1e6) / 1e6;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

