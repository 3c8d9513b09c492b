import type { ProductDocument } from '../../../src/catalog/product';

export { FakeEmbedder } from './fake-embedder';
export { FakeImageSource, inlineImage } from './fake-image-source';
export { InMemoryProductIndex } from './in-memory-product-index';
export { InMemoryRuleStore } from './in-memory-rule-store';

/** A unit vector in `dims` dimensions: `cos` towards axis 0, the rest towards axis `j`. */
export function unit(dims: number, cos: number, j = 1): number[] {
  const v = new Array<number>(dims).fill(0);
  v[0] = cos;
  v[j] = Math.sqrt(Math.max(0, 1 - cos * cos));
  return v;
}

/**
 * A stored product document with a hand-placed vector (its one image; pass `images` in `extra` for several), and
 * bookkeeping defaults that no ingest would produce.
 */
export function storedDoc(id: string, vector: number[], extra: Partial<ProductDocument> = {}): ProductDocument {
  return {
    id,
    groupId: id,
    title: `Product ${id}`,
    inStock: true,
    tags: [],
    attributes: {},
    updatedAt: '2025-01-01T00:00:00.000Z',
    images: [{ vector, sha256: `sha-${id}` }],
    contentHash: `hash-${id}`,
    modelId: 'fake-model@00000000',
    ...extra,
  };
}
