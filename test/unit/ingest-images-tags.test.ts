import { createHash } from 'node:crypto';
import { IngestStatus, type Product, type ProductInput } from '../../src/catalog/product';
import { IngestService, type IngestOutcome } from '../../src/ingest/ingest.service';
import type { ProductTagger, ProductTags } from '../../src/tagging/tagger';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, inlineImage, storedDoc, unit } from '../support/fakes';

/**
 * IngestService against in-memory fakes: the in-flight bound with several images per product, which stored
 * documents count as usable, image URLs as stored, and tags at ingest and copy (ingest.service.test.ts has the rest).
 */
const DIMS = 4;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const summary = (outcomes: IngestOutcome[]) => outcomes.map((o) => (o.ok ? o.status : o.error.constructor.name));

function setup(docs: ReturnType<typeof storedDoc>[] = [], tagger?: ProductTagger) {
  const index = new InMemoryProductIndex(docs);
  const embedder = new FakeEmbedder('fake-model@00000000', DIMS).image('mug.jpg', unit(DIMS, 1)).image('lamp.jpg', unit(DIMS, 0, 2));
  const images = new FakeImageSource();
  return { index, embedder, images, ingest: new IngestService(index, embedder, images, undefined, undefined, tagger) };
}

const many = (id: string, names: string[], extra: Partial<ProductInput> = {}): ProductInput => ({
  id,
  title: `Product ${id}`,
  images: names.map(inlineImage),
  ...extra,
});

/** A tagger whose tags name the vector's first component, so a test sees which vector was tagged; records its calls. */
function fakeTagger(version: string) {
  const calls: { vector: number[]; title: string }[] = [];
  const tagger: ProductTagger = {
    version,
    tag(imageVector: ArrayLike<number>, product: Product): ProductTags {
      calls.push({ vector: Array.from(imageVector), title: product.title });
      const v = String(imageVector[0]);
      return {
        predictedAttributes: [{ name: 'first', value: v, confidence: 0.75 }],
        predictedTags: [`first:${v}`],
        attributeConflicts: [],
        tagsVersion: version,
      };
    },
  };
  return { tagger, calls };
}

describe('IngestService: images in flight with several images per product', () => {
  /** Runs `products` inputs of `perProduct` distinct images each and answers the most image fetches in flight at once. */
  async function mostInFlight(products: number, perProduct: number, concurrency?: number): Promise<[number, string[]]> {
    const { embedder, images, ingest } = setup();
    images.slow(5);
    const inputs = Array.from({ length: products }, (_, p) => {
      const names = Array.from({ length: perProduct }, (_, i) => `p${p}-i${i}`);
      for (const n of names) embedder.image(n, unit(DIMS, 1));
      return many(`p${p}`, names);
    });
    const out = await ingest.ingest(inputs, concurrency !== undefined ? { concurrency } : {});
    return [images.mostInFlight, summary(out)];
  }

  it('runs as many products side by side as keep the images within the bound: the widest product decides', async () => {
    // 32 / 3 images = 10 products at once, 30 images.
    const [most, statuses] = await mostInFlight(14, 3);
    expect(most).toBe(30);
    expect(statuses).toEqual(Array(14).fill(IngestStatus.CREATED));
    // Concurrency 6 / 3 images = 2 products, 6 images.
    expect((await mostInFlight(5, 3, 6))[0]).toBe(6);
  });

  it('still runs one product at a time when a product has more images than the bound', async () => {
    const [most, statuses] = await mostInFlight(3, 3, 2);
    expect(most).toBe(3);
    expect(statuses).toEqual(Array(3).fill(IngestStatus.CREATED));
  });
});

describe('IngestService: which stored documents it reuses', () => {
  it('reuses no vector of a stored document in which any image lacks one', async () => {
    // The first image has its vector, the second not (a shadow copy half done): neither is trusted.
    const { index, embedder, ingest } = setup([
      storedDoc('a', unit(DIMS, 1), {
        images: [
          { vector: unit(DIMS, 1), sha256: sha256('mug.jpg') },
          { vector: [], sha256: sha256('lamp.jpg') },
        ],
      }),
    ]);
    const [out] = await ingest.ingest([many('a', ['mug.jpg', 'lamp.jpg'])]);
    expect(summary([out!])).toEqual([IngestStatus.UPDATED]);
    expect(embedder.embedded.map((e) => e.key)).toEqual(['mug.jpg', 'lamp.jpg']);
    expect(index.docs.get('a')!.images.map((img) => img.vector)).toEqual([unit(DIMS, 1), unit(DIMS, 0, 2)]);
  });

  it('reuses the vectors of a stored document whose every image has one', async () => {
    const { index, embedder, ingest } = setup([
      storedDoc('a', unit(DIMS, 1), {
        images: [
          { vector: unit(DIMS, 1), sha256: sha256('mug.jpg') },
          { vector: unit(DIMS, 0, 2), sha256: sha256('lamp.jpg') },
        ],
      }),
    ]);
    const [out] = await ingest.ingest([many('a', ['lamp.jpg', 'mug.jpg'])]);
    expect(summary([out!])).toEqual([IngestStatus.UPDATED]);
    expect(embedder.embedded).toEqual([]);
    expect(index.docs.get('a')!.images.map((img) => img.vector)).toEqual([unit(DIMS, 0, 2), unit(DIMS, 1)]);
  });
});

