/**
 * The product index: its name, settings and mapping. Pure data, so the mapping can be asserted in unit tests and the
 * adapter only ships it to Elasticsearch.
 *
 * Writes and reads go through an alias over a versioned index whose name records the model and its dimensions. A new
 * model, new dimensions or a new mapping version therefore means a new index, filled and then swapped in behind the
 * alias, never an in-place change.
 */

/** Bump when the mapping changes incompatibly: it is part of the index name. */
export const MAPPING_VERSION = 1;

export const VECTOR_FIELD = 'image_vector';

export interface IndexIdentity {
  modelId: string;
  dims: number;
}

export function slugifyModelId(modelId: string): string {
  const slug = modelId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return (slug || 'model').slice(0, 80);
}

export function versionedIndexName(alias: string, id: IndexIdentity): string {
  return `${alias}--${slugifyModelId(id.modelId)}--${id.dims}d--m${MAPPING_VERSION}`;
}

export function indexSettings() {
  return {
    number_of_shards: 1,
    // A single-node dev cluster cannot place replicas; `0-1` keeps health green there and gives a replica elsewhere.
    auto_expand_replicas: '0-1',
  };
}

export function indexMappings(id: IndexIdentity) {
  return {
    dynamic: 'strict' as const,
    _meta: { model_id: id.modelId, dims: id.dims, mapping_version: MAPPING_VERSION },
    properties: {
      id: { type: 'keyword' as const },
      title: { type: 'text' as const, fields: { raw: { type: 'keyword' as const, ignore_above: 512 } } },
      description: { type: 'text' as const },
      brand: { type: 'keyword' as const, normalizer: 'lowercase' },
      category: { type: 'keyword' as const, normalizer: 'lowercase' },
      color: { type: 'keyword' as const, normalizer: 'lowercase' },
      price: { type: 'double' as const },
      currency: { type: 'keyword' as const },
      inStock: { type: 'boolean' as const },
      tags: { type: 'keyword' as const, normalizer: 'lowercase' },
      attributes: { type: 'flattened' as const },
      imageUrl: { type: 'keyword' as const, index: false },
      version: { type: 'long' as const },
      updatedAt: { type: 'date' as const },
      imageSha256: { type: 'keyword' as const },
      contentHash: { type: 'keyword' as const },
      modelId: { type: 'keyword' as const },
      [VECTOR_FIELD]: {
        type: 'dense_vector' as const,
        dims: id.dims,
        index: true,
        // Vectors are L2-normalised at the source, so dot_product equals cosine and skips a normalisation per hit.
        similarity: 'dot_product' as const,
        index_options: { type: 'int8_hnsw' as const, m: 16, ef_construction: 100 },
      },
    },
  };
}

/** Reads the identity recorded in an existing index's mapping, or undefined when it is not one of ours. */
export function identityFromMapping(mapping: {
  _meta?: Record<string, unknown>;
  properties?: Record<string, { dims?: number }>;
}): IndexIdentity | undefined {
  const dims = mapping.properties?.[VECTOR_FIELD]?.dims;
  const modelId = mapping._meta?.model_id;
  if (typeof dims !== 'number' || typeof modelId !== 'string') return undefined;
  return { modelId, dims };
}
