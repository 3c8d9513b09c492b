import { createHash } from 'node:crypto';
import { IngestStatus, type ProductInput } from '../../src/catalog/product';
import {
  AppError,
  ImageInputError,
  IndexingFailedError,
  InvalidInputError,
  ProductNotFoundError,
  StaleVersionError,
} from '../../src/common/errors';
import { logger } from '../../src/common/logger';
import { IngestService, type DuplicateCheck, type IngestOutcome } from '../../src/ingest/ingest.service';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, inlineImage, storedDoc, unit } from '../support/fakes';

/** IngestService on its own: store, model and image source are in-memory fakes with hand-placed vectors. */
const DIMS = 4;

function setup(docs: ReturnType<typeof storedDoc>[] = []) {
  const index = new InMemoryProductIndex(docs);
  const embedder = new FakeEmbedder('fake-model@00000000', DIMS)
    .image('mug.jpg', unit(DIMS, 1))
    .image('mug-v2.jpg', unit(DIMS, 0.5))
    .image('lamp.jpg', unit(DIMS, 0, 2));
  const images = new FakeImageSource();
  return { index, embedder, images, ingest: new IngestService(index, embedder, images) };
}

const input = (id: string, image: string, extra: Partial<ProductInput> = {}): ProductInput => ({
  id,
  title: `Product ${id}`,
  image: inlineImage(image),
  ...extra,
});

