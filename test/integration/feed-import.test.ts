/**
 * `npm run import` end to end, in-process: feeds in every format generated from the synthetic catalog, served with
 * their images by a loopback fixture server that behaves like a CDN (ETag, Last-Modified, 304) and misbehaves on
 * request; real Elasticsearch, the real model. The fixture is reachable only through the test allowlist
 * (IMAGE_FETCH_ALLOW_PRIVATE=127.0.0.1/32); the SSRF guard is on for everything else.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ProductRecord } from '../../tools/synth/catalog';
import sharp from 'sharp';
import { groupOf, merchantFields, type FeedKind } from '../../tools/synth/feeds';
import type { FixtureProduct } from '../support/catalog';
import { dropAlias, ES_URL } from '../support/es';
import type { FeedFixtureServer } from '../support/feed-fixture-server';
import { openFeedShop, type FeedShop } from '../support/feed-shop';
import { importFeed } from '../support/import-harness';
import { ElasticsearchProductIndex } from '../../src/search/elasticsearch/elasticsearch.adapter';

const N = 16;
const aliases: string[] = [];
function alias(name: string): string {
  const a = `test-feed-${name}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
  aliases.push(a);
  return a;
}
const connect = (a: string) => ElasticsearchProductIndex.connect({ url: ES_URL, indexAlias: a, requestTimeoutMs: 30_000, maxRetries: 1 });

let catalog: FixtureProduct[];
let records: ProductRecord[];
let served: Map<string, Buffer>;
let alts: Map<string, Buffer>;
let cdn: FeedFixtureServer;
let urls: FeedShop['urls'];
let feed: (kind: FeedKind, only?: readonly ProductRecord[]) => string;
let tmp: string;

beforeAll(async () => {
  ({ catalog, records, served, alts, cdn, urls, feed } = await openFeedShop(2024, N, { slowMs: 2000, flakyFailures: 2, distinctAltImages: true }));
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'feed-import-'));
});

afterAll(async () => {
  await cdn.close();
  for (const a of aliases) await dropAlias(a);
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('import of each format', () => {
  const merchant = alias('merchant');

  it('Merchant Center TSV: every product created with its three images and its group, stored as the feed says', async () => {
    const run = await importFeed(merchant, [feed('merchant.tsv'), '--progress-every-ms', '100', '--feed-name', 'shop']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain(`(merchant-tsv): ${N} rows in`);
    expect(run.stdout).toContain(`created ${N}, updated 0, unchanged 0, failed 0`);
    expect(run.stdout).toContain(`images: ${3 * N} downloaded`);
    expect(run.stdout).toMatch(/^import: 16 rows [\d.]+ rows\/s \| created 16 updated 0 unchanged 0 failed 0$/m);

    const r = records[0]!;
    const index = connect(merchant);
    const stored = (await index.getMany([r.id])).get(r.id)!;
    const doc = (await index.getDocuments([r.id])).get(r.id)!;
    await index.close();
    expect(doc.images.map((i) => [i.url, i.etag !== undefined, i.vector.length > 0])).toEqual(
      [urls.image(r), urls.altImage(r, 1), urls.altImage(r, 2)].map((u) => [u, true, true]),
    );
    expect(new Set(doc.images.map((i) => i.sha256)).size).toBe(3);
    expect(stored).toEqual({
      id: r.id,
      groupId: groupOf(r),
      title: r.title,
      description: r.description,
      brand: r.brand,
      category: r.category,
      color: r.color,
      price: r.price,
      currency: 'USD',
      inStock: r.inStock,
      tags: [r.attributes.style],
      attributes: {
        feed_source: 'shop',
        google_product_category: '5181',
        link: urls.page(r),
        material: r.attributes.material,
        pattern: r.pattern,
        product_type: `Catalog > ${r.category}`,
      },
      imageUrl: urls.image(r),
      version: undefined,
      // What the model reads off the image (zero-shot tagging) is tested in zero-shot-tagging.test.ts.
      predictedAttributes: expect.any(Array),
      predictedTags: expect.any(Array),
      updatedAt: expect.any(String),
    });
  });

  it('the same catalog as Merchant Center XML (repeated image elements) is the same products: all unchanged, every image a 304', async () => {
    cdn.resetStats();
    const run = await importFeed(merchant, [feed('merchant.xml'), '--feed-name', 'shop']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`created 0, updated 0, unchanged ${N}, failed 0`);
    expect(run.stdout).toContain(`images: 0 downloaded (0.0 MB), ${3 * N} not modified (304), 0 retries`);
    expect([cdn.stats.byStatus, cdn.stats.imageBytes]).toEqual([{ 304: 3 * N }, 0]);
  });

  it('a changed third image is the only download and the only embedding; the other images keep their vectors', async () => {
    const index = connect(merchant);
    const target = records[5]!;
    const before = (await index.getDocuments([target.id])).get(target.id)!;
    const changed = await sharp(catalog[5]!.jpeg).rotate(180).jpeg().toBuffer();
    const original = alts.get(`${target.id}-2`)!;
    alts.set(`${target.id}-2`, changed);
    cdn.resetStats();
    try {
      const run = await importFeed(merchant, [feed('merchant.tsv'), '--feed-name', 'shop']);
      expect(run.stdout).toContain(`created 0, updated 1, unchanged ${N - 1}, failed 0`);
      expect([cdn.stats.byStatus, cdn.stats.imageBytes]).toEqual([{ 200: 1, 304: 3 * N - 1 }, changed.length]);
      const after = (await index.getDocuments([target.id])).get(target.id)!;
      expect(after.images.slice(0, 2)).toEqual(before.images.slice(0, 2));
      expect(after.images[2]!.url).toBe(before.images[2]!.url);
      expect(after.images[2]!.sha256).not.toBe(before.images[2]!.sha256);
      expect(after.images[2]!.vector).not.toEqual(before.images[2]!.vector);
    } finally {
      alts.set(`${target.id}-2`, original);
      await index.close();
    }
    // Back to the original bytes: one download again, the rest 304.
    cdn.resetStats();
    const back = await importFeed(merchant, [feed('merchant.tsv'), '--feed-name', 'shop']);
    expect(back.stdout).toContain(`created 0, updated 1, unchanged ${N - 1}, failed 0`);
    expect(cdn.stats.byStatus).toEqual({ 200: 1, 304: 3 * N - 1 });
  });

  it('a changed image behind the same URL is downloaded and embedded again; nothing else is', async () => {
    const index = connect(merchant);
    const target = records[3]!;
    const before = (await index.getDocuments([target.id])).get(target.id)!;
    served.set(target.id, catalog[4]!.jpeg);
    cdn.resetStats();
    try {
      const run = await importFeed(merchant, [feed('merchant.tsv'), '--feed-name', 'shop']);
      expect(run.stdout).toContain(`created 0, updated 1, unchanged ${N - 1}, failed 0`);
      expect([cdn.stats.byStatus, cdn.stats.imageBytes]).toEqual([{ 200: 1, 304: 3 * N - 1 }, catalog[4]!.jpeg.length]);
      const after = (await index.getDocuments([target.id])).get(target.id)!;
      const neighbour = (await index.getDocuments([records[4]!.id])).get(records[4]!.id)!;
      const [a, n, b] = [after.images[0]!, neighbour.images[0]!, before.images[0]!];
      expect(a.sha256).toBe(n.sha256);
      // Embedded in another micro-batch than the neighbour's, so equal up to float rounding.
      const cos = a.vector.reduce((acc, x, i) => acc + x * n.vector[i]!, 0);
      expect(cos).toBeGreaterThan(0.9999);
      expect(a.vector).not.toEqual(b.vector);
      expect(a.sha256).not.toBe(b.sha256);
    } finally {
      served.set(target.id, catalog[3]!.jpeg);
      await index.close();
    }
  });

  it('Shopify export: one product per handle (its group) with every image row, lowest variant price, colour from the options', async () => {
    const a = alias('shopify');
    const run = await importFeed(a, [feed('shopify.csv'), '--currency', 'USD']);
    expect(run.stdout).toContain(`(shopify-csv): ${N} rows`);
    expect(run.stdout).toContain(`created ${N}, updated 0, unchanged 0, failed 0`);
    expect(run.stdout).toContain('unmapped columns (ignored): Published, Variant SKU');
    const r = records[1]!;
    const index = connect(a);
    const stored = (await index.getMany([r.id])).get(r.id)!;
    const doc = (await index.getDocuments([r.id])).get(r.id)!;
    await index.close();
    expect(doc.images.map((i) => i.url)).toEqual([urls.image(r), urls.altImage(r, 1), urls.altImage(r, 2)]);
    expect(stored).toMatchObject({
      groupId: r.id,
      title: r.title,
      description: r.description,
      brand: r.brand,
      category: r.category,
      color: r.color,
      price: r.price,
      currency: 'USD',
      inStock: r.inStock,
      tags: [...r.tags].sort(),
      attributes: { size: 'S, M', status: 'active', product_category: `Catalog > ${r.category}`, feed_source: `${new URL(cdn.origin).host}/feeds/shopify.csv-${N}` },
      imageUrl: urls.image(r),
    });
  });

  it('plain CSV and JSONL through the default column names', async () => {
    const a = alias('csv');
    const csv = await importFeed(a, [feed('products.csv')]);
    expect(csv.stdout).toContain(`created ${N}, updated 0, unchanged 0, failed 0`);
    expect(csv.stdout).toContain('unmapped columns (ignored): material');
    const b = alias('jsonl');
    const jsonl = await importFeed(b, [feed('products.jsonl')]);
    expect(jsonl.stdout).toContain(`created ${N}, updated 0, unchanged 0, failed 0`);
    const r = records[2]!;
    for (const [x, kind] of [[a, 'products.csv'], [b, 'products.jsonl']] as const) {
      const index = connect(x);
      const doc = (await index.getDocuments([r.id])).get(r.id)!;
      await index.close();
      expect(doc.images.map((i) => i.url)).toEqual([urls.image(r), urls.altImage(r, 1), urls.altImage(r, 2)]);
      expect(doc).toMatchObject({ groupId: groupOf(r), tags: [...r.tags].sort(), price: r.price, inStock: r.inStock });
      expect(doc.attributes.feed_source).toBe(`${new URL(cdn.origin).host}/feeds/${kind}-${N}`);
      if (kind === 'products.jsonl') expect(doc.attributes).toEqual({ ...r.attributes, feed_source: doc.attributes.feed_source });
    }
  });
});

describe('bad input, each reported per row, nothing half-written', () => {
  let rows: string[][];

  beforeAll(() => {
    const line = (r: ProductRecord, change: Record<string, string> = {}) =>
      merchantFields(r, urls).map(([k, v]) => (k in change ? change[k]! : v).replace(/\t/g, ' '));
    const img = (kind: string, r: ProductRecord) => ({ image_link: cdn.url(`/${kind}/${r.id}.jpg`) });
    const [p0, p1, p2, p3, p4, p5, p6, p7, p8, , p10] = records;
    rows = [
      line(p0!),
      line(p1!, img('flaky', p1!)),
      line(p2!, img('slow', p2!)),
      line(p3!, img('reset', p3!)),
      line(p4!, img('cut', p4!)),
      line(p5!, img('to-private', p5!)),
      line(p6!, img('missing', p6!)),
      line(p7!, { price: '12.50 XYZ' }),
      line(p8!, { price: '12,50 EUR' }),
      line(p0!, { title: 'A duplicate' }),
      ['p-bad', 'two fields'],
      line(p10!),
    ];
  });

  const tsv = () => [merchantFields(records[0]!, urls).map(([k]) => k), ...rows].map((r) => r.join('\t')).join('\n') + '\n';
  const EXPECTED = (ids: string[]) => [
    ['3', '4', ids[2], 'IMAGE_FETCH_FAILED', 'Image download did not finish within 800 ms'],
    ['4', '5', ids[3], 'IMAGE_FETCH_FAILED', 'Could not download the image'],
    ['5', '6', ids[4], 'IMAGE_UNDECODABLE', expect.any(String)],
    ['6', '7', ids[5], 'IMAGE_URL_FORBIDDEN', 'Image URL redirected to a refused URL: URL points to a forbidden address'],
    ['7', '8', ids[6], 'IMAGE_FETCH_FAILED', 'Image URL answered HTTP 404'],
    ['8', '9', ids[7], 'UNKNOWN_CURRENCY', 'currency "XYZ" is not an ISO 4217 code'],
    ['9', '10', ids[8], 'INVALID_PRICE', 'price "12,50 EUR" uses a comma; write the amount with a decimal point and no thousands separator, e.g. "12.50"'],
    ['10', '11', ids[0], 'DUPLICATE_ID', 'id "' + ids[0] + '" already appeared in row 1; the first row wins'],
    ['11', '12', '', 'MALFORMED_ROW', 'has 2 fields, the header has 16'],
  ];

  it('imports the good rows (one after two 503s), reports the rest, retries only what may pass later', async () => {
    const a = alias('bad');
    const report = path.join(tmp, 'errors.csv');
    cdn.resetStats();
    const run = await importFeed(a, [cdn.feed('bad.tsv', tsv()), '--errors', report, '--retries', '2'], { IMAGE_FETCH_TIMEOUT_MS: '800' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('created 3, updated 0, unchanged 0, failed 9');
    const ids = records.map((r) => r.id);
    const lines = (parse(await fs.readFile(report, 'utf8')) as string[][]);
    expect(lines[0]).toEqual(['row', 'line', 'id', 'code', 'message']);
    expect(lines.slice(1).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual(EXPECTED(ids));

    const index = connect(a);
    await index.refresh();
    const stored = await index.getMany(ids.concat('p-bad'));
    await index.close();
    expect([...stored.keys()].sort()).toEqual([ids[0], ids[1], ids[10]].sort());
    expect(stored.get(ids[0]!)!.title).toBe(records[0]!.title); // the first row won

    const hits = (p: string) => cdn.stats.paths.filter((x) => x === p).length;
    expect({
      flaky: hits(`/flaky/${ids[1]}.jpg`),
      slow: hits(`/slow/${ids[2]}.jpg`),
      reset: hits(`/reset/${ids[3]}.jpg`),
      cut: hits(`/cut/${ids[4]}.jpg`),
      toPrivate: hits(`/to-private/${ids[5]}.jpg`),
      missing: hits(`/missing/${ids[6]}.jpg`),
    }).toEqual({ flaky: 3, slow: 3, reset: 3, cut: 1, toPrivate: 1, missing: 1 });
  });

  it('--dry-run reports the row problems and writes nothing, not even an index', async () => {
    const a = alias('dry');
    const report = path.join(tmp, 'dry.csv');
    cdn.resetStats();
    const run = await importFeed(a, [cdn.feed('dry.tsv', tsv()), '--dry-run', '--errors', report]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('(merchant-tsv): 12 rows, 8 importable, 4 with problems; nothing was fetched or written');
    expect(run.stdout).toContain('columns: id, title, description, brand, product_type -> category, color, price, availability, image_link -> image');
    const codes = (parse(await fs.readFile(report, 'utf8')) as string[][]).slice(1).map((l) => l[3]);
    expect(codes).toEqual(['UNKNOWN_CURRENCY', 'INVALID_PRICE', 'DUPLICATE_ID', 'MALFORMED_ROW']);
    expect(cdn.stats.paths.filter((p) => !p.startsWith('/feeds/'))).toEqual([]);
    expect(await connect(a).describeAlias()).toBeUndefined();
  });

  it('an image host allowlist refuses every other host before connecting, in a dry run and a real one', async () => {
    const a = alias('hosts');
    const only = [records[0]!, records[1]!];
    const dry = await importFeed(a, [feed('merchant.tsv', only), '--dry-run', '--image-hosts', 'cdn.shop.example']);
    expect(dry.stdout).toContain('2 rows, 0 importable, 2 with problems');
    cdn.resetStats();
    const real = await importFeed(a, [feed('merchant.tsv', only), '--image-hosts', 'cdn.shop.example']);
    expect(real.code).toBe(1);
    expect(real.stdout).toContain('failed by code: IMAGE_URL_FORBIDDEN 2');
    expect(cdn.stats.paths.filter((p) => !p.startsWith('/feeds/'))).toEqual([]);
  });
});
