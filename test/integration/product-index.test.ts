import type { ProductDocument } from '../../src/catalog/product';
import { AppError } from '../../src/common/errors';
import { ElasticsearchProductIndex } from '../../src/search/elasticsearch/elasticsearch.adapter';
import { MAPPING_VERSION } from '../../src/search/elasticsearch/index-mapping';
import { ES_URL, knn, testIndex } from '../support/es';

/**
 * The Elasticsearch adapter against a real cluster. Vectors here are hand-placed unit vectors, not embeddings: the
 * point is the engine's behaviour (mapping, filters inside kNN, versioning), which the model tests cover separately.
 */
const DIMS = 4;
const axis = (i: number, j = i, mix = 0): number[] => {
  const v = new Array(DIMS).fill(0);
  v[i] = Math.sqrt(1 - mix * mix);
  v[j] += mix;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

function doc(id: string, vector: number[], extra: Partial<ProductDocument> = {}): ProductDocument {
  return {
    id,
    title: `Product ${id}`,
    description: 'A product',
    brand: 'Acme',
    category: 'mug',
    color: 'Red',
    price: 10,
    currency: 'USD',
    inStock: true,
    tags: ['sale'],
    attributes: { material: 'ceramic' },
    groupId: id,
    updatedAt: new Date().toISOString(),
    images: [{ vector, sha256: `sha-${id}` }],
    contentHash: `hash-${id}`,
    modelId: 'test-model',
    ...extra,
  };
}

describe('ProductIndex on a real Elasticsearch', () => {
  let index: ElasticsearchProductIndex;

  beforeAll(async () => {
    index = testIndex('adapter');
    await index.ensureIndex({ modelId: 'test-model', dims: DIMS });
    const results = await index.bulkUpsert(
      [
        doc('a', axis(0)),
        doc('b', axis(0, 1, 0.3), { color: 'blue' }),
        doc('c', axis(0, 1, 0.5), { category: 'lamp', price: 99 }),
        doc('d', axis(1), { inStock: false, brand: 'Zeta' }),
        doc('e', axis(2), { tags: ['new'] }),
      ],
      { refresh: true },
    );
    expect(results).toEqual(['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, ok: true, created: true })));
  });

  afterAll(async () => {
    await index.dropAll();
    await index.close();
  });

  it('creates the index once and accepts the same identity again', async () => {
    const again = await index.ensureIndex({ modelId: 'test-model', dims: DIMS });
    expect(again.created).toBe(false);
    expect(again.index).toBe(`${index.alias}--test-model--4d--m${MAPPING_VERSION}`);
  });

  it('refuses a model with other dimensions and says what to do', async () => {
    const err = await index.ensureIndex({ modelId: 'test-model', dims: 8 }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('INDEX_DIMENSION_MISMATCH');
    expect(err.message).toMatch(/4-d vectors.*8-d vectors.*MODEL_DIR/s);
  });

  it('refuses another model with the same dimensions', async () => {
    const err = await index.ensureIndex({ modelId: 'other-model', dims: DIMS }).catch((e) => e);
    expect(err.code).toBe('INDEX_DIMENSION_MISMATCH');
  });

  it('refuses an index built with an older mapping version (its strict mapping would refuse new fields) and says what to do', async () => {
    const { index: name } = (await index.describeAlias())!;
    const meta = (version: number) =>
      fetch(`${ES_URL}/${name}/_mapping`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ _meta: { model_id: 'test-model', dims: DIMS, mapping_version: version } }),
      });
    expect((await meta(MAPPING_VERSION - 1)).status).toBe(200);
    try {
      const err = await index.ensureIndex({ modelId: 'test-model', dims: DIMS }).catch((e) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe('INDEX_MAPPING_OUTDATED');
      expect(err.message).toMatch(new RegExp(`mapping version ${MAPPING_VERSION - 1}.*mapping version ${MAPPING_VERSION}.*npm run reindex`, 's'));
    } finally {
      await meta(MAPPING_VERSION);
    }
  });

  it('returns nearest neighbours in order, with exclusions', async () => {
    const hits = await knn(index, axis(0), 3, { excludeIds: ['a'] });
    expect(hits.map((h) => h.product.id)).toEqual(['b', 'c', 'd']);
    expect(hits[0].score).toBeGreaterThan(hits[1].score);
  });

  it('applies filters inside the kNN so k results come back whenever k match', async () => {
    const inStock = await knn(index, axis(1), 3, { filter: { inStock: true } });
    expect(inStock.map((h) => h.product.id)).toEqual(['c', 'b', 'a']);
    const lamps = await knn(index, axis(0), 5, { filter: { categories: ['lamp'] } });
    expect(lamps.map((h) => h.product.id)).toEqual(['c']);
  });

  it('matches keyword filters case-insensitively and combines price ranges and tags', async () => {
    expect((await knn(index, axis(0), 5, { filter: { colors: ['RED'], brands: ['acme'] } })).map((h) => h.product.id).sort()).toEqual(
      ['a', 'c', 'e'],
    );
    expect((await knn(index, axis(0), 5, { filter: { minPrice: 50 } })).map((h) => h.product.id)).toEqual(['c']);
    expect((await knn(index, axis(0), 5, { filter: { tags: ['new'] } })).map((h) => h.product.id)).toEqual(['e']);
  });

  it('pages the kNN with from/size over a fixed candidate set, so windows are prefixes of each other', async () => {
    const page = (from: number, size: number) => index.retrieve({ restriction: {}, vector: { vector: axis(0), from, size, numCandidates: 100 } });
    const whole = await page(0, 5);
    const parts = [...(await page(0, 2)).vector!, ...(await page(2, 3)).vector!];
    expect(parts.map((h) => h.product.id)).toEqual(whole.vector!.map((h) => h.product.id));
    expect(whole.generation).toBe(`${index.alias}--test-model--4d--m${MAPPING_VERSION}`);
  });

  it('browses in a field order with products missing the field last, across pages, with the total', async () => {
    await index.bulkUpsert([doc('no-price', axis(3), { price: undefined })], { refresh: true });
    const seen: string[] = [];
    let after: unknown[] | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await index.browse({ restriction: { filter: { brands: ['acme'] } }, sort: { field: 'price', descending: false }, size: 2, after });
      expect(page.total).toBe(5);
      seen.push(...page.products.map((p) => p.product.id));
      if (page.products.length < 2) break;
      after = page.products[page.products.length - 1]!.sortValues;
    }
    expect(seen).toEqual(['a', 'b', 'e', 'c', 'no-price']);
    expect(await index.delete('no-price', { refresh: true })).toBe(true);
  });

  it('reads products with one mget and documents with their vectors', async () => {
    const products = await index.getMany(['a', 'missing', 'd']);
    expect([...products.keys()].sort()).toEqual(['a', 'd']);
    expect(products.get('a')).toMatchObject({ id: 'a', color: 'Red', attributes: { material: 'ceramic' } });
    expect(products.get('a')).not.toHaveProperty('images');
    const docs = await index.getDocuments(['b']);
    expect(docs.get('b')!.images[0]!.vector).toHaveLength(DIMS);
    expect(docs.get('b')!.images[0]!.vector[1]).toBeCloseTo(axis(0, 1, 0.3)[1], 5);
  });

  it('never lets an older external version overwrite a newer one', async () => {
    expect((await index.bulkUpsert([doc('v', axis(3), { version: 5, title: 'five' })], { refresh: true }))[0].ok).toBe(true);
    const stale = await index.bulkUpsert([doc('v', axis(3), { version: 4, title: 'four' })], { refresh: true });
    expect(stale[0]).toMatchObject({ ok: false, conflict: true });
    expect((await index.getMany(['v'])).get('v')!.title).toBe('five');
  });

  it('reports per-item failures instead of dropping them', async () => {
    const bad = await index.bulkUpsert([doc('ok1', axis(3)), doc('bad', [1, 0])], { refresh: true });
    expect(bad[0].ok).toBe(true);
    expect(bad[1]).toMatchObject({ id: 'bad', ok: false });
    expect(bad[1].error).toMatch(/dims|dimension/i);
  });

  it('deletes by id and reports unknown ids', async () => {
    expect(await index.delete('ok1', { refresh: true })).toBe(true);
    expect(await index.delete('ok1', { refresh: true })).toBe(false);
  });
});

describe('ProductIndex without Elasticsearch', () => {
  it('fails fast with a coded, masked-ready error when nothing listens', async () => {
    const dead = ElasticsearchProductIndex.connect({ url: 'http://127.0.0.1:9', indexAlias: 'x', requestTimeoutMs: 2000, maxRetries: 0 });
    const started = Date.now();
    const err = await dead.health().catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('SEARCH_BACKEND_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(2000);
    await dead.close();
  });
});
