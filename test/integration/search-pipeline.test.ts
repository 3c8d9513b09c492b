import type { ProductDocument } from '../../src/catalog/product';
import { CursorProblem, InvalidCursorError } from '../../src/common/errors';
import { ElasticsearchProductIndex } from '../../src/search/elasticsearch/elasticsearch.adapter';
import { SearchService } from '../../src/search/search.service';
import { ES_URL, testIndex } from '../support/es';
import { FakeEmbedder, FakeImageSource, storedDoc, unit } from '../support/fakes';
import { byScoreThenId } from '../../src/search/pipeline/ranked';

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

/**
 * The engine collapses a round of candidates itself (one request per window of groups): it must pick what collapsing
 * the same candidate set by hand picks (each group's best product by score, then id; groups in that order), equal
 * scores included, where Lucene's own tie order (insertion) is the opposite; and facets riding on that request must
 * still count the candidate set's products, not its groups.
 */
describe('collapsing in the engine, on Elasticsearch', () => {
  const D = 8;
  let index: ElasticsearchProductIndex;
  /** Cosine c to the first axis, the rest on axis `axis`. */
  const at = (c: number, axis: number) => {
    const v = new Array<number>(D).fill(0);
    v[0] = c;
    v[axis] = Math.sqrt(1 - c * c);
    return v;
  };
  const brands = ['acme', 'bolt', 'core'];
  // Inserted in descending id order within each group, so the engine's tie order (insertion) is the reverse of id order.
  const docs: ProductDocument[] = [
    storedDoc('seed', at(1, 1), { groupId: 'seed' }),
    ...['t-z', 't-m', 't-a'].map((id) => storedDoc(id, at(0.95, 2), { groupId: 'tie', brand: 'acme' })),
    // Two groups whose best products score alike: the group of the smaller id comes first.
    storedDoc('u-b', at(0.9, 3), { groupId: 'gb', brand: 'bolt' }),
    storedDoc('u-a', at(0.9, 3), { groupId: 'ga', brand: 'bolt' }),
    ...Array.from({ length: 120 }, (_, i) =>
      storedDoc(`w${String(119 - i).padStart(3, '0')}`, at(0.85 - (119 - i) * 0.003, 2 + ((119 - i) % 5)), {
        groupId: `w-g${(119 - i) % 17}`,
        brand: brands[i % 3],
      }),
    ),
  ];

  beforeAll(async () => {
    index = testIndex('engine-collapse');
    await index.ensureIndex({ modelId: 'fake-model@00000000', dims: D });
    expect((await index.bulkUpsert(docs, { refresh: true })).every((r) => r.ok)).toBe(true);
  });

  afterAll(async () => {
    await index.dropAll();
    await index.close();
  });

  it('picks each group best product by score, then id, in that order, and counts facets over products', async () => {
    const restriction = { excludeIds: ['seed'] };
    const facets = [{ restriction, facets: [{ field: 'brand' as const, size: 20 }] }];
    const vector = { vector: at(1, 1), numCandidates: 1000 };
    const products = await index.retrieve({ restriction, vector: { ...vector, from: 0, size: 1000 } });
    const byHand = [...products.vector!].sort(byScoreThenId).filter((h, i, all) => all.findIndex((x) => x.product.groupId === h.product.groupId) === i);
    expect(byHand.slice(0, 3).map((h) => h.product.id)).toEqual(['t-a', 'u-a', 'u-b']);

    const first = await index.retrieve({ restriction, facets, vector: { ...vector, from: 0, size: 5, collapse: true } });
    const rest = await index.retrieve({ restriction, vector: { ...vector, from: 5, size: 100, collapse: true } });
    expect([...first.vector!, ...rest.vector!].map((h) => [h.product.id, h.score])).toEqual(byHand.map((h) => [h.product.id, h.score]));
    expect([first.vectorCandidates, rest.vectorCandidates]).toEqual([docs.length - 1, docs.length - 1]);
    const counts = new Map<string, number>();
    for (const h of products.vector!) counts.set(h.product.brand!, (counts.get(h.product.brand!) ?? 0) + 1);
    expect(first.facets).toEqual([{ field: 'brand', values: [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([value, count]) => ({ value, count })) }]);
  });
});
