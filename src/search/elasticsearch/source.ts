import { pickProduct, type Product, type ProductDocument } from '../../catalog/product';
import type { Hit } from '../../catalog/product-index';
import { VECTOR_FIELD } from './index-mapping';

/** A product document as stored in Elasticsearch's `_source` (the vector under its field name), and back. */
export type Source = Omit<ProductDocument, 'imageVector'> & { [VECTOR_FIELD]?: number[] };

/** Hits never need the vectors (9.x leaves them out of _source by default; this says so explicitly). */
export const NO_VECTORS = { exclude_vectors: true } as const;

export function toSource(d: ProductDocument): Source {
  const { imageVector, ...rest } = d;
  // A shadow copy mirrored from a server of the previous model has no vector yet (reindex/dual-write-index.ts).
  return imageVector.length > 0 ? { ...rest, [VECTOR_FIELD]: imageVector } : rest;
}

export function toProduct(s: Source): Product {
  return pickProduct(s);
}

export function toDocument(s: Source): ProductDocument {
  return {
    ...toProduct(s),
    imageVector: s[VECTOR_FIELD] ?? [],
    imageSha256: s.imageSha256,
    contentHash: s.contentHash,
    modelId: s.modelId,
    imageSourceUrl: s.imageSourceUrl,
    imageEtag: s.imageEtag,
    imageLastModified: s.imageLastModified,
    attributeConflicts: s.attributeConflicts,
    tagsVersion: s.tagsVersion,
  };
}

export function toHits(hits: { _source?: Source; _score?: number | null }[]): Hit[] {
  return hits.filter((h) => h._source).map((h) => ({ product: toProduct(h._source!), score: h._score ?? 0 }));
}
