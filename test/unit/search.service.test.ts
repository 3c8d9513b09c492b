import { SearchMode } from '../../src/catalog/product';
import { InvalidInputError, ProductNotFoundError } from '../../src/common/errors';
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

const ids = (r: { hits: { product: { id: string } }[] }) => r.hits.map((h) => h.product.id);

describe('SearchService.similarProducts', () => {
  it('reports the cosine as similarity, not the engine score, and never the product itself', async () => {
    const { search } = setup([storedDoc('p', unit(DIMS, 1)), storedDoc('near', unit(DIMS, 0.6)), storedDoc('far', unit(DIMS, -0.2))]);
    const { hits } = await search.similarProducts('p', { first: 5 });
    expect(hits.map((h) => [h.product.id, h.score, h.similarity])).toEqual([
      ['near', 0.8, 0.6],
      ['far', 0.4, -0.2],
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

describe('hit relations', () => {
  const T = { duplicate: 0.99, variant: 0.9 };
  // Decided on the exact cosine of the stored vectors: 'edge' is 0.9899 from 'p', a VARIANT however the index rounds.
  const docs = () => [
    storedDoc('p', unit(DIMS, 1)),
    storedDoc('copy', unit(DIMS, 0.995)),
    storedDoc('edge', unit(DIMS, 0.9899, 2)),
    storedDoc('shot', unit(DIMS, 0.2, 3), { images: [{ vector: unit(DIMS, 0.1, 2), sha256: 'a' }, { vector: unit(DIMS, 0.95, 3), sha256: 'b' }] }),
    storedDoc('other', unit(DIMS, 0.3, 3)),
  ];
  const labelled = (r: { hits: { product: { id: string }; relation?: string }[] }) => r.hits.map((h) => `${h.product.id}:${h.relation}`);

  it('labels every hit of an image query by its nearest image, with the calibrated thresholds', async () => {
    const { embedder, images, search } = setup(docs());
    embedder.relationThresholds = T;
    expect(labelled(await search.similarProducts('p', { first: 5 }))).toEqual(['copy:DUPLICATE', 'edge:VARIANT', 'shot:VARIANT', 'other:SIMILAR']);
    embedder.image('photo', unit(DIMS, 1));
    const byImage = await search.searchByImage(inlineImage('photo'), { first: 2 });
    expect(labelled(byImage)).toEqual(['p:DUPLICATE', 'copy:DUPLICATE']);
    expect(labelled(await search.recommendations(['p'], [], { first: 1 }))).toEqual(['copy:DUPLICATE']);
  });

  it('cuts relations from exact hit similarities without reading vectors back, except for a product of several images or a modified query', async () => {
    const { index, embedder, search } = setup(docs());
    index.exactScores = true;
    embedder.relationThresholds = T;
    expect(labelled(await search.similarProducts('p', { first: 5 }))).toEqual(['copy:DUPLICATE', 'edge:VARIANT', 'shot:VARIANT', 'other:SIMILAR']);
    expect(index.callsOf('getDocuments')).toEqual([[['shot']]]);
    await search.similarProducts('p', { first: 5, relations: false });
    expect(index.callsOf('getDocuments')).toHaveLength(1);
    embedder.text('red', unit(DIMS, 0.5, 3));
    await search.discover({ seedId: 'p', modifier: 'red', first: 2 });
    expect(index.callsOf('getDocuments')).toHaveLength(2);
  });

  it('leaves hits unlabelled for text queries, mixtures and an uncalibrated model', async () => {
    const { embedder, search } = setup(docs());
    expect(labelled(await search.similarProducts('p', { first: 2 }))).toEqual(['copy:undefined', 'edge:undefined']);
    embedder.relationThresholds = T;
    embedder.text('mug', unit(DIMS, 1));
    expect(labelled(await search.searchByText('mug', SearchMode.VECTOR, { first: 1 }))).toEqual(['p:undefined']);
    expect(labelled(await search.recommendations(['p', 'copy'], [], { first: 1 }))).toEqual(['edge:undefined']);
    expect(labelled(await search.recommendations(['p'], ['other'], { first: 1 }))).toEqual(['copy:undefined']);
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
    const { hits } = await search.searchByText(Q, SearchMode.HYBRID, { first: 2 });
    const [{ vector, keyword }] = index.callsOf('retrieve')[0] as [{ vector: { size: number }; keyword: { size: number } }];
    expect(vector.size).toBeGreaterThan(2);
    expect(keyword.size).toBeGreaterThan(2);
    expect(hits.map((h) => h.product.id)).toEqual(['X', 'C']);
    // RRF scores with k = 60: X is 3rd on both sides, C 1st by keyword and 14th by vector.
    expect(hits.map((h) => h.score)).toEqual([2 / 63, 1 / 61 + 1 / 74]);
    expect(hits.map((h) => h.similarity)).toEqual([0.97, 0.1]);
  });

  it('VECTOR mode ranks by the image side only, with cosine similarities', async () => {
    const { embedder, search } = setup(docs);
    embedder.text(Q, unit(DIMS, 1));
    const { hits } = await search.searchByText(Q, SearchMode.VECTOR, { first: 3 });
    expect(hits.map((h) => [h.product.id, h.similarity])).toEqual([
      ['A', 0.99],
      ['B', 0.98],
      ['X', 0.97],
    ]);
  });

  it('KEYWORD mode never embeds and has no similarity', async () => {
    const { embedder, search } = setup(docs);
    const { hits } = await search.searchByText(Q, SearchMode.KEYWORD, { first: 3 });
    expect(hits.map((h) => [h.product.id, h.similarity])).toEqual([
      ['C', undefined],
      ['D', undefined],
      ['X', undefined],
    ]);
    expect(embedder.embedded).toEqual([]);
  });
});

describe('SearchService.searchByImage', () => {
  it('resolves the image, embeds it and returns neighbours with cosine similarity', async () => {
    const { embedder, images, search } = setup([storedDoc('a', unit(DIMS, 0.9)), storedDoc('b', unit(DIMS, 0.3))]);
    images.url('https://cdn.example/q.jpg', 'query-bytes');
    embedder.image('query-bytes', unit(DIMS, 1));
    const { hits } = await search.searchByImage({ url: 'https://cdn.example/q.jpg' }, { first: 1 });
    expect(hits.map((h) => [h.product.id, h.similarity])).toEqual([['a', 0.9]]);
    expect(embedder.embedded).toEqual([{ kind: 'image', key: 'query-bytes' }]);
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
    expect(ids(r)).toEqual(['n1', 'r1']);
  });

  it('excludes negatives even when they would rank, and steers away from them', async () => {
    const { index, search } = setup(docs);
    const r = await search.recommendations(['p1', 'p2'], ['n1'], { first: 10 });
    expect(ids(r)).toEqual(['r1', 'r2', 'r3']);
    expect(r.unknownIds).toEqual([]);
    expect((index.callsOf('retrieve')[0]![0] as { restriction: { excludeIds: string[] } }).restriction.excludeIds).toEqual(['p1', 'p2', 'n1']);
  });

  it('reports unknown ids, positive and negative, and ignores them', async () => {
    const { search } = setup(docs);
    const r = await search.recommendations(['p1', 'ghost', 'p1'], ['n1', 'ghost-2', 'p1'], { first: 2 });
    expect(r.unknownIds).toEqual(['ghost', 'ghost-2']);
    expect(ids(r)).toEqual(['p2', 'r1']);
    expect(r.hits.every((h) => typeof h.similarity === 'number')).toBe(true);
  });

  it('answers no hits, and asks no kNN, when no viewed product is known', async () => {
    const { index, search } = setup(docs);
    const r = await search.recommendations(['ghost'], ['n1'], { first: 5 });
    expect(r).toEqual({ hits: [], pageInfo: { hasNextPage: false }, exhaustive: true, unknownIds: ['ghost'], facets: [] });
    expect(index.callsOf('retrieve')).toEqual([]);
  });

  it('answers no hits, and asks no kNN, when the viewed products cancel each other out', async () => {
    const { index, search } = setup([storedDoc('p', unit(DIMS, 1)), storedDoc('anti', unit(DIMS, -1)), storedDoc('other', unit(DIMS, 0.5))]);
    expect(await search.recommendations(['p', 'anti'], [], { first: 5 })).toMatchObject({ hits: [], unknownIds: [] });
    expect(index.callsOf('retrieve')).toEqual([]);
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

describe('SearchService.discover', () => {
  it('averages every positive signal into one query and reports unknown ids', async () => {
    // Axis 1 is the photo, axis 2 the text: the product halfway between them is the best match for both at once.
    const { embedder, search } = setup([
      storedDoc('photo-like', [0, 1, 0, 0]),
      storedDoc('text-like', [0, 0, 1, 0]),
      storedDoc('both', [0, Math.SQRT1_2, Math.SQRT1_2, 0]),
    ]);
    embedder.image('photo', [0, 1, 0, 0]).text('red', [0, 0, 1, 0]);
    const r = await search.discover({ image: inlineImage('photo'), text: 'red', positiveIds: ['ghost'], first: 3 });
    expect(ids(r)).toEqual(['both', 'photo-like', 'text-like']);
    expect(r.hits[0]!.similarity).toBe(1);
    expect(r.unknownIds).toEqual(['ghost']);
  });

  it('refuses a request with nothing to search from, naming the input as the field, before any work', async () => {
    const { index, search } = setup([storedDoc('a', unit(DIMS, 1))]);
    const err = await search.discover({ first: 5, negativeIds: ['a'], excludeIds: ['a'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err).toMatchObject({ message: 'Give at least one of image, text, keywords and positiveIds to search from', field: 'input', code: 'INVALID_INPUT' });
    expect(index.calls).toEqual([]);
  });

  it('runs keywords alone without embedding anything', async () => {
    const { embedder, search } = setup([storedDoc('a', unit(DIMS, 1), { title: 'Red mug' }), storedDoc('b', unit(DIMS, 1), { title: 'Blue lamp' })]);
    expect(ids(await search.discover({ keywords: 'mug', first: 5 }))).toEqual(['a']);
    expect(embedder.embedded).toEqual([]);
  });
});
