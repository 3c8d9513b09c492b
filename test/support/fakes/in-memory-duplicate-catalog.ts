import { pickProduct, type Product } from '../../../src/catalog/product';
import type { DuplicateCatalog } from '../../../src/duplicates/duplicate-catalog';
import { dot } from '../vectors';

/**
 * DuplicateCatalog in memory. `nearest` answers like the int8-quantised index: cosines rounded to `approxStep`, so a
 * service that decided relations on them (instead of exact stored vectors) fails the tests. Calls are counted.
 */
export class InMemoryDuplicateCatalog implements DuplicateCatalog {
  readonly rows = new Map<string, { product: Product; vector: number[] }>();
  gen = 'g1';
  scans = 0;
  /** Vectors asked about, and the calls that asked (nearestEach asks about many in one). */
  nearestCalls = 0;
  roundTrips = 0;

  constructor(private readonly approxStep = 0.01) {}

  add(id: string, vector: number[], extra: Partial<Product> = {}): this {
    this.rows.set(id, { product: pickProduct({ id, title: id, ...extra }), vector });
    return this;
  }

  async generation() {
    return this.gen;
  }

  async count() {
    return this.rows.size;
  }

  async *scanVectors(batch = 1000) {
    this.scans++;
    const sorted = [...this.rows.values()].sort((a, b) => (a.product.id < b.product.id ? -1 : 1));
    for (let i = 0; i < sorted.length; i += batch) yield sorted.slice(i, i + batch);
  }

  async nearest(vector: ArrayLike<number>, k: number, excludeIds: readonly string[]) {
    this.roundTrips++;
    return this.knn(vector, k, excludeIds);
  }

  async nearestEach(vectors: readonly ArrayLike<number>[], k: number, excludeIds: readonly string[]) {
    this.roundTrips++;
    return vectors.map((v) => this.knn(v, k, excludeIds));
  }

  private knn(vector: ArrayLike<number>, k: number, excludeIds: readonly string[]) {
    this.nearestCalls++;
    return [...this.rows.values()]
      .filter((r) => !excludeIds.includes(r.product.id))
      .map((r) => ({ id: r.product.id, cosine: Math.round(dot(vector, r.vector) / this.approxStep) * this.approxStep }))
      .sort((a, b) => b.cosine - a.cosine || (a.id < b.id ? -1 : 1))
      .slice(0, k);
  }

  async vectors(ids: readonly string[]) {
    return new Map(ids.flatMap((id) => (this.rows.has(id) ? [[id, this.rows.get(id)!] as const] : [])));
  }
}

/** The unit basis vector i of `dims`. */
export function basis(i: number, dims = 16): number[] {
  return Array.from({ length: dims }, (_, j) => (j === i ? 1 : 0));
}

/** A unit vector at exactly `cosine` to the unit vector `base`, turned towards basis direction `dir` (orthogonal to base). */
export function near(base: number[], cosine: number, dir: number): number[] {
  const e = basis(dir, base.length);
  const s = Math.sqrt(1 - cosine * cosine);
  return base.map((x, j) => cosine * x + s * e[j]!);
}
