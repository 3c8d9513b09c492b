/**
 * The product index: its name, settings and mapping. Pure data, so the mapping can be asserted in unit tests and the
 * adapter only ships it to Elasticsearch.
 *
 * Writes and reads go through an alias over a versioned index whose name records the model and its dimensions. A new
 * model, new dimensions or a new mapping version therefore means a new index, filled and then swapped in behind the
 * alias, never an in-place change.
 */

import { FIELD_NAMES, PRODUCT_FIELDS, type ProductFields } from '../../catalog/product-fields';
import { AppError } from '../../common/errors';
import { DEFAULT_VECTOR_INDEX_TYPE, type VectorIndexType } from '../../common/vectors';

/**
 * Bump when the mapping changes (a field added, removed or retyped): it is part of the index name, and a server
 * refuses to serve an index of another version until `npm run reindex` has rebuilt it (a copy, when only the mapping
 * changed: older versions are read through source.ts).
 *
 * 2: conditional re-fetch bookkeeping (the image URL's ETag and Last-Modified beside its vector).
 * 3: zero-shot tags (predictedAttributes, predictedTags), attribute conflicts and the tags version.
 * 4: several images per product (nested `images`, each with its vector and its fetch bookkeeping) and `groupId`.
 */
export const MAPPING_VERSION = 4;

/** The nested field holding a product's images, and the vector inside each. */
export const IMAGES_FIELD = 'images';
export const VECTOR_FIELD = `${IMAGES_FIELD}.vector`;

/** Versions 1 and 2 kept one vector per product in this top-level field (read when reindexing an old index). */
export const LEGACY_VECTOR_FIELD = 'image_vector';

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

/** Primary shards and replicas per shard (ES_INDEX_SHARDS, ES_INDEX_REPLICAS). */
export interface IndexShape {
  shards: number;
  replicas: number;
  vectorIndex?: VectorIndexType;
}

export function indexSettings(shape: IndexShape) {
  return {
    number_of_shards: shape.shards,
    // Explicit, never auto-expanded: a one-node cluster needs 0 to be green, a cluster at least 1 to lose nothing
    // when a node goes, and the operator says which (the adapter also applies it to an existing index at boot).
    number_of_replicas: shape.replicas,
  };
}

/**
 * `vectorIndex`: how the vectors are quantised in the HNSW graph (ES_VECTOR_INDEX_TYPE). Not part of the index name
 * or the identity: every type answers the same queries, so an index of another type keeps serving until a reindex.
 */
export function indexMappings(id: IndexIdentity, vectorIndex: VectorIndexType = DEFAULT_VECTOR_INDEX_TYPE) {
  return {
    dynamic: 'strict' as const,
    _meta: { model_id: id.modelId, dims: id.dims, mapping_version: MAPPING_VERSION },
    properties: {
      ...catalogProperties(),
      contentHash: { type: 'keyword' as const },
      modelId: { type: 'keyword' as const },
      // Catalog QA: one entry per label set whose stated value the image contradicts, queried by set and confidence.
      attributeConflicts: {
        type: 'nested' as const,
        properties: {
          name: { type: 'keyword' as const },
          stated: { type: 'keyword' as const },
          predicted: { type: 'keyword' as const },
          confidence: { type: 'float' as const },
        },
      },
      tagsVersion: { type: 'keyword' as const },
      // Several vectors per product: kNN over nested vectors scores a product by its best-matching image, and
      // inner_hits say which one matched.
      [IMAGES_FIELD]: {
        type: 'nested' as const,
        properties: {
          vector: {
            type: 'dense_vector' as const,
            dims: id.dims,
            index: true,
            // Vectors are L2-normalised at the source, so dot_product equals cosine and skips a normalisation per hit.
            similarity: 'dot_product' as const,
            index_options: { type: vectorIndex, m: 16, ef_construction: 100 },
          },
          sha256: { type: 'keyword' as const },
          // Where the bytes came from and that response's validators, for the next conditional fetch: read back by
          // id, never searched.
          url: { type: 'keyword' as const, index: false, doc_values: false },
          etag: { type: 'keyword' as const, index: false, doc_values: false },
          lastModified: { type: 'keyword' as const, index: false, doc_values: false },
        },
      },
    },
  };
}

