import { createHash } from 'node:crypto';
import { InvalidInputError, ProductNotFoundError } from '../../src/common/errors';
import { buildQueryVector, DEFAULT_MODIFIER_WEIGHT } from '../../src/search/pipeline/query-vector';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, inlineImage, storedDoc } from '../support/fakes';

/**
 * Stage 1 of the pipeline on its own (pipeline/query-vector.ts): the query vector and everything the later stages
 * read from it (exclusions, unknown ids, the photo's hash, the categories, the reference of relations), with
 * hand-placed vectors whose sums are exact.
 */

const DOCS = [
  storedDoc('seed', [1, 0, 0, 0], { category: 'mug' }),
  storedDoc('pos', [0, 1, 0, 0], { category: 'cup' }),
  storedDoc('plain', [0, 0, 1, 0]),
  storedDoc('neg', [0, 0, 0, 1], { category: 'lamp' }),
  storedDoc('anti', [-1, 0, 0, 0]),
];

function setup() {
  const index = new InMemoryProductIndex(DOCS);
  const embedder = new FakeEmbedder().image('photo', [0, 3, 0, 0]).text('red', [0, 0, 2, 0]).text('blue', [0, 0, 0, 5]);
  const images = new FakeImageSource();
  return { index, embedder, images, src: { index, embedder, images } };
}
const list = (v: ArrayLike<number> | undefined) => (v ? Array.from(v) : v);

