import type { ProductDocument } from '../../src/catalog/product';
import { CursorProblem, InvalidCursorError } from '../../src/common/errors';
import { ElasticsearchProductIndex } from '../../src/search/elasticsearch/elasticsearch.adapter';
import { SearchService } from '../../src/search/search.service';
import { ES_URL, testIndex } from '../support/es';
import { FakeEmbedder, FakeImageSource, storedDoc, unit } from '../support/fakes';

/**
 * The search pipeline on a real Elasticsearch, with hand-placed vectors where the engine's behaviour is the point
 * (index generations, windows); the model's part is covered by the end-to-end suites.
 */
const DIMS = 4;
const IDENTITY = { modelId: 'fake-model@00000000', dims: DIMS };

describe('search pipeline on Elasticsearch', () => {
  let index: ElasticsearchProductIndex;
  let search: SearchService;
  const docs: ProductDocument[] = [
    storedDoc('seed', unit(DIMS, 1)),
    ...Array.from({ length: 20 }, (_, i) => storedDoc(`p${String(i).padStart(2, '0')}`, unit(DIMS, 0.9 - i / 50))),
  ];

  beforeAll(async () => {
    index = testIndex('pipeline');
    await index.ensureIndex(IDENTITY);
    expect((await index.bulkUpsert(docs, { refresh: true })).every((r) => r.ok)).toBe(true);
    search = new SearchService(index, new FakeEmbedder(), new FakeImageSource());
  });

  afterAll(async () => {
    await index.dropAll();
    await index.close();
  });

  it('refuses a cursor once a reindex swapped the index behind the alias', async () => {
    const page1 = await search.similarProducts('seed', { first: 5 });
    const page2 = await search.similarProducts('seed', { first: 5, after: page1.pageInfo.endCursor });
    expect(page2.hits.map((h) => h.product.id)).toEqual(['p05', 'p06', 'p07', 'p08', 'p09']);

    const rebuilt = await index.createIndex(IDENTITY, 'rebuilt');
    const target = ElasticsearchProductIndex.connect({ url: ES_URL, indexAlias: rebuilt, requestTimeoutMs: 30_000, maxRetries: 1 });
    expect((await target.bulkUpsert(docs, { refresh: true })).every((r) => r.ok)).toBe(true);
    await target.close();
    await index.swapAlias(rebuilt);

    await expect(search.similarProducts('seed', { first: 5, after: page1.pageInfo.endCursor })).rejects.toEqual(
      new InvalidCursorError(CursorProblem.STALE_INDEX),
    );
    // A fresh first page works on the new generation.
    expect((await search.similarProducts('seed', { first: 5 })).hits.map((h) => h.product.id)).toEqual(['p00', 'p01', 'p02', 'p03', 'p04']);
  });
});
