import { FIELD_NAMES } from '../../src/catalog/product-fields';
import type { RetrievalQuery } from '../../src/catalog/product-index';
import { readRetrieval, retrievalSearches, type MsearchAnswer } from '../../src/search/elasticsearch/search-requests';
import { hitSource } from '../../src/search/elasticsearch/source';

/** The msearch bodies of a retrieval round: the kNN's k, its filter, rescoring, and what the hits read. */

type Knn = { k: number; num_candidates: number; filter: { bool: { must_not?: unknown[] } }; rescore_vector?: { oversample: number } };
const knnOf = (body: Record<string, unknown>) => body.knn as Knn;
const brand = { restriction: { excludeIds: ['seed', 'x'] }, facets: [{ field: 'brand' as const, size: 20 }] };

function round(from: number, size: number, extra: Partial<RetrievalQuery> = {}, unfiltered?: string[]): RetrievalQuery {
  return { restriction: { excludeIds: ['seed', 'x'] }, vector: { vector: [1, 0], from, size, numCandidates: 1000, ...(unfiltered ? { unfiltered } : {}) }, ...extra };
}

describe('retrievalSearches', () => {
  it('leaves the unfiltered ids in the kNN, one position each, and keeps them excluded from facets and pins', () => {
    const planned = retrievalSearches(round(0, 11, { facets: [brand], pinned: ['p1'] }, ['seed']));
    expect(planned.map((p) => p.side)).toEqual(['vector', undefined, 'pinned']);
    const [vector, facets, pinned] = planned.map((p) => knnOf(p.body));
    expect([vector!.k, vector!.num_candidates, vector!.filter.bool.must_not]).toEqual([11, 1001, [{ ids: { values: ['x'] } }]]);
    // The facets count the request's candidates, the seed excluded, so they cannot ride on the kNN that keeps it.
    expect([facets!.k, facets!.filter.bool.must_not]).toEqual([1000, [{ ids: { values: ['seed', 'x'] } }]]);
    expect(pinned!.filter.bool.must_not).toEqual([{ ids: { values: ['seed', 'x'] } }]);
  });

  it('with rescoring, asks every window for the whole candidate set as k, so windows stay prefixes of each other', () => {
    const first = retrievalSearches(round(0, 16), { oversample: 1 })[0]!.body;
    const next = retrievalSearches(round(16, 48, {}, ['seed']), { oversample: 1 })[0]!.body;
    expect([knnOf(first).k, knnOf(first).num_candidates, first.from, first.size, knnOf(first).rescore_vector]).toEqual([1000, 1000, 0, 16, { oversample: 1 }]);
    expect([knnOf(next).k, knnOf(next).num_candidates, next.from, next.size]).toEqual([1001, 1001, 16, 48]);
    const withFacets = retrievalSearches(round(0, 16, { facets: [{ ...brand, restriction: { excludeIds: ['x'] } }], pinned: ['p1'] }), { oversample: 3 });
    expect(withFacets.map((p) => knnOf(p.body).rescore_vector)).toEqual([{ oversample: 3 }, { oversample: 3 }, { oversample: 3 }]);
  });

  it('sends oversample 0 as it is (it turns off bbq\'s mapping default), with k following the window', () => {
    const body = retrievalSearches(round(16, 48), { oversample: 0 })[0]!.body;
    expect([knnOf(body).k, knnOf(body).rescore_vector]).toEqual([64, { oversample: 0 }]);
    expect(knnOf(retrievalSearches(round(16, 48))[0]!.body).rescore_vector).toBeUndefined();
  });

  it('leaves the inner hits out of a kNN whose hits carry their vectors (their matched image is read from them)', () => {
    const inner = (q: RetrievalQuery) => retrievalSearches(q).map((p) => [p.side, 'inner_hits' in (p.body.knn as object), p.matchImages]);
    expect(inner(round(0, 52, { pinned: ['p1'] }))).toEqual([['vector', true, undefined], ['pinned', true, undefined]]);
    expect(inner(round(0, 52, { pinned: ['p1'], withVectors: true }))).toEqual([['vector', false, [1, 0]], ['pinned', true, undefined]]);
  });
});

describe('hitSource', () => {
  it('reads the catalog fields and each image\'s URL and hash (which keep the inner hit\'s offset right), no bookkeeping', () => {
    expect(hitSource()).toEqual({ includes: [...FIELD_NAMES, 'images.url', 'images.sha256'], exclude_vectors: true });
    expect(hitSource(true)).toEqual({ includes: [...FIELD_NAMES, 'images.url', 'images.sha256', 'images.vector'], exclude_vectors: false });
    expect(hitSource().includes).not.toContain('contentHash');
  });
});

describe('readRetrieval', () => {
  const hit = (id: string, images: number, index = 'idx-a') => ({
    _index: index,
    _score: 0.9,
    _source: { id, title: id, images: Array.from({ length: images }, (_, i) => ({ sha256: `${id}-${i}` })) } as never,
  });
  const answer = (...hits: ReturnType<typeof hit>[]): MsearchAnswer => ({ hits: { hits } });

  it('marks kNN hits exact only from an index that scores float vectors and for products of one image; keyword hits never', () => {
    const [vector, , pinned] = retrievalSearches({ ...round(0, 3), keyword: { q: 'mug', from: 0, size: 2 }, pinned: ['b'] });
    const keyword = retrievalSearches({ restriction: {}, keyword: { q: 'mug', from: 0, size: 2 } })[0]!;
    const r = readRetrieval(
      [
        [vector!, answer(hit('a', 1), hit('b', 2), hit('c', 1, 'idx-b'))],
        [keyword, answer(hit('a', 1))],
        [pinned!, answer(hit('b', 1))],
      ],
      new Set(['idx-a']),
    );
    expect(r.vector!.map((h) => [h.product.id, h.exactScore ?? false])).toEqual([['a', true], ['b', false], ['c', false]]);
    expect(r.keyword!.map((h) => h.exactScore ?? false)).toEqual([false]);
    expect(r.pinned!.map((h) => h.exactScore ?? false)).toEqual([true]);
    expect(readRetrieval([[vector!, answer(hit('a', 1))]]).vector![0]!.exactScore).toBeUndefined();
  });

  it('reads the matched image of hits with vectors as the inner hits would: the nearest, the first of equals', () => {
    const [vector] = retrievalSearches({ ...round(0, 4), withVectors: true });
    const withVectors = (id: string, vectors: number[][]) => ({
      _index: 'idx-a',
      _score: 0.9,
      _source: { id, title: id, images: vectors.map((vector, i) => ({ sha256: `${id}-${i}`, url: `${id}/${i}`, vector })) } as never,
    });
    const r = readRetrieval([[vector!, answer(withVectors('one', [[0, 1]]), withVectors('second', [[0, 1], [0.8, 0.6]]), withVectors('tie', [[0, 1], [0.6, 0.8], [0.6, 0.8]]))]]);
    expect(r.vector!.map((h) => [h.product.id, h.matchedImage])).toEqual([
      ['one', { index: 0, url: 'one/0' }],
      ['second', { index: 1, url: 'second/1' }],
      ['tie', { index: 1, url: 'tie/1' }],
    ]);
  });
});