/** Outcomes as [status or error class name, detail] pairs, for exact comparison. */
const summary = (outcomes: IngestOutcome[]) => outcomes.map((o) => (o.ok ? o.status : o.error.constructor.name));

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('IngestService', () => {
  it('creates, then answers a replay UNCHANGED without writing or embedding again', async () => {
    const { index, embedder, ingest } = setup();
    const [first] = await ingest.ingest([input('a', 'mug.jpg', { tags: ['b', 'a'] })]);
    const [again] = await ingest.ingest([input('a', 'mug.jpg', { tags: ['a', 'b', 'a'] })]);
    expect(summary([first!, again!])).toEqual([IngestStatus.CREATED, IngestStatus.UNCHANGED]);
    expect(again!.ok && again.product).toEqual(first!.ok && first.product);
    expect(index.callsOf('bulkUpsert')).toHaveLength(1);
    expect(embedder.embedded).toHaveLength(1);
    // One read per call: the store is read again only for the ids whose write conflicted.
    expect(index.callsOf('getDocuments')).toEqual([[['a']], [['a']]]);
  });

  it('reuses the stored vector when only the catalog fields changed', async () => {
    const { index, embedder, ingest } = setup();
    await ingest.ingest([input('a', 'mug.jpg')]);
    const before = index.docs.get('a')!;
    const [out] = await ingest.ingest([input('a', 'mug.jpg', { title: 'Renamed' })]);
    expect(summary([out!])).toEqual([IngestStatus.UPDATED]);
    expect(embedder.embedded).toEqual([{ kind: 'image', key: 'mug.jpg' }]);
    const after = index.docs.get('a')!;
    expect([after.title, after.images]).toEqual(['Renamed', before.images]);
    expect(after.contentHash).not.toBe(before.contentHash);
  });

  it('embeds again when the image bytes changed', async () => {
    const { index, embedder, ingest } = setup();
    await ingest.ingest([input('a', 'mug.jpg')]);
    await ingest.ingest([input('a', 'mug-v2.jpg')]);
    expect(embedder.embedded.map((e) => e.key)).toEqual(['mug.jpg', 'mug-v2.jpg']);
    expect(index.docs.get('a')!.images[0]!.vector).toEqual(Array.from(Float32Array.from(unit(DIMS, 0.5))));
  });

  it('embeds again when the stored vector came from another model', async () => {
    const { index, ingest } = setup();
    await ingest.ingest([input('a', 'mug.jpg')]);
    const newModel = new FakeEmbedder('other-model@11111111', DIMS).image('mug.jpg', unit(DIMS, 0.9));
    const out = await new IngestService(index, newModel, new FakeImageSource()).ingest([input('a', 'mug.jpg')]);
    expect(summary(out)).toEqual([IngestStatus.UPDATED]);
    expect(newModel.embedded).toHaveLength(1);
    expect([index.docs.get('a')!.modelId, index.docs.get('a')!.images[0]!.vector[0]]).toEqual(['other-model@11111111', Math.fround(0.9)]);
  });

  it('refuses a second item with the same id in one batch and still writes the first', async () => {
    const { index, ingest } = setup();
    const out = await ingest.ingest([input('a', 'mug.jpg'), input('a', 'lamp.jpg', { title: 'Other' })]);
    expect(summary(out)).toEqual([IngestStatus.CREATED, 'InvalidInputError']);
    expect(out[1]).toEqual({ ok: false, id: 'a', error: new InvalidInputError('Product "a" appears more than once in this batch', 'id') });
    expect((out[1] as { error: InvalidInputError }).error).toMatchObject({ field: 'id', code: 'INVALID_INPUT' });
    expect(index.docs.get('a')!.title).toBe('Product a');
  });

  it('refuses an older version before fetching its image, and an equal one through the store', async () => {
    const { index, images, ingest } = setup();
    await ingest.ingest([input('v', 'mug.jpg', { version: 10 })]);
    images.resolved.length = 0;
    const [older] = await ingest.ingest([input('v', 'mug.jpg', { version: 9, title: 'Old' })]);
    expect(older).toEqual({ ok: false, id: 'v', error: new StaleVersionError('v', 10, 9) });
    expect(images.resolved).toEqual([]);
    const [equal] = await ingest.ingest([input('v', 'mug.jpg', { version: 10, title: 'Same version, new title' })]);
    expect(equal).toEqual({ ok: false, id: 'v', error: new StaleVersionError('v', 10, 10) });
    expect(index.docs.get('v')!.title).toBe('Product v');
    const [newer] = await ingest.ingest([input('v', 'mug.jpg', { version: 11, title: 'New' })]);
    expect(summary([newer!])).toEqual([IngestStatus.UPDATED]);
    expect(index.docs.get('v')!.title).toBe('New');
  });

  it('reports per-item bulk failures: a conflict as StaleVersion, anything else as IndexingFailed', async () => {
    const { index, ingest } = setup([storedDoc('stored', unit(DIMS, 1), { version: 5 })]);
    // The store holds version 7 by the time the write lands (a concurrent writer), so only the bulk sees the conflict.
    const stale = input('stored', 'mug.jpg', { version: 6 });
    const original = index.getDocuments.bind(index);
    index.getDocuments = async (ids) => {
      const docs = await original(ids);
      await index.bulkUpsert([storedDoc('stored', unit(DIMS, 1), { version: 7 })]);
      return docs;
    };
    index.failNextWrite.set('bad', 'mapper_parsing_exception: dims mismatch');
    const out = await ingest.ingest([input('ok', 'mug.jpg'), input('bad', 'lamp.jpg'), stale]);
    expect(out[0]).toMatchObject({ ok: true, status: IngestStatus.CREATED });
    expect(out[1]).toEqual({ ok: false, id: 'bad', error: new IndexingFailedError('bad', 'mapper_parsing_exception: dims mismatch') });
    // The version reported is the one that won (read again after the conflict), not the one read before the write.
    expect(out[2]).toEqual({ ok: false, id: 'stored', error: new StaleVersionError('stored', 7, 6) });
    expect([...index.docs.keys()].sort()).toEqual(['ok', 'stored']);
    expect(index.docs.get('stored')!.version).toBe(7);
    expect(index.callsOf('getDocuments')).toEqual([[['ok', 'bad', 'stored']], [['stored']]]);
  });

  it('reports what the store did when another writer came between the read and the write', async () => {
    const { index, ingest } = setup([storedDoc('deleted', unit(DIMS, 1))]);
    const original = index.getDocuments.bind(index);
    index.getDocuments = async (ids) => {
      const docs = await original(ids);
      await index.delete('deleted');
      await index.bulkUpsert([storedDoc('appeared', unit(DIMS, 1))]);
      return docs;
    };
    const out = await ingest.ingest([input('deleted', 'mug.jpg'), input('appeared', 'lamp.jpg')]);
    // The read said UPDATED and CREATED; the store created the first and replaced the second.
    expect(summary(out)).toEqual([IngestStatus.CREATED, IngestStatus.UPDATED]);
    // A store that does not say: the read's verdict stands.
    index.bulkUpsert = async (docs) => docs.map((d) => ({ id: d.id, ok: true }));
    expect(summary(await ingest.ingest([input('fresh', 'mug.jpg')]))).toEqual([IngestStatus.CREATED]);
  });

  it('reports a conflict on its own version and content as done: a retried bulk whose first answer was lost', async () => {
    const { index, ingest } = setup();
    // The transport retried the bulk on another node after the first node wrote it and died: the retry conflicts.
    const original = index.bulkUpsert.bind(index);
    index.bulkUpsert = async (docs, o) => {
      await original(docs, o);
      return original(docs, o);
    };
    const out = await ingest.ingest([input('v', 'mug.jpg', { version: 3 })]);
    expect(summary(out)).toEqual([IngestStatus.CREATED]);
    expect(index.docs.get('v')!.version).toBe(3);
    // A conflict with another writer's content at the same version stays StaleVersion.
    index.bulkUpsert = async (docs, o) => {
      await original([{ ...docs[0]!, title: 'Theirs', contentHash: 'theirs' }], o);
      return original(docs, o);
    };
    const [theirs] = await ingest.ingest([input('w', 'mug.jpg', { version: 3 })]);
    expect(theirs).toEqual({ ok: false, id: 'w', error: new StaleVersionError('w', 3, 3) });
    expect(index.docs.get('w')!.title).toBe('Theirs');
    // ... and so does one with our content at a newer version: a later write of the same content won.
    index.bulkUpsert = async (docs, o) => {
      await original([{ ...docs[0]!, version: 4 }], o);
      return original(docs, o);
    };
    const [newer] = await ingest.ingest([input('x', 'mug.jpg', { version: 3 })]);
    expect(newer).toEqual({ ok: false, id: 'x', error: new StaleVersionError('x', 4, 3) });
  });

  it('reports bad images per item and writes the rest; a fault rejects the whole call', async () => {
    const { index, images, ingest } = setup();
    const out = await ingest.ingest([
      input('good', 'mug.jpg'),
      input('junk', 'not-an-image'),
      { id: 'none', title: 'No image', image: {} },
      { id: 'gone', title: 'Missing', image: { url: 'https://cdn.example/404.jpg' } },
    ]);
    expect(summary(out)).toEqual([IngestStatus.CREATED, 'ImageInputError', 'InvalidInputError', 'ImageInputError']);
    expect(out.map((o) => (o.ok ? null : o.error.code))).toEqual([null, 'IMAGE_UNDECODABLE', 'INVALID_INPUT', 'IMAGE_FETCH_FAILED']);
    expect([...index.docs.keys()]).toEqual(['good']);

    images.resolveIfModified = async () => {
      throw new AppError('INTERNAL', 'disk on fire');
    };
    await expect(ingest.ingest([input('x', 'mug.jpg')])).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(index.docs.has('x')).toBe(false);
  });

  it('normalises what it stores and answers with the stored product', async () => {
    const { index, ingest } = setup();
    const [out] = await ingest.ingest([
      input('n', 'mug.jpg', { title: '  Mug ', currency: 'eur', tags: [' b ', 'a', 'a'], attributes: { z: '1', a: '2' } }),
    ]);
    const stored = index.docs.get('n')!;
    expect([stored.title, stored.currency, stored.tags, Object.keys(stored.attributes), stored.inStock]).toEqual([
      'Mug',
      'EUR',
      ['a', 'b'],
      ['a', 'z'],
      true,
    ]);
    expect(out).toEqual({ ok: true, status: IngestStatus.CREATED, product: expect.objectContaining({ title: 'Mug', updatedAt: stored.updatedAt }) });
    expect(out!.ok && 'images' in out.product).toBe(false);
  });

  it('stops at a fired signal: the call rejects with its reason and writes nothing', async () => {
    const { index, embedder, images, ingest } = setup();
    const reason = new Error('deadline passed');
    await expect(ingest.ingest([input('a', 'mug.jpg'), input('b', 'lamp.jpg')], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect([index.docs.size, embedder.embedded.length, images.resolved.length]).toEqual([0, 0, 0]);
    const live = new AbortController().signal;
    await ingest.ingest([input('a', 'mug.jpg')], { signal: live });
    expect(images.resolved.map((r) => r.signal)).toEqual([live]);
  });

  describe('conditional image fetches', () => {
    const URL_A = 'https://cdn.example/a.jpg';
    const fromUrl = (id: string, url: string, extra: Partial<ProductInput> = {}) => input(id, '', { image: { url }, ...extra });
    const LM_1 = 'Wed, 01 Jan 2025 00:00:00 GMT';
    const LM_2 = 'Thu, 02 Jan 2025 00:00:00 GMT';

    it('stores the validators, then re-ingests with a 304: UNCHANGED, nothing downloaded, embedded or written', async () => {
      const { index, embedder, images, ingest } = setup();
      images.url(URL_A, 'mug.jpg', { etag: '"e1"', lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT' });
      const [first] = await ingest.ingest([fromUrl('a', URL_A)]);
      const stored = index.docs.get('a')!.images[0]!;
      expect([stored.url, stored.etag, stored.lastModified]).toEqual([URL_A, '"e1"', 'Wed, 01 Jan 2025 00:00:00 GMT']);

      const [again] = await ingest.ingest([fromUrl('a', URL_A)]);
      expect(summary([first!, again!])).toEqual([IngestStatus.CREATED, IngestStatus.UNCHANGED]);
      expect(images.resolved.map((r) => [r.known, r.notModified])).toEqual([
        [undefined, false],
        [{ etag: '"e1"', lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT' }, true],
      ]);
      expect([embedder.embedded.length, index.callsOf('bulkUpsert').length]).toEqual([1, 1]);
    });

    it('keeps the stored vector on a 304 when only catalog fields changed: UPDATED, no embedding', async () => {
      const { index, embedder, images, ingest } = setup();
      images.url(URL_A, 'mug.jpg', { etag: '"e1"' });
      await ingest.ingest([fromUrl('a', URL_A)]);
      const before = index.docs.get('a')!;
      const [out] = await ingest.ingest([fromUrl('a', URL_A, { title: 'Renamed' })]);
      expect(summary([out!])).toEqual([IngestStatus.UPDATED]);
      expect(images.resolved.at(-1)!.notModified).toBe(true);
      expect(embedder.embedded).toHaveLength(1);
      const after = index.docs.get('a')!;
      expect([after.title, after.images]).toEqual(['Renamed', before.images]);
      expect(after.images[0]!.etag).toBe('"e1"');
    });

    it('embeds again when the server has new bytes behind the same URL (ETag changed)', async () => {
      const { index, embedder, images, ingest } = setup();
      images.url(URL_A, 'mug.jpg', { etag: '"e1"' });
      await ingest.ingest([fromUrl('a', URL_A)]);
      images.url(URL_A, 'mug-v2.jpg', { etag: '"e2"' });
      const [out] = await ingest.ingest([fromUrl('a', URL_A)]);
      expect(summary([out!])).toEqual([IngestStatus.UPDATED]);
      expect(embedder.embedded.map((e) => e.key)).toEqual(['mug.jpg', 'mug-v2.jpg']);
      expect(index.docs.get('a')!.images[0]!.etag).toBe('"e2"');
    });

    it('refreshes only the validators when the same bytes come back under a new ETag: UNCHANGED, one bookkeeping write', async () => {
      const { index, embedder, images, ingest } = setup();
      images.url(URL_A, 'mug.jpg', { etag: '"e1"' });
      await ingest.ingest([fromUrl('a', URL_A)]);
      const before = index.docs.get('a')!;
      images.url(URL_A, 'mug.jpg', { etag: '"e1-gzip"' });
      const [out] = await ingest.ingest([fromUrl('a', URL_A)]);
      expect(summary([out!])).toEqual([IngestStatus.UNCHANGED]);
      expect(embedder.embedded).toHaveLength(1);
      expect(index.callsOf('bulkUpsert')).toHaveLength(2);
      expect(index.docs.get('a')).toEqual({ ...before, images: [{ ...before.images[0]!, etag: '"e1-gzip"' }] });
    });

    it('fetches conditionally with Last-Modified alone when the source sent no ETag', async () => {
      const { index, embedder, images, ingest } = setup();
      images.url(URL_A, 'mug.jpg', { lastModified: LM_1 });
      const [first] = await ingest.ingest([fromUrl('a', URL_A)]);
      const [again] = await ingest.ingest([fromUrl('a', URL_A)]);
      expect(summary([first!, again!])).toEqual([IngestStatus.CREATED, IngestStatus.UNCHANGED]);
      expect(images.resolved.map((r) => [r.known, r.notModified])).toEqual([
        [undefined, false],
        [{ etag: undefined, lastModified: LM_1 }, true],
      ]);
      expect([embedder.embedded.length, index.callsOf('bulkUpsert').length]).toEqual([1, 1]);
    });

    it('refreshes only the validators when the same bytes come back with a new Last-Modified', async () => {
      const { index, embedder, images, ingest } = setup();
      images.url(URL_A, 'mug.jpg', { lastModified: LM_1 });
      await ingest.ingest([fromUrl('a', URL_A)]);
      const before = index.docs.get('a')!;
      images.url(URL_A, 'mug.jpg', { lastModified: LM_2 });
      const [out] = await ingest.ingest([fromUrl('a', URL_A)]);
      expect(summary([out!])).toEqual([IngestStatus.UNCHANGED]);
      expect([embedder.embedded.length, index.callsOf('bulkUpsert').length]).toEqual([1, 2]);
      expect(index.docs.get('a')).toEqual({ ...before, images: [{ ...before.images[0]!, lastModified: LM_2 }] });
    });

    it('records a new fetch URL serving the same bytes under the same ETag: UNCHANGED, one bookkeeping write', async () => {
      // The images moved to another host; the storefront's imageUrl, part of the content, stays.
      const { index, embedder, images, ingest } = setup();
      const URL_B = 'https://cdn-2.example/a.jpg';
      images.url(URL_A, 'mug.jpg', { etag: '"e1"' }).url(URL_B, 'mug.jpg', { etag: '"e1"' });
      const shown = { imageUrl: 'https://shop.example/a.jpg' };
      await ingest.ingest([fromUrl('a', URL_A, shown)]);
      const before = index.docs.get('a')!;
      const [out] = await ingest.ingest([fromUrl('a', URL_B, shown)]);
      expect(summary([out!])).toEqual([IngestStatus.UNCHANGED]);
      expect(images.resolved.map((r) => r.known)).toEqual([undefined, undefined]);
      expect([embedder.embedded.length, index.callsOf('bulkUpsert').length]).toEqual([1, 2]);
      expect(index.docs.get('a')).toEqual({ ...before, images: [{ ...before.images[0]!, url: URL_B }] });
    });

    it('neither trusts nor reuses a stored document without a vector (a shadow index\'s copy before its reindex)', async () => {
      // What dual writes mirror into a shadow index: the current model's id, the bookkeeping, no vector yet.
      const { index, embedder, images, ingest } = setup([
        storedDoc('a', [], { images: [{ vector: [], sha256: sha256('mug.jpg'), url: URL_A, etag: '"e1"' }] }),
      ]);
      images.url(URL_A, 'mug.jpg', { etag: '"e1"' });
      const [out] = await ingest.ingest([fromUrl('a', URL_A)]);
      expect(summary([out!])).toEqual([IngestStatus.UPDATED]);
      expect(images.resolved.map((r) => [r.known, r.notModified])).toEqual([[undefined, false]]);
      expect(embedder.embedded).toEqual([{ kind: 'image', key: 'mug.jpg' }]);
      expect(index.docs.get('a')!.images.map((img) => img.vector)).toEqual([unit(DIMS, 1)]);
    });

    it('never fetches an inline image conditionally, whatever validators the stored document holds', async () => {
      const { images, ingest } = setup([storedDoc('a', unit(DIMS, 1), { images: [{ vector: unit(DIMS, 1), sha256: sha256('mug.jpg'), etag: '"e1"' }] })]);
      const [out] = await ingest.ingest([input('a', 'mug.jpg')]);
      expect(summary([out!])).toEqual([IngestStatus.UPDATED]);
      expect(images.resolved).toHaveLength(1);
      expect(images.resolved[0]!.known).toBeUndefined();
    });

    it('sends no validators when the source sent none, and writes nothing again', async () => {
      const { index, images, ingest } = setup();
      images.url(URL_A, 'mug.jpg');
      await ingest.ingest([fromUrl('a', URL_A)]);
      const [again] = await ingest.ingest([fromUrl('a', URL_A)]);
      expect(summary([again!])).toEqual([IngestStatus.UNCHANGED]);
      expect(images.resolved).toHaveLength(2);
      expect(images.resolved[1]!.known).toBeUndefined();
      expect(index.callsOf('bulkUpsert')).toHaveLength(1);
    });

    it('sends no validators for another URL, for a vector of another model, or when none were stored', async () => {
      const { index, images, ingest } = setup();
      images.url(URL_A, 'mug.jpg', { etag: '"e1"' }).url('https://cdn.example/b.jpg', 'mug.jpg', { etag: '"e1"' });
      await ingest.ingest([fromUrl('a', URL_A)]);
      await ingest.ingest([fromUrl('a', 'https://cdn.example/b.jpg')]);
      expect(images.resolved.map((r) => r.known)).toEqual([undefined, undefined]);

      const otherModel = new FakeEmbedder('other-model@11111111', DIMS).image('mug.jpg', unit(DIMS, 0.9));
      const out = await new IngestService(index, otherModel, images).ingest([fromUrl('a', 'https://cdn.example/b.jpg')]);
      expect(summary(out)).toEqual([IngestStatus.UPDATED]);
      expect(images.resolved.at(-1)!.known).toBeUndefined();
      expect(otherModel.embedded).toHaveLength(1);

      await ingest.ingest([input('inline', 'lamp.jpg')]);
      // An inline image has no URL and no validators.
      expect(Object.keys(index.docs.get('inline')!.images[0]!).sort()).toEqual(['sha256', 'vector']);
    });

    it('does not rewrite bookkeeping of a versioned product (an external version cannot be written twice)', async () => {
      const { index, images, ingest } = setup();
      images.url(URL_A, 'mug.jpg', { etag: '"e1"' });
      await ingest.ingest([fromUrl('v', URL_A, { version: 3 })]);
      images.url(URL_A, 'mug.jpg', { etag: '"e1-gzip"' });
      const [out] = await ingest.ingest([fromUrl('v', URL_A, { version: 3 })]);
      expect(summary([out!])).toEqual([IngestStatus.UNCHANGED]);
      expect([index.callsOf('bulkUpsert').length, index.docs.get('v')!.images[0]!.etag]).toEqual([1, '"e1"']);
    });

    it('treats "not modified" to a plain request as a fault of the source', async () => {
      const { images, ingest } = setup();
      images.resolveIfModified = async () => ({ modified: false });
      await expect(ingest.ingest([fromUrl('a', URL_A)])).rejects.toMatchObject({
        code: 'INTERNAL',
        message: 'Image source answered "not modified" to a plain request',
      });
    });
  });

  it('passes the refresh wish to the store', async () => {
    const { index, ingest } = setup();
    await ingest.ingest([input('a', 'mug.jpg')], { refresh: true });
    expect(index.callsOf('bulkUpsert')[0]![1]).toEqual({ refresh: true });
  });

  it('deletes, and reports an unknown or impossible id as ProductNotFound', async () => {
    const { index, ingest } = setup([storedDoc('d', unit(DIMS, 1))]);
    await expect(ingest.delete('d')).resolves.toBeUndefined();
    expect(index.docs.has('d')).toBe(false);
    await expect(ingest.delete('d')).rejects.toEqual(new ProductNotFoundError('d'));
    const calls = index.callsOf('delete').length;
    await expect(ingest.delete('x'.repeat(129))).rejects.toBeInstanceOf(ProductNotFoundError);
    expect(index.callsOf('delete')).toHaveLength(calls);
    // The longest id an ingest accepts is asked for, with the refresh wish.
    await expect(ingest.delete('x'.repeat(128), { refresh: true })).rejects.toEqual(new ProductNotFoundError('x'.repeat(128)));
    expect(index.callsOf('delete').slice(calls)).toEqual([['x'.repeat(128), { refresh: true }]]);
  });

  it('stores the image digest and a content hash over the canonical product, the digest and the model', async () => {
    const { index, ingest } = setup();
    await ingest.ingest([input('h', 'mug.jpg', { tags: ['b', 'a'], price: 3 })]);
    const stored = index.docs.get('h')!;
    const sha = createHash('sha256').update('mug.jpg').digest('hex');
    const canonical = '{"id":"h","groupId":"h","title":"Product h","price":3,"inStock":true,"tags":["a","b"],"attributes":{}}';
    expect(stored).toEqual({
      id: 'h',
      groupId: 'h',
      title: 'Product h',
      price: 3,
      inStock: true,
      tags: ['a', 'b'],
      attributes: {},
      // Server-written: empty without a label file (tagging is tested in tagging.test.ts).
      predictedAttributes: [],
      predictedTags: [],
      updatedAt: expect.any(String),
      images: [{ vector: unit(DIMS, 1), sha256: sha }],
      contentHash: createHash('sha256').update(`${canonical}\n${sha}\nfake-model@00000000`).digest('hex'),
      modelId: 'fake-model@00000000',
    });
  });

  it('answers a replay of the stored version UNCHANGED (an equal version is not refused up front)', async () => {
    const { index, ingest } = setup();
    await ingest.ingest([input('v', 'mug.jpg', { version: 10 })]);
    const [again] = await ingest.ingest([input('v', 'mug.jpg', { version: 10 })]);
    expect(summary([again!])).toEqual([IngestStatus.UNCHANGED]);
    expect(index.callsOf('bulkUpsert')).toHaveLength(1);
  });

  it('checks versions only when both sides have one', async () => {
    const { index, ingest } = setup([storedDoc('unversioned', unit(DIMS, 1)), storedDoc('versioned', unit(DIMS, 1), { version: 5 })]);
    // Version 2: the store counts the unversioned write as its _version 1, and only a newer external version applies.
    const out = await ingest.ingest([input('unversioned', 'mug.jpg', { version: 2 }), input('versioned', 'lamp.jpg')]);
    expect(summary(out)).toEqual([IngestStatus.UPDATED, IngestStatus.UPDATED]);
    expect([index.docs.get('unversioned')!.version, index.docs.get('versioned')!.version]).toEqual([2, undefined]);
  });

  it('writes nothing when nothing changed or everything failed', async () => {
    const { index, ingest } = setup();
    await ingest.ingest([input('a', 'mug.jpg')]);
    await ingest.ingest([input('a', 'mug.jpg'), input('b', 'unknown-bytes')]);
    expect(index.callsOf('bulkUpsert')).toHaveLength(1);
  });

  it('reports a refused write without a reason as IndexingFailed "unknown"', async () => {
    const { index, ingest } = setup();
    index.bulkUpsert = async (docs) => docs.map((d) => ({ id: d.id, ok: false }));
    expect(await ingest.ingest([input('a', 'mug.jpg')])).toEqual([{ ok: false, id: 'a', error: new IndexingFailedError('a', 'unknown') }]);
  });

  it('fetches and embeds at most 32 images at once (or the call\'s concurrency), and keeps outcomes in input order', async () => {
    const { embedder, images, ingest } = setup();
    images.slow(5);
    const names = Array.from({ length: 40 }, (_, i) => `img-${i}`);
    for (const n of names) embedder.image(n, unit(DIMS, 1));
    const out = await ingest.ingest(names.map((n) => input(n, n)));
    expect(images.mostInFlight).toBe(32);
    expect(out.map((o) => (o.ok ? o.product.id : o.id))).toEqual(names);

    images.mostInFlight = 0;
    const again = await ingest.ingest(names.slice(0, 7).map((n) => input(`${n}-b`, n)), { concurrency: 3 });
    expect(images.mostInFlight).toBe(3);
    expect(again.map((o) => (o.ok ? o.product.id : o.id))).toEqual(names.slice(0, 7).map((n) => `${n}-b`));
  });
});

it('treats ImageInputError from the embedder as the item failing, not the batch', async () => {
  const { ingest } = setup();
  const out = await ingest.ingest([input('a', 'unknown-bytes'), input('b', 'lamp.jpg')]);
  expect(out[0]).toMatchObject({ ok: false, error: expect.any(ImageInputError) });
  expect(out[1]).toMatchObject({ ok: true, status: IngestStatus.CREATED });
});

describe('duplicate check', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  /** A DuplicateCheck that records what it was asked and calls everything a DUPLICATE of 'other'; or fails with `fail`. */
  function recordingCheck(fail?: unknown) {
    const asked: string[][] = [];
    const check: DuplicateCheck = {
      async check(items) {
        asked.push(items.map((i) => `${i.product.id}:${Array.from(i.vector).join(',')}`));
        if (fail !== undefined) throw fail;
        return new Map(items.map((i) => [i.product.id, [{ product: { id: 'other' } as never, relation: 'DUPLICATE' as const, similarity: 0.999 }]]));
      },
    };
    return { asked, check };
  }

  it('checks created and updated products with their new vectors, never unchanged ones', async () => {
    const { index, embedder, images } = setup();
    const { asked, check } = recordingCheck();
    const ingest = new IngestService(index, embedder, images, undefined, check);
    await ingest.ingest([input('a', 'mug.jpg')]);
    const outs = await ingest.ingest([input('a', 'mug.jpg'), input('b', 'lamp.jpg')]);
    expect(asked).toEqual([[`a:${unit(DIMS, 1).join(',')}`], [`b:${unit(DIMS, 0, 2).join(',')}`]]);
    expect(outs.map((o) => (o.ok ? [o.status, o.duplicates?.map((d) => d.product.id)] : null))).toEqual([
      [IngestStatus.UNCHANGED, undefined],
      [IngestStatus.CREATED, ['other']],
    ]);
  });

  it('skips the check when the caller does not want duplicates, and checks when it says so or says nothing', async () => {
    const { index, embedder, images } = setup();
    const { asked, check } = recordingCheck();
    const ingest = new IngestService(index, embedder, images, undefined, check);
    const [skipped] = await ingest.ingest([input('a', 'mug.jpg')], { checkDuplicates: false });
    expect(skipped!.ok && [skipped.status, skipped.duplicates]).toEqual([IngestStatus.CREATED, undefined]);
    expect(asked).toEqual([]);
    expect(index.docs.has('a')).toBe(true);
    const [asked1] = await ingest.ingest([input('b', 'lamp.jpg')], { checkDuplicates: true });
    const [byDefault] = await ingest.ingest([input('c', 'mug-v2.jpg')]);
    expect([asked1, byDefault].map((o) => o!.ok && o.duplicates?.map((d) => d.product.id))).toEqual([['other'], ['other']]);
    expect(asked.map((a) => a[0]!.split(':')[0])).toEqual(['b', 'c']);
  });

  it('does not ask about a write that only refreshes fetch validators', async () => {
    const { index, embedder, images } = setup();
    const { asked, check } = recordingCheck();
    const ingest = new IngestService(index, embedder, images, undefined, check);
    images.url('https://cdn.example/a.jpg', 'mug.jpg', { etag: '"e1"' });
    await ingest.ingest([input('a', '', { image: { url: 'https://cdn.example/a.jpg' } })]);
    images.url('https://cdn.example/a.jpg', 'mug.jpg', { etag: '"e1-gzip"' });
    const [out] = await ingest.ingest([input('a', '', { image: { url: 'https://cdn.example/a.jpg' } })]);
    expect(out!.ok && [out.status, out.duplicates]).toEqual([IngestStatus.UNCHANGED, undefined]);
    expect(index.callsOf('bulkUpsert')).toHaveLength(2);
    expect(asked).toEqual([[`a:${unit(DIMS, 1).join(',')}`]]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('writes anyway when the check fails, leaving the outcomes unchecked, and logs the failure once per call', async () => {
    const { index, embedder, images } = setup();
    const ingest = new IngestService(index, embedder, images, undefined, recordingCheck(new AppError('SEARCH_BACKEND_UNAVAILABLE', 'down')).check);
    await ingest.ingest([input('a', 'mug.jpg')]);
    warn.mockClear();
    const outs = await ingest.ingest([input('a', 'mug.jpg'), input('b', 'lamp.jpg'), input('c', 'mug-v2.jpg')]);
    expect(outs.map((o) => o.ok && [o.status, o.duplicates])).toEqual([
      [IngestStatus.UNCHANGED, undefined],
      [IngestStatus.CREATED, undefined],
      [IngestStatus.CREATED, undefined],
    ]);
    expect([...index.docs.keys()]).toEqual(['a', 'b', 'c']);
    // The two products it was asked about, not the unchanged one.
    expect(warn.mock.calls).toEqual([['duplicate check at ingest failed', { error: 'down', products: 2 }]]);
  });

  it('logs a failure that is not an Error by its text', async () => {
    const { index, embedder, images } = setup();
    const ingest = new IngestService(index, embedder, images, undefined, recordingCheck('socket hang up').check);
    const [out] = await ingest.ingest([input('a', 'mug.jpg')]);
    expect(out!.ok && [out.status, out.duplicates]).toEqual([IngestStatus.CREATED, undefined]);
    expect(warn.mock.calls).toEqual([['duplicate check at ingest failed', { error: 'socket hang up', products: 1 }]]);
  });
});

describe('IngestService with several images', () => {
  const many = (id: string, names: string[], extra: Partial<ProductInput> = {}): ProductInput => ({
    id,
    title: `Product ${id}`,
    images: names.map(inlineImage),
    ...extra,
  });

  it('embeds each image once, stores them in order, and answers a replay UNCHANGED', async () => {
    const { index, embedder, ingest } = setup();
    const [first] = await ingest.ingest([many('a', ['mug.jpg', 'lamp.jpg'])]);
    const [again] = await ingest.ingest([many('a', ['mug.jpg', 'lamp.jpg'])]);
    expect(summary([first!, again!])).toEqual([IngestStatus.CREATED, IngestStatus.UNCHANGED]);
    expect(embedder.embedded.map((e) => e.key)).toEqual(['mug.jpg', 'lamp.jpg']);
    expect(index.docs.get('a')!.images.map((i) => i.vector[0])).toEqual([1, 0]);
  });

  it('embeds only the images whose bytes are new; reordering embeds nothing but is a change', async () => {
    const { index, embedder, ingest } = setup();
    await ingest.ingest([many('a', ['mug.jpg', 'lamp.jpg'])]);
    embedder.embedded.length = 0;
    const [added] = await ingest.ingest([many('a', ['lamp.jpg', 'mug-v2.jpg', 'mug.jpg'])]);
    expect(summary([added!])).toEqual([IngestStatus.UPDATED]);
    expect(embedder.embedded.map((e) => e.key)).toEqual(['mug-v2.jpg']);
    const [reordered] = await ingest.ingest([many('a', ['mug.jpg', 'lamp.jpg', 'mug-v2.jpg'])]);
    expect(summary([reordered!])).toEqual([IngestStatus.UPDATED]);
    expect(embedder.embedded).toHaveLength(1);
    expect(index.docs.get('a')!.images.map((i) => i.vector[0])).toEqual([1, 0, Math.fround(0.5)]);
  });

  it('treats `image` as a one-image shorthand: the same product either way', async () => {
    const { index, ingest } = setup();
    await ingest.ingest([input('a', 'mug.jpg')]);
    const [same] = await ingest.ingest([many('a', ['mug.jpg'])]);
    expect(summary([same!])).toEqual([IngestStatus.UNCHANGED]);
    expect(index.docs.get('a')!.images).toHaveLength(1);
  });

  it('keeps each image URL, and defaults imageUrl to the first', async () => {
    const { index, images, ingest } = setup();
    images.url('https://cdn.example/1.jpg', 'mug.jpg').url('https://cdn.example/2.jpg', 'lamp.jpg');
    await ingest.ingest([{ id: 'u', title: 'U', images: [{ url: 'https://cdn.example/1.jpg' }, { url: 'https://cdn.example/2.jpg' }] }]);
    const d = index.docs.get('u')!;
    expect([d.imageUrl, d.images.map((i) => i.url)]).toEqual(['https://cdn.example/1.jpg', ['https://cdn.example/1.jpg', 'https://cdn.example/2.jpg']]);
  });

  it('refuses both image and images, neither, and more than the configured maximum', async () => {
    const index = new InMemoryProductIndex();
    const embedder = new FakeEmbedder('fake-model@00000000', DIMS).image('mug.jpg', unit(DIMS, 1));
    const ingest = new IngestService(index, embedder, new FakeImageSource(), { maxImages: 2 });
    const out = await ingest.ingest([
      { id: 'both', title: 'B', image: inlineImage('mug.jpg'), images: [inlineImage('mug.jpg')] },
      { id: 'none', title: 'N' },
      many('three', ['mug.jpg', 'mug.jpg', 'mug.jpg']),
      many('two', ['mug.jpg', 'mug.jpg']),
    ]);
    expect(out.map((o) => (o.ok ? o.status : [o.error.code, (o.error as InvalidInputError).field, o.error.message]))).toEqual([
      ['INVALID_INPUT', 'images', 'Give exactly one of image (one image) or images (several)'],
      ['INVALID_INPUT', 'images', 'Give exactly one of image (one image) or images (several)'],
      ['INVALID_INPUT', 'images', 'A product has at most 2 images; 3 were given'],
      IngestStatus.CREATED,
    ]);
    expect(embedder.embedded).toHaveLength(1);
  });

  it('copies stored documents through today\'s table without embedding, so a replay is UNCHANGED', async () => {
    const source = new InMemoryProductIndex();
    const { embedder, ingest } = setup();
    const legacy = { ...storedDoc('old', unit(DIMS, 1), { title: 'Old', updatedAt: '2020-01-01T00:00:00.000Z', contentHash: 'v1-hash' }) };
    delete (legacy as Partial<typeof legacy>).groupId;
    const copier = new IngestService(source, embedder, new FakeImageSource());
    expect(summary(await copier.copy([legacy]))).toEqual([IngestStatus.CREATED]);
    const copied = source.docs.get('old')!;
    expect([copied.groupId, copied.updatedAt, copied.images, embedder.embedded]).toEqual(['old', '2020-01-01T00:00:00.000Z', legacy.images, []]);
    // The copy's hash is the one ingest computes: replaying the catalog input changes nothing.
    const replay = new IngestService(source, new FakeEmbedder().image('mug.jpg', unit(DIMS, 1)), new FakeImageSource());
    const sameImage = { ...copied.images[0]!, sha256: createHash('sha256').update('mug.jpg').digest('hex') };
    source.docs.set('old', { ...copied, images: [sameImage] });
    await copier.copy([source.docs.get('old')!]);
    expect(summary(await replay.ingest([input('old', 'mug.jpg', { title: 'Old' })]))).toEqual([IngestStatus.UNCHANGED]);
    void ingest;
  });
});
