import { pickProduct, SearchMode } from '../../src/catalog/product';
import { ProductNotFoundError } from '../../src/common/errors';
import { SearchService } from '../../src/search/search.service';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, inlineImage, storedDoc, unit } from '../support/fakes';

/** SearchService on its own: the store, the model and the image source are in-memory fakes with hand-placed vectors. */
const DIMS = 4;

function setup(docs: ReturnType<typeof storedDoc>[]) {
  const index = new InMemoryProductIndex(docs);
  const embedder = new FakeEmbedder('fake-model@00000000', DIMS);
  const images = new FakeImageSource();
  return { index, embedder, images, search: new SearchService(index, embedder, images) };
}

const ids = (hits: { product: { id: string } }[]) => hits.map((h) => h.product.id);

describe('SearchService.similarProducts', () => {
  it('reports the cosine as similarity, not the engine score, and never the product itself', async () => {
    const { search } = setup([storedDoc('p', unit(DIMS, 1)), storedDoc('near', unit(DIMS, 0.6)), storedDoc('far', unit(DIMS, -0.2))]);
    const hits = await search.similarProducts('p', { first: 5 });
    expect(hits.map((h) => [h.product.id, h.score, h.similarity])).toEqual([
      ['near', 0.8, 0.6],
      ['far', 0.4, -0.2],
    ]);
  });

  it('asks the index for the stored vector, first hits, the filter, and the product excluded', async () => {
    const { index, search } = setup([storedDoc('p', unit(DIMS, 0.6)), storedDoc('q', unit(DIMS, 0.5))]);
    await search.similarProducts('p', { first: 7, filter: { inStock: true } });
    expect(index.callsOf('getDocuments')).toEqual([[['p']]]);
    expect(index.callsOf('knn')).toEqual([[{ vector: unit(DIMS, 0.6), k: 7, filter: { inStock: true }, excludeIds: ['p'] }]]);
  });

  it('turns engine scores into cosines clamped to [-1, 1] and rounded to 1e-6', async () => {
    const { index, search } = setup([storedDoc('p', unit(DIMS, 1))]);
    const scores = [1.2, 1, 0.8000004, 0.80000051, 0.5, 0.1234567, 0, -0.3];
    index.knn = async () => scores.map((score, i) => ({ product: pickProduct(storedDoc(`h${i}`, unit(DIMS, 1))), score }));
    const hits = await search.similarProducts('p', { first: 10 });
    expect(hits.map((h) => [h.score, h.similarity])).toEqual([
      [1.2, 1],
      [1, 1],
      [0.8000004, 0.600001],
      [0.80000051, 0.600001],
      [0.5, 0],
      [0.1234567, -0.753087],
      [0, -1],
      [-0.3, -1],
    ]);
  });

  it('throws ProductNotFoundError for an unknown id', async () => {
    const { search } = setup([]);
    await expect(search.similarProducts('ghost', { first: 5 })).rejects.toEqual(new ProductNotFoundError('ghost'));
  });

  it('passes the filter into the kNN', async () => {
    const { search } = setup([
      storedDoc('p', unit(DIMS, 1)),
      storedDoc('red', unit(DIMS, 0.5), { color: 'Red' }),
      storedDoc('blue', unit(DIMS, 0.9), { color: 'blue' }),
    ]);
    expect(ids(await search.similarProducts('p', { first: 5, filter: { colors: ['red'] } }))).toEqual(['red']);
  });
});

