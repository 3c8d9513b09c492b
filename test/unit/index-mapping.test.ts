import {
  identityFromMapping,
  indexMappings,
  indexSettings,
  MAPPING_VERSION,
  mappingVersionOf,
  scoresFloatVectors,
  slugifyModelId,
  versionedIndexName,
} from '../../src/search/elasticsearch/index-mapping';

describe('index mapping', () => {
  it('names the index after the alias, model and dimensions', () => {
    expect(versionedIndexName('products', { modelId: 'google/siglip-base-patch16-224', dims: 768 })).toBe(
      `products--google-siglip-base-patch16-224--768d--m${MAPPING_VERSION}`,
    );
    expect(slugifyModelId('***')).toBe('model');
  });

  it('slugs model ids: lowercase, one dash per run of other characters, no dashes at the ends, at most 80 characters', () => {
    expect(slugifyModelId('--Google/SigLIP  base@1a2b3c4d__')).toBe('google-siglip-base-1a2b3c4d');
    expect(slugifyModelId('a'.repeat(79) + '/bc')).toBe('a'.repeat(79) + '-');
    expect(slugifyModelId('x'.repeat(100))).toHaveLength(80);
    expect(slugifyModelId('')).toBe('model');
  });

  it('maps each image vector as int8-quantised HNSW with dot_product, nested, and records its identity', () => {
    const m = indexMappings({ modelId: 'tiny', dims: 128 });
    expect(m.properties.images.type).toBe('nested');
    expect(m.properties.images.properties.vector).toMatchObject({
      type: 'dense_vector',
      dims: 128,
      index: true,
      similarity: 'dot_product',
      index_options: { type: 'int8_hnsw', m: 16, ef_construction: 100 },
    });
    expect(m.dynamic).toBe('strict');
    expect(m._meta).toEqual({ model_id: 'tiny', dims: 128, mapping_version: MAPPING_VERSION });
    expect([m.properties.contentHash, m.properties.modelId]).toEqual(Array(2).fill({ type: 'keyword' }));
    expect(identityFromMapping(m as never)).toEqual({ modelId: 'tiny', dims: 128 });
    expect(mappingVersionOf(m)).toBe(MAPPING_VERSION);
  });

  it('recognises an index of an older version (one top-level vector), so reindex can rebuild it', () => {
    const v2 = { _meta: { model_id: 'tiny', dims: 128, mapping_version: 2 }, properties: { image_vector: { dims: 128 } } };
    expect([identityFromMapping(v2), mappingVersionOf(v2)]).toEqual([{ modelId: 'tiny', dims: 128 }, 2]);
  });

  it('builds the configured vector index type', () => {
    for (const type of ['int4_hnsw', 'bbq_hnsw', 'hnsw'] as const) {
      expect(indexMappings({ modelId: 'tiny', dims: 128 }, type).properties.images.properties.vector.index_options).toEqual({ type, m: 16, ef_construction: 100 });
    }
  });

  it('holds every catalog field with a searchable type', () => {
    const p = indexMappings({ modelId: 'tiny', dims: 8 }).properties;
    expect(p.title.type).toBe('text');
    expect(p.description.type).toBe('text');
    for (const f of ['id', 'brand', 'category', 'color', 'currency', 'tags'] as const) expect(p[f].type).toBe('keyword');
    expect(p.price.type).toBe('double');
    expect(p.inStock.type).toBe('boolean');
    expect(p.attributes.type).toBe('flattened');
  });

  it('takes shards and replicas as configured, never auto-expanded', () => {
    expect(indexSettings({ shards: 1, replicas: 0 })).toEqual({ number_of_shards: 1, number_of_replicas: 0 });
    expect(indexSettings({ shards: 3, replicas: 2 })).toEqual({ number_of_shards: 3, number_of_replicas: 2 });
  });

  it('does not recognise foreign mappings', () => {
    expect(identityFromMapping({ properties: { image_vector: { dims: 3 } } })).toBeUndefined();
    expect(identityFromMapping({})).toBeUndefined();
    expect(identityFromMapping({ _meta: { model_id: 'm' }, properties: {} })).toBeUndefined();
    expect(identityFromMapping({ _meta: { model_id: 'm' }, properties: {} })).toBeUndefined();
    expect(identityFromMapping({ _meta: { model_id: 'm' }, properties: { image_vector: {} } })).toBeUndefined();
    expect(identityFromMapping({ _meta: { model_id: 7 }, properties: { image_vector: { dims: 3 } } })).toBeUndefined();
    expect(identityFromMapping({ _meta: { model_id: 'm' }, properties: { image_vector: { dims: 3 } } })).toEqual({ modelId: 'm', dims: 3 });
  });

  it('reads the mapping version an index was created with, and nothing from a foreign or pre-version mapping', () => {
    expect(mappingVersionOf({ _meta: { mapping_version: 1 } })).toBe(1);
    expect(mappingVersionOf({ _meta: { model_id: 'm', dims: 3 } })).toBeUndefined();
    expect(mappingVersionOf({ _meta: { mapping_version: '2' } })).toBeUndefined();
    expect(mappingVersionOf({})).toBeUndefined();
  });

  it('knows when an index scores kNN hits with the float vectors: a float type, or a quantised one rescored over all candidates', () => {
    const of = (type: string | undefined) => ({ properties: { images: { properties: { vector: { dims: 4, ...(type ? { index_options: { type } } : {}) } } } } });
    expect([1, undefined, 0].map((o) => scoresFloatVectors(of('hnsw'), o))).toEqual([true, true, true]);
    expect(scoresFloatVectors(of('flat'), undefined)).toBe(true);
    expect(['int8_hnsw', 'int4_hnsw', 'bbq_hnsw', 'int8_flat'].map((t) => [1, 3, undefined, 0].map((o) => scoresFloatVectors(of(t), o)))).toEqual(
      Array(4).fill([true, true, false, false]),
    );
    expect([scoresFloatVectors(of(undefined), 1), scoresFloatVectors({}, 1)]).toEqual([false, false]);
  });
});
