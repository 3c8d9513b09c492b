import 'reflect-metadata';
import type { RowFailure } from '../../../src/feeds/error-report';
import { FeedImportService } from '../../../src/feeds/feed-import.service';
import { openFeed } from '../../../src/feeds/feed-reader';
import { recordToInput } from '../../../src/feeds/to-product-input';
import { IngestService } from '../../../src/ingest/ingest.service';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, unit } from '../../support/fakes';
import { memorySource } from '../../support/feed-source';

/** FeedImportService over the real IngestService with in-memory fakes: what is written, counted and reported. */
const DIMS = 4;
const HEADER = 'id\ttitle\timage_link\tprice\tavailability\tproduct_type\tlink';
const line = (id: string, title: string, image: string, price = '5.00 USD') => `${id}\t${title}\t${image}\t${price}\tin_stock\tShop > mug\t/p/${id}`;

function setup() {
  const index = new InMemoryProductIndex();
  const embedder = new FakeEmbedder('fake-model@00000000', DIMS).image('A', unit(DIMS, 1)).image('B', unit(DIMS, 0.5));
  const images = new FakeImageSource()
    .url('https://cdn.example/a.jpg', 'A', { etag: '"a"' })
    .url('https://cdn.example/b.jpg', 'B', { etag: '"b"' })
    .url('https://cdn.example/junk.jpg', 'not an image');
  const ingest = new IngestService(index, embedder, images);
  return { index, embedder, images, importer: new FeedImportService(ingest) };
}

async function run(importer: FeedImportService, text: string, o: Parameters<FeedImportService['run']>[1] = {}) {
  const failures: RowFailure[] = [];
  const feed = await openFeed(memorySource(text, 'feed.tsv'));
  const summary = await importer.run(feed.rows, { batchSize: 2, onFailure: (f) => void failures.push(f), baseUrl: 'https://shop.example/', ...o });
  return { summary, failures };
}

const FEED = [
  HEADER,
  line('a', 'Mug A', 'https://cdn.example/a.jpg'),
  line('b', 'Mug B', 'https://cdn.example/b.jpg'),
  line('bad-price', 'Mug', 'https://cdn.example/a.jpg', '12,50 EUR'),
  line('a', 'Mug A again', 'https://cdn.example/b.jpg'),
  line('gone', 'Mug', 'https://cdn.example/404.jpg'),
  line('junk', 'Mug', 'https://cdn.example/junk.jpg'),
  line('bad id', 'Mug', 'https://cdn.example/a.jpg'),
].join('\n');

