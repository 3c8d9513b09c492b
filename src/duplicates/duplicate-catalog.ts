import { pickProduct, primaryVector, type Product } from '../catalog/product';
import type { CatalogScan, ProductIndex, Retrieval, RetrievalQuery } from '../catalog/product-index';

/**
 * What finding duplicates needs from the catalog: a walk over every product's vector, an approximate nearest-neighbour
 * query, and the exact stored vectors of a few products. Approximate cosines only pick candidates; every relation is
 * decided on exact cosines of the stored vectors, because the index's int8-quantised scores are off by up to ~0.01,
 * about the width of the DUPLICATE band.
 */
export interface DuplicateCatalog {
  /** Changes whenever what searches see changes. */
  generation(): Promise<string>;
  /** How many products there are (for progress). */
  count(): Promise<number>;
  /** Every product with its image vector, in id order, in batches. */
  scanVectors(batch?: number): AsyncGenerator<{ product: Product; vector: ArrayLike<number> }[]>;
  /** Up to `k` products nearest to `vector` (never those of `excludeIds`), best first, with approximate cosines. */
  nearest(vector: ArrayLike<number>, k: number, excludeIds: readonly string[]): Promise<{ id: string; cosine: number }[]>;
  /** `nearest` for each vector, in order, in one round trip (the check of a whole ingest call). */
  nearestEach(vectors: readonly ArrayLike<number>[], k: number, excludeIds: readonly string[]): Promise<{ id: string; cosine: number }[][]>;
  /** The stored products and their image vectors; absent ids are missing from the map. */
  vectors(ids: readonly string[]): Promise<Map<string, { product: Product; vector: ArrayLike<number> }>>;
}

/** The catalog over the product index: the one place that knows how its queries and documents look. */
export function duplicateCatalog(index: Pick<ProductIndex, 'retrieve' | 'retrieveEach' | 'getDocuments'> & CatalogScan & { count(): Promise<number> }): DuplicateCatalog {
  return {
    generation: () => index.generation(),
    count: () => index.count(),
    scanVectors: (batch) => index.scanVectors(batch),
    async nearest(vector, k, excludeIds) {
      return cosines(await index.retrieve(nearestQuery(vector, k, excludeIds)));
    },
    async nearestEach(vectors, k, excludeIds) {
      if (vectors.length === 0) return [];
      return (await index.retrieveEach(vectors.map((v) => nearestQuery(v, k, excludeIds)))).map(cosines);
    },
    async vectors(ids) {
      const docs = await index.getDocuments(ids);
      // A product is its own picture, its first image (other images only widen the kNN candidates above).
      return new Map([...docs].map(([id, d]) => [id, { product: pickProduct(d), vector: primaryVector(d) }]));
    },
  };
}

function nearestQuery(vector: ArrayLike<number>, k: number, excludeIds: readonly string[]): RetrievalQuery {
  // The candidate pool a plain kNN of k would use: 10×k, at least 100.
  const numCandidates = Math.min(10_000, Math.max(100, k * 10));
  return { restriction: { excludeIds }, vector: { vector, from: 0, size: k, numCandidates } };
}

/** dot_product over unit vectors scores (1 + cos) / 2. */
function cosines({ vector: hits = [] }: Retrieval): { id: string; cosine: number }[] {
  return hits.map((h) => ({ id: h.product.id, cosine: 2 * h.score - 1 }));
}
