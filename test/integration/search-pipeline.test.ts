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

/**
 * Many variants of few styles on a real Elasticsearch (HNSW, int8 quantisation): the 1,000 nearest products hold
 * four styles, so a naive kNN + collapse cannot fill a page of five; paging the kNN by groups does.
 */
describe('exactly N with collapsing, on Elasticsearch', () => {
  const DIMS16 = 16;
  let index: ElasticsearchProductIndex;
  /** Another catalog on the same cluster with products in group s0: group sizes must never count them. */
  let neighbour: ElasticsearchProductIndex;
  let search: SearchService;

  /** Style k sits at cosine 0.9 - 0.05k from the seed, its 300 variants spread over 0.03 towards its own axis. */
  const vector = (k: number, i: number) => {
    const cos = 0.9 - k * 0.05 - i * 0.0001;
    const v = new Array<number>(DIMS16).fill(0);
    v[0] = cos;
    v[1 + k] = Math.sqrt(1 - cos * cos) * 0.98;
    v[8 + (i % 8)] = Math.sqrt(1 - cos * cos) * 0.2;
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };

  beforeAll(async () => {
    index = testIndex('exactly-n');
    await index.ensureIndex({ modelId: 'fake-model@00000000', dims: DIMS16 });
    const seed = storedDoc('seed', [1, ...new Array(DIMS16 - 1).fill(0)], { groupId: 'seed' });
    const docs = [seed, ...Array.from({ length: 6 * 300 }, (_, j) => storedDoc(`s${Math.floor(j / 300)}-v${j % 300}`, vector(Math.floor(j / 300), j % 300), { groupId: `s${Math.floor(j / 300)}` }))];
    for (let i = 0; i < docs.length; i += 500) expect((await index.bulkUpsert(docs.slice(i, i + 500))).every((r) => r.ok)).toBe(true);
    await index.refresh();
    neighbour = testIndex('exactly-n-neighbour');
    await neighbour.ensureIndex({ modelId: 'fake-model@00000000', dims: DIMS16 });
    const strays = Array.from({ length: 3 }, (_, i) => storedDoc(`stray-${i}`, vector(0, i), { groupId: 's0' }));
    expect((await neighbour.bulkUpsert(strays, { refresh: true })).every((r) => r.ok)).toBe(true);
    search = new SearchService(index, new FakeEmbedder(), new FakeImageSource());
  });

  afterAll(async () => {
    await Promise.all([index.dropAll(), neighbour.dropAll()]);
    await Promise.all([index.close(), neighbour.close()]);
  });

  it('returns five distinct styles where the 1,000 nearest products hold only four', async () => {
    const naive = await index.retrieve({ restriction: { excludeIds: ['seed'] }, vector: { vector: vector(0, 0), from: 0, size: 1000, numCandidates: 1000 } });
    expect(new Set(naive.vector!.map((h) => h.product.groupId)).size).toBe(4);

    const r = await search.similarProducts('seed', { first: 5, collapse: true });
    expect(r.hits.map((h) => h.product.groupId)).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(r.hits.map((h) => h.groupSize)).toEqual([300, 300, 300, 300, 300]);
    expect([r.exhaustive, r.pageInfo.hasNextPage]).toEqual([true, true]);
    const next = await search.similarProducts('seed', { first: 5, collapse: true, after: r.pageInfo.endCursor });
    expect([next.hits.map((h) => h.product.groupId), next.pageInfo.hasNextPage]).toEqual([['s5'], false]);
  });
});
