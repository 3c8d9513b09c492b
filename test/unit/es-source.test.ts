import type { ProductDocument } from '../../src/catalog/product';
import { nearestImage, SEED_SOURCE, toDocument, toHits, toQuerySeed, toSource, type Source } from '../../src/search/elasticsearch/source';
import { storedDoc } from '../support/fakes';

/** The stored form of a product (`_source`): written from a document, read back as a document, a query seed or hits. */

const catalog = { id: 'p1', groupId: 'g1', title: 'Mug', inStock: true, tags: [], attributes: {}, updatedAt: '2025-01-01T00:00:00.000Z', contentHash: 'h1', modelId: 'm1' };

describe('toSource', () => {
  it('stores each image with only the fields it has, and an image without a vector (a shadow copy) without one', () => {
    const doc: ProductDocument = storedDoc('p1', [0.6, 0.8], {
      images: [
        { vector: [0.6, 0.8], sha256: 'a', url: 'http://shop.test/a.jpg', etag: undefined },
        { vector: [], sha256: 'b', etag: '"v1"' },
      ],
    });
    const { images: _images, ...rest } = doc;
    expect(toSource(doc)).toStrictEqual({
      ...rest,
      images: [
        { vector: [0.6, 0.8], sha256: 'a', url: 'http://shop.test/a.jpg' },
        { sha256: 'b', etag: '"v1"' },
      ],
    });
  });
});

describe('toDocument', () => {
  it('reads back what toSource stored, an image stored without a vector as an empty one', () => {
    const doc = storedDoc('p1', [0.6, 0.8], {
      images: [{ vector: [0.6, 0.8], sha256: 'a', url: 'http://shop.test/a.jpg', etag: '"v1"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' }, { vector: [], sha256: 'b' }],
      attributeConflicts: [{ name: 'color', stated: 'red', predicted: 'blue', confidence: 0.9 }],
      tagsVersion: 'labels@1',
      predictedAttributes: [],
      predictedTags: [],
    });
    const back = toDocument(toSource(doc));
    expect(back).toEqual(doc);
    expect(back.images).toStrictEqual(doc.images);
    expect([back.contentHash, back.modelId, back.tagsVersion, back.attributeConflicts]).toEqual(['hash-p1', 'fake-model@00000000', 'labels@1', doc.attributeConflicts]);
  });

  it('drops null fields of a stored image', () => {
    const s = { ...catalog, images: [{ vector: [1, 0], sha256: 'a', url: null, etag: null }] } as unknown as Source;
    expect(toDocument(s).images).toStrictEqual([{ vector: [1, 0], sha256: 'a' }]);
  });

  it('reads a document of mapping versions 1 and 2 (one vector per product) as a product of one image', () => {
    const v2 = { ...catalog, image_vector: [1, 0], imageSha256: 'h', imageSourceUrl: 'http://shop.test/a.jpg', imageEtag: '"e"', imageLastModified: 'lm' };
    expect(toDocument(v2).images).toStrictEqual([{ vector: [1, 0], sha256: 'h', url: 'http://shop.test/a.jpg', etag: '"e"', lastModified: 'lm' }]);
    // Version 1 stored neither the hash nor the fetch bookkeeping: the next ingest embeds the image again.
    expect(toDocument({ ...catalog, image_vector: [0, 1] }).images).toStrictEqual([{ vector: [0, 1], sha256: '' }]);
  });

  it('reads a document with no image at all as one with no images', () => {
    expect(toDocument(catalog as Source).images).toEqual([]);
    expect(toDocument({ ...catalog, images: [] }).images).toEqual([]);
  });
});

describe('toQuerySeed', () => {
  it('is the first image\'s vector and the category, from either mapping', () => {
    const images = [{ vector: [0, 1], sha256: 'a' }, { vector: [1, 0], sha256: 'b' }];
    expect(toQuerySeed({ ...catalog, category: 'mugs', images })).toStrictEqual({ vector: [0, 1], category: 'mugs' });
    expect(toQuerySeed({ ...catalog, image_vector: [1, 0] })).toStrictEqual({ vector: [1, 0] });
  });

  it('is an empty vector for a product without images (the query then has nothing to start from)', () => {
    expect(toQuerySeed({ ...catalog, category: 'mugs' } as Source)).toStrictEqual({ vector: [], category: 'mugs' });
  });

  it('reads only what it needs: the vectors, the hashes that keep each image in its place, and the category', () => {
    expect(SEED_SOURCE).toEqual(['images.vector', 'images.sha256', 'image_vector', 'category']);
  });
});