describe('FeedImportService', () => {
  it('writes the good rows, reports every other row once with its code, and counts both', async () => {
    const { index, importer } = setup();
    const { summary, failures } = await run(importer, FEED);
    expect(summary).toMatchObject({ done: 7, read: 7, created: 2, updated: 0, unchanged: 0, failed: 5, interrupted: false });
    expect(summary.byCode).toEqual({ INVALID_PRICE: 1, DUPLICATE_ID: 1, IMAGE_FETCH_FAILED: 1, IMAGE_UNDECODABLE: 1, INVALID_VALUE: 1 });
    expect(failures.map((f) => [f.row, f.line, f.id, f.code]).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual([
      [3, 4, 'bad-price', 'INVALID_PRICE'],
      [4, 5, 'a', 'DUPLICATE_ID'],
      [5, 6, 'gone', 'IMAGE_FETCH_FAILED'],
      [6, 7, 'junk', 'IMAGE_UNDECODABLE'],
      [7, 8, 'bad id', 'INVALID_VALUE'],
    ]);
    expect(failures.find((f) => f.id === 'bad id')!.message).toBe(
      'id must be 1-128 characters of letters, digits and . _ : - /, starting with a letter or digit',
    );
    // Nothing half-written: only the two good rows exist, the first "a" won, the relative link was resolved.
    expect([...index.docs.keys()].sort()).toEqual(['a', 'b']);
    expect(index.docs.get('a')).toMatchObject({ title: 'Mug A', category: 'mug', attributes: { link: 'https://shop.example/p/a' } });
    expect(index.docs.get('a')!.images[0]!.etag).toBe('"a"');
  });

  it('re-runs an unchanged feed with conditional fetches only: all UNCHANGED, nothing embedded or written', async () => {
    const { index, embedder, images, importer } = setup();
    const feed = [HEADER, line('a', 'Mug A', 'https://cdn.example/a.jpg'), line('b', 'Mug B', 'https://cdn.example/b.jpg')].join('\n');
    await run(importer, feed);
    const writes = index.callsOf('bulkUpsert').length;
    images.resolved.length = 0;
    const { summary } = await run(importer, feed);
    expect(summary).toMatchObject({ created: 0, updated: 0, unchanged: 2, failed: 0 });
    expect(images.resolved.map((r) => r.notModified)).toEqual([true, true]);
    expect([embedder.embedded.length, index.callsOf('bulkUpsert').length]).toEqual([2, writes]);
  });

  it('imports a product with more images than allowed with the first ones, and notes it in the report without failing it', async () => {
    const { index, importer } = setup();
    const feed = ['id\ttitle\timage_link\tadditional_image_link\tprice', 'm\tMug\thttps://cdn.example/a.jpg\thttps://cdn.example/b.jpg,https://cdn.example/junk.jpg\t1.00 USD'].join('\n');
    const { summary, failures } = await run(importer, feed, { maxImages: 2 });
    expect(summary).toMatchObject({ created: 1, failed: 0 });
    expect(failures).toEqual([{ row: 1, line: 2, id: 'm', code: 'IMAGES_DROPPED', message: 'Imported with the first 2 of its 3 images (PRODUCT_MAX_IMAGES)' }]);
    expect(index.docs.get('m')!.images.map((i) => i.url)).toEqual(['https://cdn.example/a.jpg', 'https://cdn.example/b.jpg']);
  });

  it('dry run: validates and counts, writes and fetches nothing, and applies the offline URL check', async () => {
    const { index, images, importer } = setup();
    const { summary, failures } = await run(importer, FEED, {
      dryRun: true,
      checkImageUrl: (url) => (url.includes('junk') ? 'Image URL refused: host is not on the allowed image hosts list' : undefined),
    });
    expect(summary).toMatchObject({ done: 7, valid: 3, failed: 4, created: 0 });
    expect(failures.map((f) => f.code)).toEqual(['INVALID_PRICE', 'DUPLICATE_ID', 'IMAGE_URL_FORBIDDEN', 'INVALID_VALUE']);
    expect([index.calls.length, images.resolved.length]).toEqual([0, 0]);
  });

  it('stops reading when asked, keeps what the batches in flight wrote, and says it was interrupted', async () => {
    const { index, importer } = setup();
    const stop = new AbortController();
    const many = [HEADER, ...Array.from({ length: 20 }, (_, i) => line(`p${i}`, 'Mug', 'https://cdn.example/a.jpg'))].join('\n');
    const { summary } = await run(importer, many, {
      stop: stop.signal,
      onProgress: (s) => {
        if (s.done >= 4) stop.abort();
      },
    });
    expect(summary.interrupted).toBe(true);
    expect(summary.created).toBe(index.docs.size);
    expect(index.docs.size).toBeGreaterThanOrEqual(4);
    expect(index.docs.size).toBeLessThan(20);
  });

  it('a fault (the store is down) ends the run with that fault after the batches in flight settle', async () => {
    const { index, importer } = setup();
    index.getDocuments = async () => {
      throw Object.assign(new Error('Elasticsearch is unreachable'), { code: 'SEARCH_BACKEND_UNAVAILABLE' });
    };
    const feed = await openFeed(memorySource([HEADER, line('a', 'Mug A', 'https://cdn.example/a.jpg')].join('\n'), 'f.tsv'));
    await expect(importer.run(feed.rows)).rejects.toMatchObject({ code: 'SEARCH_BACKEND_UNAVAILABLE' });
  });
});

describe('recordToInput', () => {
  const record = { id: 'r1', title: 'T', tags: [], attributes: {}, additionalImageUrls: [], imageUrl: 'img/r1.jpg' };

  it('resolves relative URLs against the base, and refuses them without one', () => {
    expect(recordToInput(record, { baseUrl: 'https://cdn.example/shop/' }).input).toMatchObject({
      images: [{ url: 'https://cdn.example/shop/img/r1.jpg' }],
      inStock: undefined,
    });
    expect(recordToInput(record).problems).toEqual([
      { code: 'INVALID_VALUE', message: 'image URL "img/r1.jpg" is relative; pass --image-base-url to resolve it' },
    ]);
  });

  it('reports empty required fields and the API input bounds', () => {
    expect(recordToInput({ ...record, title: undefined, imageUrl: undefined }).problems.map((p) => p.message)).toEqual(['title is empty', 'image is empty']);
    const long = recordToInput({ ...record, imageUrl: 'https://x/a.jpg', title: 'x'.repeat(501), attributes: { '': 'v' } });
    expect(long.problems).toEqual([
      { code: 'INVALID_VALUE', message: 'title must be shorter than or equal to 500 characters; key must be longer than or equal to 1 characters' },
    ]);
  });

  it('gives the ingest every image (main first, each once), the group, and the feed it came from', () => {
    const out = recordToInput(
      { ...record, imageUrl: 'https://x/1.jpg', additionalImageUrls: ['https://x/2.jpg', 'https://x/1.jpg', '3.jpg'], groupId: 'g' },
      { baseUrl: 'https://x/', feedName: 'shop.example/feed.xml' },
    );
    expect(out).toEqual({
      problems: [],
      notes: undefined,
      input: {
        id: 'r1',
        groupId: 'g',
        title: 'T',
        description: undefined,
        brand: undefined,
        category: undefined,
        color: undefined,
        price: undefined,
        currency: undefined,
        inStock: undefined,
        tags: [],
        attributes: { feed_source: 'shop.example/feed.xml' },
        version: undefined,
        image: null,
        images: ['https://x/1.jpg', 'https://x/2.jpg', 'https://x/3.jpg'].map((url) => expect.objectContaining({ url })),
      },
    });
  });

  it('keeps the first PRODUCT_MAX_IMAGES images with a note, and refuses a row with a bad extra image', () => {
    const many = { ...record, imageUrl: 'https://x/0.jpg', additionalImageUrls: ['https://x/1.jpg', 'https://x/2.jpg', 'https://x/3.jpg'] };
    const out = recordToInput(many, { maxImages: 2 });
    expect(out.input!.images!.map((i) => i.url)).toEqual(['https://x/0.jpg', 'https://x/1.jpg']);
    expect(out.notes).toEqual([{ code: 'IMAGES_DROPPED', message: 'Imported with the first 2 of its 4 images (PRODUCT_MAX_IMAGES)' }]);
    expect(recordToInput({ ...many, additionalImageUrls: ['rel.jpg'] }).problems).toEqual([
      { code: 'INVALID_VALUE', message: 'image 2 URL "rel.jpg" is relative; pass --image-base-url to resolve it' },
    ]);
  });
});
