import { identityFromMapping, indexMappings, MAPPING_VERSION, slugifyModelId, versionedIndexName } from '../../src/search/elasticsearch/index-mapping';

describe('index mapping', () => {
  it('names the index after the alias, model and dimensions', () => {
    expect(versionedIndexName('products', { modelId: 'google/siglip-base-patch16-224', dims: 768 })).toBe(
      `products--google-siglip-base-patch16-224--768d--m${MAPPING_VERSION}`,
    );
    expect(slugifyModelId('***')).toBe('model');
  });

  it('maps the vector as int8-quantised HNSW with dot_product and records its identity', () => {
    const m = indexMappings({ modelId: 'tiny', dims: 128 });
    expect(m.properties.image_vector).toMatchObject({
      type: 'dense_vector',
      dims: 128,
      index: true,
      similarity: 'dot_product',
      index_options: { type: 'int8_hnsw' },
    });
    expect(m.dynamic).toBe('strict');
    expect(identityFromMapping(m as never)).toEqual({ modelId: 'tiny', dims: 128 });
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

  it('does not recognise foreign mappings', () => {
    expect(identityFromMapping({ properties: { image_vector: { dims: 3 } } })).toBeUndefined();
    expect(identityFromMapping({})).toBeUndefined();
  });
});