describe('IngestService: image URLs', () => {
  it('stores an image URL without surrounding blanks, and fetches conditionally under it next time', async () => {
    const { index, images, ingest } = setup();
    images.url('  https://cdn.example/a.jpg \n', 'mug.jpg', { etag: '"e1"' });
    const ref = { url: '  https://cdn.example/a.jpg \n' };
    await ingest.ingest([{ id: 'a', title: 'A', image: ref }]);
    expect(index.docs.get('a')!.images.map((img) => [img.url, img.etag])).toEqual([['https://cdn.example/a.jpg', '"e1"']]);
    const [again] = await ingest.ingest([{ id: 'a', title: 'A', image: ref }]);
    expect(summary([again!])).toEqual([IngestStatus.UNCHANGED]);
    expect(images.resolved.map((r) => [r.known, r.notModified])).toEqual([
      [undefined, false],
      [{ etag: '"e1"', lastModified: undefined }, true],
    ]);
  });

  it('refreshes the validators when only the second of two images comes back under a new ETag (same bytes)', async () => {
    const { index, embedder, images, ingest } = setup();
    const A = 'https://cdn.example/a.jpg';
    const B = 'https://cdn.example/b.jpg';
    images.url(A, 'mug.jpg', { etag: '"a1"' }).url(B, 'lamp.jpg', { etag: '"b1"' });
    const product = { id: 'a', title: 'A', images: [{ url: A }, { url: B }] };
    await ingest.ingest([product]);
    const before = index.docs.get('a')!;
    images.url(B, 'lamp.jpg', { etag: '"b1-gzip"' });
    const [again] = await ingest.ingest([product]);
    expect(summary([again!])).toEqual([IngestStatus.UNCHANGED]);
    expect(embedder.embedded).toHaveLength(2);
    expect(index.callsOf('bulkUpsert')).toHaveLength(2);
    expect(index.docs.get('a')).toEqual({ ...before, images: [before.images[0], { ...before.images[1]!, etag: '"b1-gzip"' }] });
  });

  it('stores no URL for a blank one', async () => {
    const { index, images, ingest } = setup();
    images.url('   ', 'mug.jpg', { etag: '"e1"' });
    await ingest.ingest([{ id: 'a', title: 'A', image: { url: '   ' } }]);
    expect(index.docs.get('a')!.images).toEqual([{ vector: unit(DIMS, 1), sha256: sha256('mug.jpg'), etag: '"e1"' }]);
  });
});

describe('IngestService: tags', () => {
  it('tags a product from its first image at ingest, and a new tagger version makes a replay UPDATED', async () => {
    const v1 = fakeTagger('labels-1');
    const { index, embedder, images, ingest } = setup([], v1.tagger);
    const [created] = await ingest.ingest([many('a', ['lamp.jpg', 'mug.jpg'])]);
    expect(v1.calls).toEqual([{ vector: unit(DIMS, 0, 2), title: 'Product a' }]);
    const d = index.docs.get('a')!;
    expect([d.predictedTags, d.tagsVersion]).toEqual([['first:0'], 'labels-1']);
    const [replay] = await ingest.ingest([many('a', ['lamp.jpg', 'mug.jpg'])]);

    const v2 = fakeTagger('labels-2');
    const [retagged] = await new IngestService(index, embedder, images, undefined, undefined, v2.tagger).ingest([many('a', ['lamp.jpg', 'mug.jpg'])]);
    expect(summary([created!, replay!, retagged!])).toEqual([IngestStatus.CREATED, IngestStatus.UNCHANGED, IngestStatus.UPDATED]);
    expect(index.docs.get('a')!.tagsVersion).toBe('labels-2');
    expect(embedder.embedded.map((e) => e.key)).toEqual(['lamp.jpg', 'mug.jpg']);
  });

  it('copies tags of the current version as stored, re-tags others from the first vector, and leaves a document without vectors untagged', async () => {
    const { tagger, calls } = fakeTagger('labels-2');
    const target = new InMemoryProductIndex();
    const copier = new IngestService(target, new FakeEmbedder(), new FakeImageSource(), undefined, undefined, tagger);
    const stale = { predictedAttributes: [{ name: 'old', value: 'x', confidence: 0.5 }], predictedTags: ['old:x'], attributeConflicts: [] };
    const docs = [
      storedDoc('current', unit(DIMS, 1), { ...stale, tagsVersion: 'labels-2' }),
      storedDoc('older', unit(DIMS, 0, 2), { ...stale, tagsVersion: 'labels-1', title: 'Older' }),
      storedDoc('untagged', unit(DIMS, 1)),
      storedDoc('no-vector', [], { ...stale, tagsVersion: 'labels-1' }),
    ];
    expect(summary(await copier.copy(docs))).toEqual(Array(4).fill(IngestStatus.CREATED));
    expect(calls).toEqual([
      { vector: unit(DIMS, 0, 2), title: 'Older' },
      { vector: unit(DIMS, 1), title: 'Product untagged' },
    ]);
    const tagsOf = (id: string) => {
      const d = target.docs.get(id)!;
      return [d.predictedTags, d.tagsVersion];
    };
    expect(['current', 'older', 'untagged', 'no-vector'].map(tagsOf)).toEqual([
      [['old:x'], 'labels-2'],
      [['first:0'], 'labels-2'],
      [['first:1'], 'labels-2'],
      [['old:x'], 'labels-1'],
    ]);
  });

  it('copies tags as stored when no tagger is configured', async () => {
    const target = new InMemoryProductIndex();
    const copier = new IngestService(target, new FakeEmbedder(), new FakeImageSource());
    const tags = { predictedAttributes: [{ name: 'old', value: 'x', confidence: 0.5 }], predictedTags: ['old:x'], attributeConflicts: [], tagsVersion: 'labels-1' };
    await copier.copy([storedDoc('a', unit(DIMS, 1), tags)]);
    const d = target.docs.get('a')!;
    expect([d.predictedAttributes, d.predictedTags, d.attributeConflicts, d.tagsVersion]).toEqual([
      tags.predictedAttributes,
      tags.predictedTags,
      [],
      'labels-1',
    ]);
  });
});
