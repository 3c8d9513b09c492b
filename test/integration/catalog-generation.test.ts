import type { ProductDocument } from '../../src/catalog/product';
import type { ElasticsearchProductIndex } from '../../src/search/elasticsearch/elasticsearch.adapter';
import { testIndex } from '../support/es';

/**
 * The two whole-catalog reads behind the map and the persisted-query ETags, on a real Elasticsearch: the generation
 * token must change with every kind of write once it is visible, and the vector scan must return every product.
 */
const DIMS = 3;

function doc(id: string, v: number[], title = `Product ${id}`): ProductDocument {
  const n = Math.hypot(...v);
  return {
    id, groupId: id, title, category: 'mug', inStock: true, tags: [], attributes: {}, updatedAt: '2026-01-01T00:00:00Z',
    images: [{ vector: v.map((x) => x / n), sha256: 'x' }], contentHash: `${id}-${title}`, modelId: 'test-model',
  };
}

describe('catalog generation and vector scan', () => {
  let index: ElasticsearchProductIndex;

  beforeAll(async () => {
    index = testIndex('generation');
    await index.ensureIndex({ modelId: 'test-model', dims: DIMS });
  });
  afterAll(async () => {
    await index.dropAll();
    await index.close();
  });

  it('changes on insert, update and delete, and stays put without writes', async () => {
    const seen = [await index.generation()];
    expect(seen[0]).toMatch(/:0:-1$/);
    await index.bulkUpsert([doc('a', [1, 0, 0]), doc('b', [0, 1, 0])], { refresh: true });
    seen.push(await index.generation());
    expect(await index.generation()).toBe(seen[1]);
    await index.bulkUpsert([doc('a', [1, 0, 0], 'Renamed')], { refresh: true });
    seen.push(await index.generation());
    await index.delete('b', { refresh: true });
    seen.push(await index.generation());
    // Delete then insert in one refresh: same count, new sequence number.
    await index.delete('a');
    await index.bulkUpsert([doc('c', [0, 0, 1])], { refresh: true });
    seen.push(await index.generation());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(1).map((g) => g.split(':').slice(1, 2)[0])).toEqual(['2', '2', '1', '1']);
  });

  it('scans every product with its vector, in id order, across batches', async () => {
    await index.bulkUpsert([doc('d', [1, 1, 0]), doc('e', [0, 1, 1]), doc('f', [1, 0, 1])], { refresh: true });
    const rows = [];
    for await (const batch of index.scanVectors(2)) rows.push(...batch);
    expect(rows.map((r) => r.product.id)).toEqual(['c', 'd', 'e', 'f']);
    expect(rows[0].vector.map((x) => +x.toFixed(5))).toEqual([0, 0, 1]);
    expect(rows[1].vector.map((x) => +x.toFixed(5))).toEqual([0.70711, 0.70711, 0]);
  });
});