describe('buildQueryVector', () => {
  it('a seed alone: its vector, excluded, its category, and it is the reference relations compare with', async () => {
    const { index, src } = setup();
    const q = await buildQueryVector(src, { seedId: 'seed' });
    expect({ ...q, vector: list(q.vector), reference: list(q.reference) }).toStrictEqual({
      vector: [1, 0, 0, 0],
      cancelled: false,
      excludeIds: ['seed'],
      unknownIds: [],
      imageSha256: undefined,
      categories: ['mug'],
      reference: [1, 0, 0, 0],
      referenceIsQuery: true,
    });
    expect(index.callsOf('getQuerySeeds')).toEqual([[['seed']]]);
  });

  it('reads no products when the request names none, and reports no signals as nothing cancelled', async () => {
    const { index, src } = setup();
    const q = await buildQueryVector(src, {});
    expect(q).toStrictEqual({ vector: undefined, cancelled: false, excludeIds: [], unknownIds: [], imageSha256: undefined, categories: [], reference: undefined });
    expect(index.calls).toEqual([]);
  });

  it('refuses an unknown seed, but reports unknown positives and negatives', async () => {
    const { src } = setup();
    await expect(buildQueryVector(src, { seedId: 'ghost', positiveIds: ['pos'] })).rejects.toEqual(new ProductNotFoundError('ghost'));
    const q = await buildQueryVector(src, { positiveIds: ['ghost-1', 'pos'], negativeIds: ['ghost-2'] });
    expect([q.unknownIds, q.excludeIds, list(q.vector)]).toEqual([['ghost-1', 'ghost-2'], ['ghost-1', 'pos', 'ghost-2'], [0, 1, 0, 0]]);
  });

  it('reads the seed, positives and negatives in one call, each once; a product both liked and disliked counts as liked', async () => {
    const { index, src } = setup();
    const q = await buildQueryVector(src, { seedId: 'seed', positiveIds: ['pos', 'plain', 'pos'], negativeIds: ['neg', 'pos', 'neg'] });
    expect(index.callsOf('getQuerySeeds')).toEqual([[['seed', 'pos', 'plain', 'neg']]]);
    expect(q.excludeIds).toEqual(['seed', 'pos', 'plain', 'neg']);
    // Rocchio: the mean of three unit positives (1/3 each), minus half the negative, normalised.
    const n = Math.hypot(1 / 3, 1 / 3, 1 / 3, 0.5);
    expect(list(q.vector)).toEqual([1 / 3 / n, 1 / 3 / n, 1 / 3 / n, -0.5 / n].map((x) => expect.closeTo(x, 6)));
    // Categories of what the query starts from, never of the negatives; products without one add none.
    expect([q.categories, q.reference, q.cancelled, 'referenceIsQuery' in q]).toEqual([['mug', 'cup'], undefined, false, false]);
  });

  it('a photo: embedded once, its SHA-256 kept, the image source and model given the signal', async () => {
    const { embedder, images, src } = setup();
    const signal = new AbortController().signal;
    const q = await buildQueryVector(src, { image: inlineImage('photo') }, signal);
    expect([list(q.vector), q.imageSha256, list(q.reference), q.referenceIsQuery]).toEqual([
      [0, 1, 0, 0],
      createHash('sha256').update('photo').digest('hex'),
      [0, 3, 0, 0],
      true,
    ]);
    expect(images.resolved.map((r) => r.signal)).toEqual([signal]);
    expect(embedder.embedded).toEqual([{ kind: 'image', key: 'photo' }]);
    const aborted = AbortSignal.abort(new Error('gone'));
    await expect(buildQueryVector(src, { text: 'red' }, aborted)).rejects.toThrow('gone');
  });

  it('a text joins the mean and is never a reference', async () => {
    const { src } = setup();
    const q = await buildQueryVector(src, { image: inlineImage('photo'), text: 'red' });
    expect([list(q.vector), q.reference, 'referenceIsQuery' in q]).toEqual([[0, Math.SQRT1_2, Math.SQRT1_2, 0].map((x) => expect.closeTo(x, 6)), undefined, false]);
    const text = await buildQueryVector(src, { text: 'red' });
    expect([list(text.vector), text.reference, text.excludeIds]).toEqual([[0, 0, 1, 0], undefined, []]);
  });

  it('one positive with a negative is no reference; one positive alone is', async () => {
    const { src } = setup();
    expect((await buildQueryVector(src, { positiveIds: ['pos'], negativeIds: ['neg'] })).reference).toBeUndefined();
    // A negative the catalog does not know takes nothing away.
    const q = await buildQueryVector(src, { positiveIds: ['pos'], negativeIds: ['ghost'] });
    expect([list(q.reference), q.referenceIsQuery]).toEqual([[0, 1, 0, 0], true]);
  });

  it('signals that cancel out are cancelled; negatives alone are no signal', async () => {
    const { src } = setup();
    expect(await buildQueryVector(src, { positiveIds: ['seed', 'anti'] })).toMatchObject({ vector: undefined, cancelled: true });
    expect(await buildQueryVector(src, { negativeIds: ['neg'] })).toMatchObject({ vector: undefined, cancelled: false, excludeIds: ['neg'] });
    expect(await buildQueryVector(src, { positiveIds: ['ghost'] })).toMatchObject({ vector: undefined, cancelled: true, unknownIds: ['ghost'] });
  });

  it('a modifier moves the direction by the request\'s weight, the default weight without one, and keeps the reference', async () => {
    const { embedder, src } = setup();
    const q = await buildQueryVector(src, { seedId: 'seed', modifier: 'but in red', modifierWeight: 1 });
    expect(list(q.vector)).toEqual([Math.SQRT1_2, 0, Math.SQRT1_2, 0].map((x) => expect.closeTo(x, 6)));
    expect([list(q.reference), 'referenceIsQuery' in q]).toEqual([[1, 0, 0, 0], false]);
    expect(embedder.embedded).toEqual([{ kind: 'text', key: 'red' }]);
    const w = DEFAULT_MODIFIER_WEIGHT;
    const byDefault = await buildQueryVector(src, { seedId: 'seed', modifier: 'red' });
    expect(list(byDefault.vector)).toEqual([1 / Math.hypot(1, w), 0, w / Math.hypot(1, w), 0].map((x) => expect.closeTo(x, 6)));
    expect(DEFAULT_MODIFIER_WEIGHT).toBe(1.5);
    const away = await buildQueryVector(src, { seedId: 'seed', modifier: 'without red', modifierWeight: 1 });
    expect(list(away.vector)).toEqual([Math.SQRT1_2, 0, -Math.SQRT1_2, 0].map((x) => expect.closeTo(x, 6)));
  });

  it('embeds no modifier when the signals cancelled out, and a modifier that cancels the direction leaves no vector', async () => {
    const { embedder, src } = setup();
    expect(await buildQueryVector(src, { positiveIds: ['seed', 'anti'], modifier: 'red' })).toMatchObject({ vector: undefined, cancelled: true });
    expect(embedder.embedded).toEqual([]);
    embedder.text('minus', [-1, 0, 0, 0]);
    expect(await buildQueryVector(src, { seedId: 'seed', modifier: 'minus', modifierWeight: 1 })).toMatchObject({ vector: undefined, cancelled: true });
  });

  it('a photo or a text that a modifier cancels is cancelled too', async () => {
    const { embedder, src } = setup();
    embedder.text('minus-photo', [0, -1, 0, 0]);
    const photo = await buildQueryVector(src, { image: inlineImage('photo'), modifier: 'minus-photo', modifierWeight: 1 });
    expect([photo.vector, photo.cancelled]).toEqual([undefined, true]);
    const text = await buildQueryVector(src, { text: 'red', modifier: 'without red', modifierWeight: 1 });
    expect([text.vector, text.cancelled]).toEqual([undefined, true]);
  });

  it('names the modifier as the field of its errors', async () => {
    const { src } = setup();
    await expect(buildQueryVector(src, { seedId: 'seed', modifier: 'but in' })).rejects.toMatchObject({ field: 'modifier', code: 'INVALID_INPUT' });
    await expect(buildQueryVector(src, { modifier: 'red' })).rejects.toMatchObject({ field: 'modifier', code: 'INVALID_INPUT' });
  });

  it('refuses a modifier without words, or with nothing to modify, before reading anything', async () => {
    const { index, src } = setup();
    const nothing = new InvalidInputError('modifier changes what an image, a text or positiveIds describe; give one of them too', 'modifier');
    await expect(buildQueryVector(src, { seedId: 'seed', modifier: 'but in' })).rejects.toEqual(new InvalidInputError('modifier has no words to search with', 'modifier'));
    await expect(buildQueryVector(src, { modifier: 'red' })).rejects.toEqual(nothing);
    await expect(buildQueryVector(src, { modifier: 'red', positiveIds: [], negativeIds: ['neg'] })).rejects.toEqual(nothing);
    expect(index.calls).toEqual([]);
    // Any one signal is something to modify.
    for (const s of [{ image: inlineImage('photo') }, { text: 'blue' }, { seedId: 'seed' }, { positiveIds: ['pos'] }]) {
      expect((await buildQueryVector(src, { ...s, modifier: 'red' })).vector).toBeDefined();
    }
  });
});
