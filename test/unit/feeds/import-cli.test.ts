import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseColumnMap } from '../../../src/feeds/column-map';
import { defaultFeedName, parseImportArgs, UsageError } from '../../../src/feeds/import-args';
import { runImportCommand } from '../../../src/feeds/import-command';
import { formatDuration, plainLine, RateMeter, type ProgressState } from '../../../src/feeds/progress';
import { IngestService } from '../../../src/ingest/ingest.service';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, unit } from '../../support/fakes';

describe('import arguments', () => {
  it('reads every flag', () => {
    const a = parseImportArgs([
      'feed.csv',
      '--format',
      'csv',
      '--map',
      'title=Product Name',
      '--map',
      'attributes.material=Fabric',
      '--currency',
      'eur',
      '--image-base-url',
      'https://cdn.example/',
      '--dry-run',
      '--errors',
      'out.csv',
      '--concurrency',
      '4',
      '--per-host',
      '2',
      '--host-delay-ms',
      '100',
      '--retries',
      '0',
      '--image-hosts',
      'cdn.example, *.shopifycdn.com',
      '--batch-size',
      '10',
    ]);
    expect(a).toEqual({
      source: 'feed.csv',
      format: 'csv',
      map: parseColumnMap(['title=Product Name', 'attributes.material=Fabric']),
      currency: 'EUR',
      imageBaseUrl: 'https://cdn.example/',
      dryRun: true,
      errors: 'out.csv',
      concurrency: 4,
      perHost: 2,
      hostDelayMs: 100,
      retries: 0,
      imageHosts: ['cdn.example', '*.shopifycdn.com'],
      batchSize: 10,
      progressEveryMs: 5000,
      feedName: 'feed.csv',
      deleteMissing: false,
      maxDeleteShare: 0.2,
      maxBadRowShare: 0.01,
      force: false,
    });
  });

  it.each([
    [[], /exactly one feed/],
    [['a', 'b'], /exactly one feed/],
    [['f', '--format', 'xlsx'], /--format "xlsx" is not one of/],
    [['f', '--map', 'colour=Farbe'], /unknown field "colour"/],
    [['f', '--map', 'title'], /expected field=column/],
    [['f', '--currency', 'XYZ'], /--currency: currency "XYZ" is not an ISO 4217 code/],
    [['f', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 256/],
    [['f', '--image-base-url', 'cdn/'], /not an absolute URL/],
    [['f', '--bogus'], /Unknown option '--bogus'/],
    [['f', '--max-delete-percent', '120'], /--max-delete-percent must be a number from 0 to 100/],
    [['f', '--feed-name', ' '], /--feed-name must be 1-200 characters/],
  ])('refuses %p', (argv, message) => {
    expect(() => parseImportArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseImportArgs(argv as string[])).toThrow(message);
  });
});

describe('--delete-missing arguments', () => {
  it('reads the flags; percentages become shares', () => {
    const a = parseImportArgs(['f.tsv', '--delete-missing', '--feed-name', 'daily', '--max-delete-percent', '5%', '--max-bad-rows-percent', '0', '--force']);
    expect(a).toMatchObject({ deleteMissing: true, feedName: 'daily', maxDeleteShare: 0.05, maxBadRowShare: 0, force: true });
  });

  it('names a feed by host and path, a query string (tokens) only as a hash, a file by its name', () => {
    expect(defaultFeedName('https://user:pw@shop.example/feeds/google.xml')).toBe('shop.example/feeds/google.xml');
    const a = defaultFeedName('https://shop.example/feed?token=s3cret&shop=a');
    expect(a).toMatch(/^shop\.example\/feed\?[0-9a-f]{12}$/);
    expect(a).not.toContain('s3cret');
    expect(defaultFeedName('https://shop.example/feed?token=s3cret&shop=b')).not.toBe(a);
    expect(defaultFeedName('/data/exports/products.csv')).toBe('products.csv');
    expect(defaultFeedName(`https://shop.example/${'x'.repeat(300)}`)).toHaveLength(199);
  });
});

describe('progress numbers', () => {
  const state = (done: number, read: number, bytesRead: number, totalBytes?: number): ProgressState => ({
    done,
    read,
    created: done - 2,
    updated: 0,
    unchanged: 1,
    failed: 1,
    bytesRead,
    totalBytes,
  });

  it('rates over the window and estimates the total from the share of bytes read', () => {
    const m = new RateMeter(10_000);
    m.sample(0, 0);
    m.sample(2000, 100);
    m.sample(4000, 300);
    expect(m.rate()).toBe(75);
    // 400 rows read in a quarter of the bytes: about 1,600 rows, 1,300 still to do at 75 rows/s.
    expect(m.eta(state(300, 400, 250, 1000))).toEqual({ total: 1600, seconds: 1300 / 75 });
    expect(m.eta(state(300, 400, 250))).toBeUndefined();
    m.sample(20_000, 1100);
    expect(m.rate()).toBe(50); // the window dropped the oldest samples
  });

  it('prints the plain line with share, rate and ETA (10,000 rows expected, 8,800 to go at 120/s)', () => {
    const m = new RateMeter();
    m.sample(0, 0);
    m.sample(10_000, 1200);
    expect(plainLine(state(1200, 1300, 1300, 10_000), m)).toBe(
      'import: 1,200 rows (12%) 120.0 rows/s ETA 1m13s | created 1,198 updated 0 unchanged 1 failed 1',
    );
    expect(plainLine(state(1200, 1300, 1300), m)).toBe('import: 1,200 rows 120.0 rows/s | created 1,198 updated 0 unchanged 1 failed 1');
  });

  it('formats durations', () => {
    expect([formatDuration(42.4), formatDuration(90), formatDuration(3725), formatDuration(Infinity)]).toEqual(['42s', '1m30s', '1h02m', '?']);
  });
});

describe('the import command', () => {
  const capture = () => {
    const chunks: string[] = [];
    return { isTTY: false, write: (c: string) => (chunks.push(c), true), text: () => chunks.join('') } as unknown as NodeJS.WriteStream & { text(): string };
  };
  const run = async (argv: string[]) => {
    const [stdout, stderr] = [capture(), capture()];
    const boot = jest.fn();
    const readCatalog = jest.fn();
    const code = await runImportCommand(argv, { imagePolicy: { allowPrivateCidrs: [], allowedHosts: [] }, maxImages: 8, stdout, stderr, boot, readCatalog });
    return { code, out: stdout.text(), err: stderr.text(), booted: boot.mock.calls.length };
  };

  it('answers 2 with a readable message for bad arguments, a missing feed and missing columns, before booting anything', async () => {
    expect(await run(['--concurrency', 'x'])).toMatchObject({ code: 2, err: expect.stringMatching(/^give exactly one feed file or URL/), booted: 0 });
    const missing = await run(['/nonexistent/feed.tsv']);
    expect(missing).toMatchObject({ code: 2, booted: 0 });
    expect(missing.err).toContain('import failed: cannot read the feed /nonexistent/feed.tsv: ENOENT');
    expect(missing.err).not.toMatch(/\n\s+at /); // a message, not a stack
    const dir = mkdtempSync(join(tmpdir(), 'import-cli-'));
    try {
      writeFileSync(join(dir, 'feed.csv'), 'id,title,price\na,Mug,1.00\n');
      const columns = await run([join(dir, 'feed.csv')]);
      expect(columns).toMatchObject({ code: 2, booted: 0 });
      expect(columns.err).toContain('import failed: The feed cannot be imported: missing required columns for: image');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--delete-missing: deletes through the runtime catalog, reports a failed delete in the CSV report (no row), exits 1', async () => {
    const index = new InMemoryProductIndex();
    const images = new FakeImageSource().url('https://cdn.example/a.jpg', 'A', { etag: '"a"' });
    const ingest = new IngestService(index, new FakeEmbedder('fake-model@00000000', 4).image('A', unit(4, 1)), images);
    const runtime = { images, ingestWith: () => ingest, catalog: index, refresh: async () => undefined, close: async () => undefined };
    const dir = mkdtempSync(join(tmpdir(), 'import-cli-'));
    const feed = (ids: string[]) => {
      writeFileSync(join(dir, 'feed.tsv'), ['id\ttitle\timage_link\tprice', ...ids.map((id) => `${id}\tMug\thttps://cdn.example/a.jpg\t1.00 USD`)].join('\n'));
      return join(dir, 'feed.tsv');
    };
    const go = async (argv: string[]) => {
      const [stdout, stderr] = [capture(), capture()];
      const code = await runImportCommand(argv, {
        imagePolicy: { allowPrivateCidrs: [], allowedHosts: [] },
        maxImages: 8,
        stdout,
        stderr,
        boot: async () => runtime,
        readCatalog: async () => ({
          idsByAttribute: (name, value, page) => index.idsByAttribute(name, value, page),
          deleteIfUnchanged: () => Promise.reject(new Error('dry')),
          close: async () => undefined,
        }),
      });
      return { code, out: stdout.text(), err: stderr.text() };
    };
    try {
      const ids = Array.from({ length: 10 }, (_, i) => `p${i}`);
      expect((await go([feed(ids)])).out).toContain('created 10, updated 0, unchanged 0, failed 0');
      expect([...index.docs.values()].map((d) => d.attributes.feed_source)).toEqual(ids.map(() => 'feed.tsv'));
      const real = index.deleteIfUnchanged.bind(index);
      index.deleteIfUnchanged = async (id, stamp, o) => (id === 'p8' ? Promise.reject(new Error('shard unavailable')) : real(id, stamp, o));
      const dry = await go([feed(ids.slice(0, 8)), '--delete-missing', '--dry-run']);
      expect(dry.out).toContain('would delete 2 of the 10 products recorded under feed "feed.tsv":\n    p8\n    p9\n');
      const report = join(dir, 'errors.csv');
      const r = await go([feed(ids.slice(0, 8)), '--delete-missing', '--errors', report]);
      expect([r.code, r.err]).toEqual([1, '']);
      expect(r.out).toContain('deleted 1 of the 10 products recorded under feed "feed.tsv" (not in the feed any more), failed 1');
      expect(readFileSync(report, 'utf8')).toBe('row,line,id,code,message\n,,p8,DELETE_FAILED,shard unavailable\n');
      expect([...index.docs.keys()].sort()).toEqual([...ids.slice(0, 9)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