describe('toHits', () => {
  const src = (id: string, images?: { sha256: string; url?: string; vector?: number[] }[]) => ({ ...catalog, id, ...(images ? { images } : {}) }) as Source;

  it('keeps the engine\'s score (none reads as 0) and leaves out hits without a source', () => {
    const hits = toHits([
      { _index: 'i', _score: 0.75, _source: src('a', [{ sha256: 'a0' }]) },
      { _index: 'i', _score: 0.5 },
      { _index: 'i', _score: null, _source: src('c', [{ sha256: 'c0' }]) },
    ]);
    expect(hits.map((h) => [h.product.id, h.score])).toEqual([['a', 0.75], ['c', 0]]);
  });

  it('takes the matched image from the nested inner hit, and none when there is no inner hit', () => {
    const images = [{ sha256: 'a0', url: 'a/0' }, { sha256: 'a1', url: 'a/1' }];
    const inner = (offsets: number[]) => ({ images: { hits: { hits: offsets.map((offset) => ({ _nested: { offset } })) } } });
    const [second, none, noInner, past] = toHits([
      { _index: 'i', _score: 1, _source: src('a', images), inner_hits: inner([1]) },
      { _index: 'i', _score: 1, _source: src('b', images), inner_hits: inner([]) },
      { _index: 'i', _score: 1, _source: src('c', images) },
      // An offset past the images the hit's source lists: the index is still the engine's, the URL unknown.
      { _index: 'i', _score: 1, _source: src('d', images), inner_hits: inner([2]) },
    ]);
    expect(second!.matchedImage).toStrictEqual({ index: 1, url: 'a/1' });
    expect(['matchedImage' in none!, 'matchedImage' in noInner!]).toEqual([false, false]);
    expect(past!.matchedImage).toStrictEqual({ index: 2, url: undefined });
  });

  it('carries the vectors only when every image has one, and reads a product without images', () => {
    const [all, some, empty, legacy] = toHits(
      [
        { _index: 'i', _source: src('a', [{ sha256: 'a0', vector: [1, 0] }, { sha256: 'a1', vector: [0, 1] }]) },
        { _index: 'i', _source: src('b', [{ sha256: 'b0', vector: [1, 0] }, { sha256: 'b1' }]) },
        { _index: 'i', _source: src('c', []) },
        { _index: 'i', _source: src('d') },
      ],
      new Set(['i']),
      [0, 1],
    );
    expect(all!.vectors).toEqual([[1, 0], [0, 1]]);
    expect(all!.matchedImage).toStrictEqual({ index: 1, url: undefined });
    expect([some, empty, legacy].map((h) => [h!.product.id, 'vectors' in h!, 'matchedImage' in h!, 'exactScore' in h!])).toEqual([
      ['b', false, true, false],
      ['c', false, false, false],
      ['d', false, false, false],
    ]);
  });

  it('marks a one-image hit exact only when its index is named, and not a hit without an index', () => {
    const one = src('a', [{ sha256: 'a0' }]);
    const exact = new Set(['i']);
    expect(toHits([{ _index: 'i', _source: one }], exact)[0]!.exactScore).toBe(true);
    expect('exactScore' in toHits([{ _source: one }], exact)[0]!).toBe(false);
    expect('exactScore' in toHits([{ _index: 'j', _source: one }], exact)[0]!).toBe(false);
  });
});

describe('nearestImage', () => {
  it('is the image of the largest dot product, the first among equals, skipping images without a vector', () => {
    expect(nearestImage([1, 0], [[0, 1], [0.8, 0.6], [0.8, 0.6]])).toBe(1);
    expect(nearestImage([1, 0], [undefined, [-0.6, 0.8], [-0.8, -0.6]])).toBe(1);
    expect(nearestImage([1, 0], [[-1, 0], undefined, [-0.6, -0.8]])).toBe(2);
  });

  it('needs no arithmetic for one image', () => {
    expect(nearestImage([1, 0], [[-1, 0]])).toBe(0);
  });
});