describe('SearchService.searchByText', () => {
  // Vector side: A, B, X, then ten fillers, then C, D. Keyword side: C, D, X. X is third on both sides.
  const Q = 'striped tote';
  const docs = [
    storedDoc('A', unit(DIMS, 0.99), { title: 'Plain mug' }),
    storedDoc('B', unit(DIMS, 0.98), { title: 'Plain cup' }),
    storedDoc('X', unit(DIMS, 0.97), { title: 'Striped tote' }),
    ...Array.from({ length: 10 }, (_, i) => storedDoc(`F${i}`, unit(DIMS, 0.5 - i * 0.01), { title: `Filler ${i}` })),
    storedDoc('C', unit(DIMS, 0.1), { title: 'Striped tote', description: 'striped tote' }),
    storedDoc('D', unit(DIMS, 0.05), { title: 'Striped tote', description: 'tote' }),
  ];

  it('fuses from a window deeper than `first`, so a product both sides rank third overtakes one-sided leaders', async () => {
    const { index, embedder, search } = setup(docs);
    embedder.text(Q, unit(DIMS, 1));
    const hits = await search.searchByText(Q, SearchMode.HYBRID, { first: 2 });
    const [knn, keyword] = index.callsOf('knnAndKeyword')[0] as [{ k: number }, { size: number }];
    expect([knn.k, keyword.size]).toEqual([30, 30]);
    expect(ids(hits)).toEqual(['X', 'C']);
    // RRF scores with k = 60: X is 3rd on both sides, C 1st by keyword and 14th by vector.
    expect(hits.map((h) => h.score)).toEqual([2 / 63, 1 / 61 + 1 / 74]);
    expect(hits.map((h) => h.similarity)).toEqual([0.97, 0.1]);
  });

  it('sizes the fusion window as 3 × first, at least 30 and at most 200, and filters both sides alike', async () => {
    const { index, embedder, search } = setup(docs);
    embedder.text(Q, unit(DIMS, 1));
    const filter = { inStock: true };
    for (const first of [1, 10, 11, 66, 67, 100]) await search.searchByText(Q, SearchMode.HYBRID, { first, filter });
    const calls = index.callsOf('knnAndKeyword') as [{ k: number; filter: unknown; vector: unknown }, { size: number; q: string; filter: unknown }][];
    expect(calls.map(([knn, keyword]) => [knn.k, keyword.size])).toEqual([
      [30, 30],
      [30, 30],
      [33, 33],
      [198, 198],
      [200, 200],
      [200, 200],
    ]);
    expect(calls[0]).toEqual([
      { vector: Float32Array.from(unit(DIMS, 1)), k: 30, filter },
      { q: Q, size: 30, filter },
    ]);
  });

  it('gives keyword-only hits no similarity, and cuts the fused list at first', async () => {
    // 35 products close to the query vector, none matching the words; K matches the words and is the farthest vector.
    const near = Array.from({ length: 35 }, (_, i) => storedDoc(`V${i}`, unit(DIMS, 0.99 - i * 0.01), { title: 'Plain' }));
    const { embedder, search } = setup([...near, storedDoc('K', unit(DIMS, -0.9), { title: 'Striped tote' })]);
    embedder.text(Q, unit(DIMS, 1));
    const hits = await search.searchByText(Q, SearchMode.HYBRID, { first: 3 });
    // V0 and K tie at 1/61 (first-seen order keeps the vector side first), then V1 at 1/62.
    expect(hits.map((h) => [h.product.id, h.score, h.similarity])).toEqual([
      ['V0', 1 / 61, 0.99],
      ['K', 1 / 61, undefined],
      ['V1', 1 / 62, 0.98],
    ]);
  });

  it('VECTOR mode ranks by the image side only, with cosine similarities', async () => {
    const { index, embedder, search } = setup(docs);
    embedder.text(Q, unit(DIMS, 1));
    const hits = await search.searchByText(Q, SearchMode.VECTOR, { first: 3, filter: { inStock: true } });
    expect(hits.map((h) => [h.product.id, h.score, h.similarity])).toEqual([
      ['A', 0.995, 0.99],
      ['B', 0.99, 0.98],
      ['X', 0.985, 0.97],
    ]);
    expect(index.callsOf('knn')).toEqual([[{ vector: Float32Array.from(unit(DIMS, 1)), k: 3, filter: { inStock: true } }]]);
  });

  it('KEYWORD mode never embeds and has no similarity', async () => {
    const { index, embedder, search } = setup(docs);
    const hits = await search.searchByText(Q, SearchMode.KEYWORD, { first: 3, filter: { inStock: true } });
    expect(hits.map((h) => [h.product.id, h.score, h.similarity])).toEqual([
      ['C', 6, undefined],
      ['D', 5, undefined],
      ['X', 4, undefined],
    ]);
    expect(hits.map((h) => 'similarity' in h)).toEqual([false, false, false]);
    expect(embedder.embedded).toEqual([]);
    expect(index.callsOf('keyword')).toEqual([[{ q: Q, size: 3, filter: { inStock: true } }]]);
  });
});

describe('SearchService.searchByImage', () => {
  it('resolves the image, embeds it and returns neighbours with cosine similarity', async () => {
    const { index, embedder, images, search } = setup([storedDoc('a', unit(DIMS, 0.9)), storedDoc('b', unit(DIMS, 0.3))]);
    images.url('https://cdn.example/q.jpg', 'query-bytes');
    embedder.image('query-bytes', unit(DIMS, 1));
    const hits = await search.searchByImage({ url: 'https://cdn.example/q.jpg' }, { first: 1, filter: { inStock: true } });
    expect(hits.map((h) => [h.product.id, h.score, h.similarity])).toEqual([['a', 0.95, 0.9]]);
    expect(embedder.embedded).toEqual([{ kind: 'image', key: 'query-bytes' }]);
    expect(index.callsOf('knn')).toEqual([[{ vector: Float32Array.from(unit(DIMS, 1)), k: 1, filter: { inStock: true } }]]);
  });
});