/** The mapping of every catalog field, from the field table. */
function catalogProperties(): { [K in keyof ProductFields]: ProductFields[K]['es'] } {
  return Object.fromEntries(FIELD_NAMES.map((name) => [name, PRODUCT_FIELDS[name].es])) as never;
}

interface MappingProperty {
  dims?: number;
  index_options?: { type?: string };
  properties?: Record<string, MappingProperty>;
}

/** The MAPPING_VERSION an existing index was created with (undefined for an index that is not one of ours). */
export function mappingVersionOf(mapping: { _meta?: Record<string, unknown> }): number | undefined {
  const v = mapping._meta?.mapping_version;
  return typeof v === 'number' ? v : undefined;
}

/** Reads the model identity an existing index's mapping records (this version's or an older one's), or undefined when it is not one of ours. */
export function identityFromMapping(mapping: { _meta?: Record<string, unknown>; properties?: Record<string, MappingProperty> }): IndexIdentity | undefined {
  const dims = mapping.properties?.[IMAGES_FIELD]?.properties?.vector?.dims ?? mapping.properties?.[LEGACY_VECTOR_FIELD]?.dims;
  const modelId = mapping._meta?.model_id;
  if (typeof dims !== 'number' || typeof modelId !== 'string') return undefined;
  return { modelId, dims };
}

/**
 * Why a server with this model must not serve the index behind the alias, or undefined when it may: vectors of
 * another model or dimension, or an older mapping version (the mapping is strict: writes of fields an older mapping
 * lacks would fail item by item). The message says how to fix it.
 */
export function servingRefusal(
  alias: string,
  index: string,
  found: IndexIdentity | undefined,
  mappingVersion: number | undefined,
  wanted: IndexIdentity,
): AppError | undefined {
  const target = versionedIndexName(alias, wanted);
  if (!found || found.dims !== wanted.dims || found.modelId !== wanted.modelId) {
    return new AppError(
      'INDEX_DIMENSION_MISMATCH',
      `Index "${index}" behind alias "${alias}" holds ${found ? `${found.dims}-d vectors of model "${found.modelId}"` : 'no vectors this server recognises'}, ` +
        `but the configured model "${wanted.modelId}" produces ${wanted.dims}-d vectors. ` +
        `Either point MODEL_DIR back at the model that built the index, or move to this model: ` +
        `run \`npm run reindex\` (builds "${target}" from every product's image URLs, then swaps the alias), ` +
        `or set ES_INDEX_ALIAS to a new alias and ingest the catalog again.`,
    );
  }
  if (mappingVersion !== MAPPING_VERSION) {
    return new AppError(
      'INDEX_MAPPING_OUTDATED',
      `Index "${index}" behind alias "${alias}" has mapping version ${mappingVersion ?? '(none)'}; this server writes ` +
        `mapping version ${MAPPING_VERSION}. Run \`npm run reindex\`: it copies every product, vectors included, into ` +
        `"${target}" beside it (nothing is embedded again) and swaps the alias; the old index is kept for rollback.`,
    );
  }
  return undefined;
}

/**
 * Whether an index's kNN scores are the float similarity itself rather than a quantised estimate: a float index
 * (`hnsw`, `flat`) scores with the float vectors; a quantised one only when its candidates are rescored with them
 * (`rescore_vector.oversample` ≥ 1 over the whole candidate set, as search-requests.ts asks whenever it is set).
 */
export function scoresFloatVectors(mapping: { properties?: Record<string, MappingProperty> }, oversample: number | undefined): boolean {
  const type = mapping.properties?.[IMAGES_FIELD]?.properties?.vector?.index_options?.type;
  if (type === 'hnsw' || type === 'flat') return true;
  return type !== undefined && oversample !== undefined && oversample >= 1;
}
