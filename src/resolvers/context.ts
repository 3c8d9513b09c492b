import DataLoader from 'dataloader';
import type { Product } from '../catalog/product';
import type { ProductIndex } from '../catalog/product-index';

export type ProductReader = Pick<ProductIndex, 'getMany'>;

/** Per-request state. Loaders live here so batching and caching never leak between requests. */
export interface RequestContext {
  loaders: { product: DataLoader<string, Product | null> };
  auth: { canWrite: boolean };
  /** Fires when the client disconnects or the request's deadline passes; resolvers hand it to the services. */
  signal: AbortSignal;
}

export function createLoaders(reader: ProductReader): RequestContext['loaders'] {
  return {
    // All product(id)/products(ids) lookups of one request coalesce into a single mget.
    product: new DataLoader<string, Product | null>(
      async (ids) => {
        const found = await reader.getMany(ids);
        return ids.map((id) => found.get(id) ?? null);
      },
      { maxBatchSize: 1000 },
    ),
  };
}