describe('SearchService.recommendations', () => {
  // p1 and p2 were viewed; n1 (dismissed) sits right next to them and would otherwise be the best match.
  const docs = [
    storedDoc('p1', unit(DIMS, 1)),
    storedDoc('p2', unit(DIMS, 0.98, 2)),
    storedDoc('n1', unit(DIMS, 0.95, 1)),
    storedDoc('r1', unit(DIMS, 0.8, 2)),
    storedDoc('r2', unit(DIMS, 0.6, 3)),
    storedDoc('r3', unit(DIMS, 0.2, 1)),
  ];

  it('without negatives, the look-alike of the viewed products ranks first (the control for the next test)', async () => {
    const { search } = setup(docs);
    const r = await search.recommendations(['p1', 'p2'], [], { first: 2 });
    expect(ids(r.hits)).toEqual(['n1', 'r1']);
  });

  it('excludes negatives even when they would rank, and steers away from them', async () => {
    const { index, search } = setup(docs);
    const r = await search.recommendations(['p1', 'p2'], ['n1'], { first: 10, filter: { inStock: true } });
    expect(ids(r.hits)).toEqual(['r1', 'r2', 'r3']);
    expect(r.unknownIds).toEqual([]);
    expect(index.callsOf('getDocuments')).toEqual([[['p1', 'p2', 'n1']]]);
    const [knn] = index.callsOf('knn')[0] as [{ k: number; filter: unknown; excludeIds: string[] }];
    expect([knn.k, knn.filter, knn.excludeIds]).toEqual([10, { inStock: true }, ['p1', 'p2', 'n1']]);
  });

  it('reports unknown ids, positive and negative, and ignores them', async () => {
    const { search } = setup(docs);
    const r = await search.recommendations(['p1', 'ghost', 'p1'], ['n1', 'ghost-2', 'p1'], { first: 2 });
    expect(r.unknownIds).toEqual(['ghost', 'ghost-2']);
    // The query: p1 minus half of n1 (p1 given as a negative too is ignored), normalised. Worked out by hand here.
    const n1 = [0.95, Math.sqrt(1 - 0.95 ** 2)];
    const raw = [1 - 0.5 * n1[0]!, -0.5 * n1[1]!];
    const q = raw.map((x) => x / Math.hypot(...raw));
    expect(r.hits.map((h) => h.product.id)).toEqual(['p2', 'r1']);
    expect(r.hits.map((h) => h.similarity)).toEqual([expect.closeTo(0.98 * q[0]!, 5), expect.closeTo(0.8 * q[0]!, 5)]);
  });

  it('answers no hits, and asks no kNN, when no viewed product is known', async () => {
    const { index, search } = setup(docs);
    const r = await search.recommendations(['ghost'], ['n1'], { first: 5 });
    expect(r).toEqual({ hits: [], unknownIds: ['ghost'] });
    expect(index.callsOf('knn')).toEqual([]);
  });

  it('answers no hits, and asks no kNN, when the viewed products cancel each other out', async () => {
    const { index, search } = setup([storedDoc('p', unit(DIMS, 1)), storedDoc('anti', unit(DIMS, -1)), storedDoc('other', unit(DIMS, 0.5))]);
    expect(await search.recommendations(['p', 'anti'], [], { first: 5 })).toEqual({ hits: [], unknownIds: [] });
    expect(index.callsOf('knn')).toEqual([]);
  });
});

describe('SearchService cancellation', () => {
  it('hands the signal to the image source and the model, and stops when it has fired', async () => {
    const { embedder, images, search } = setup([storedDoc('a', unit(DIMS, 0.5))]);
    embedder.image('q', unit(DIMS, 1)).text('mug', unit(DIMS, 1));
    const live = new AbortController().signal;
    await search.searchByImage(inlineImage('q'), { first: 1 }, live);
    expect(images.resolved.map((r) => r.signal)).toEqual([live]);

    const reason = new Error('client went away');
    await expect(search.searchByImage(inlineImage('q'), { first: 1 }, AbortSignal.abort(reason))).rejects.toBe(reason);
    await expect(search.searchByText('mug', SearchMode.HYBRID, { first: 1 }, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(embedder.embedded).toEqual([{ kind: 'image', key: 'q' }]);
  });
});

describe('SearchService with an inline image', () => {
  it('uses the bytes as given', async () => {
    const { embedder, search } = setup([storedDoc('a', unit(DIMS, 0.5))]);
    embedder.image('inline', unit(DIMS, 1));
    expect(ids(await search.searchByImage(inlineImage('inline'), { first: 1 }))).toEqual(['a']);
  });
});
