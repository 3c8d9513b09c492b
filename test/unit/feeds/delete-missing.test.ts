import 'reflect-metadata';
import type { RowFailure } from '../../../src/feeds/error-report';
import { planPrune, prune, type PrunePlan, type PrunePolicy } from '../../../src/feeds/delete-missing';
import { FeedImportService, type ImportSummary } from '../../../src/feeds/feed-import.service';
import { openFeed } from '../../../src/feeds/feed-reader';
import { IngestService } from '../../../src/ingest/ingest.service';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, unit } from '../../support/fakes';
import { memorySource } from '../../support/feed-source';

/** --delete-missing over the real import and ingest services with an in-memory index: what is planned, refused, deleted. */
const DIMS = 4;
const HEADER = 'id\ttitle\timage_link\tprice';
const line = (id: string, price = '5.00 USD') => `${id}\tMug ${id}\thttps://cdn.example/a.jpg\t${price}`;
const POLICY: PrunePolicy = { maxDeleteShare: 0.2, maxBadRowShare: 0.01, force: false };

function setup() {
  const index = new InMemoryProductIndex();
  const embedder = new FakeEmbedder('fake-model@00000000', DIMS).image('A', unit(DIMS, 1));
  const images = new FakeImageSource().url('https://cdn.example/a.jpg', 'A', { etag: '"a"' });
  const ingest = new IngestService(index, embedder, images);
  const importer = new FeedImportService(ingest);
  const run = async (ids: string[], feedName: string, extra: string[] = []) => {
    const seen = new Set<string>();
    const feed = await openFeed(memorySource([HEADER, ...ids.map((id) => line(id)), ...extra].join('\n'), 'feed.tsv'));
    const summary = await importer.run(feed.rows, { feedName, seenIds: seen, batchSize: 3 });
    return { seen, summary };
  };
  return { index, ingest, run };
}

const ids = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const idsOf = (plan: PrunePlan) => ({ ...plan, missing: plan.missing.map((m) => m.id) });

describe('--delete-missing', () => {
  it('plans only products recorded under this feed that the feed no longer lists; a second pass finds nothing', async () => {
    const { index, ingest, run } = setup();
    await run(ids(10), 'shop/feed.tsv');
    await run(['other-1'], 'shop/other.tsv');
    await ingest.ingest([{ id: 'api-1', title: 'From the API', image: { url: 'https://cdn.example/a.jpg' } }]);
    // p1 now comes from the API: it left the feed's ownership.
    await ingest.ingest([{ id: 'p1', title: 'Taken over', image: { url: 'https://cdn.example/a.jpg' } }]);

    const { seen, summary } = await run(ids(10).filter((id) => id !== 'p3' && id !== 'p1'), 'shop/feed.tsv');
    const plan = await planPrune(index, 'shop/feed.tsv', seen, summary, POLICY);
    expect(idsOf(plan)).toEqual({ owned: 9, missing: ['p3'], refused: undefined });
    // Only this feed's products were read: the store filtered by feed, page by page.
    expect(index.callsOf('idsByAttribute')).toEqual([['feed_source', 'shop/feed.tsv', { size: 1000, after: undefined }]]);
    expect(index.callsOf('browse')).toEqual([]);

    const failures: RowFailure[] = [];
    expect(await prune(index, plan.missing, { onFailure: (f) => void failures.push(f) })).toEqual({ deleted: 1, gone: 0, changed: [], failed: 0, interrupted: false });
    expect([...index.docs.keys()].sort()).toEqual(['api-1', 'other-1', ...ids(10).filter((id) => id !== 'p3')].sort());
    expect(failures).toEqual([]);

    const again = await run(ids(10).filter((id) => id !== 'p3' && id !== 'p1'), 'shop/feed.tsv');
    expect(idsOf(await planPrune(index, 'shop/feed.tsv', again.seen, again.summary, POLICY))).toEqual({ owned: 8, missing: [], refused: undefined });
  });

  it('refuses more than the share unless forced, an interrupted run, an empty feed, and a feed with too many bad rows', async () => {
    const { index, run } = setup();
    await run(ids(10), 'f');
    const short = await run(ids(7), 'f');
    const plan = await planPrune(index, 'f', short.seen, short.summary, POLICY);
    expect(idsOf(plan).missing).toEqual(['p7', 'p8', 'p9']);
    expect(plan.refused).toBe('it would delete 3 of the 10 products imported from this feed (more than 20 %); check the feed, then pass --force');
    expect((await planPrune(index, 'f', short.seen, short.summary, { ...POLICY, force: true })).refused).toBeUndefined();
    expect((await planPrune(index, 'f', short.seen, short.summary, { ...POLICY, maxDeleteShare: 0.3 })).refused).toBeUndefined();

    const interrupted: ImportSummary = { ...short.summary, interrupted: true };
    expect((await planPrune(index, 'f', short.seen, interrupted, { ...POLICY, force: true })).refused).toBe(
      'the run was interrupted, so the feed was not read to its end',
    );
    const empty = await run([], 'f');
    expect((await planPrune(index, 'f', empty.seen, empty.summary, { ...POLICY, force: true })).refused).toBe('the feed has no rows');

    // A row the parser could not read has no id: any missing product might be it.
    const broken = await run(ids(9), 'f', ['bad\trow']);
    expect(broken.summary.byCode).toEqual({ MALFORMED_ROW: 1 });
    expect((await planPrune(index, 'f', broken.seen, broken.summary, POLICY)).refused).toBe(
      '1 of 10 rows had problems of their own (more than 1 %), so the feed may list products it failed to name',
    );
    expect(idsOf(await planPrune(index, 'f', broken.seen, broken.summary, { ...POLICY, maxBadRowShare: 0.1 }))).toEqual({ owned: 10, missing: ['p9'], refused: undefined });
  });

  it('keeps a listed product whose row failed (its id was read), and pages through a catalog larger than a page', async () => {
    const { index, run } = setup();
    await run(ids(1200), 'f');
    const withBadPrice = await run(ids(1199), 'f', [line('p1199', '12,50 EUR')]);
    expect(withBadPrice.summary.byCode).toEqual({ INVALID_PRICE: 1 });
    expect(idsOf(await planPrune(index, 'f', withBadPrice.seen, withBadPrice.summary, POLICY))).toEqual({ owned: 1200, missing: [], refused: undefined });
    const fewer = await run(ids(1190), 'f');
    index.calls.length = 0;
    expect(idsOf(await planPrune(index, 'f', fewer.seen, fewer.summary, POLICY)).missing).toEqual(ids(1200).slice(1190).sort());
    // 1,200 in pages of 1,000, the second after the last id of the first (ids sort as strings)
    expect(index.callsOf('idsByAttribute')).toEqual([
      ['feed_source', 'f', { size: 1000, after: undefined }],
      ['feed_source', 'f', { size: 1000, after: ids(1200).sort()[999] }],
    ]);
  });

  it('keeps a product written between the scan and its delete, and says which; the next run decides again', async () => {
    const { index, ingest, run } = setup();
    await run(ids(6), 'f');
    const shorter = await run(ids(4), 'f');
    const plan = await planPrune(index, 'f', shorter.seen, shorter.summary, { ...POLICY, force: true });
    expect(idsOf(plan).missing).toEqual(['p4', 'p5']);
    // Another writer re-ingests p5 after the scan: the same feed name, a new title.
    await ingest.ingest([{ id: 'p5', title: 'Back in the catalog', attributes: { feed_source: 'f' }, image: { url: 'https://cdn.example/a.jpg' } }]);
    expect(await prune(index, plan.missing)).toEqual({ deleted: 1, gone: 0, changed: ['p5'], failed: 0, interrupted: false });
    expect([...index.docs.keys()].sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p5']);
    expect(index.docs.get('p5')!.title).toBe('Back in the catalog');

    // An unchanged re-ingest writes nothing, so the stamp still holds.
    const again = await run(ids(4), 'f');
    const next = await planPrune(index, 'f', again.seen, again.summary, { ...POLICY, force: true });
    await ingest.ingest([{ id: 'p5', title: 'Back in the catalog', attributes: { feed_source: 'f' }, image: { url: 'https://cdn.example/a.jpg' } }]);
    expect(await prune(index, next.missing)).toEqual({ deleted: 1, gone: 0, changed: [], failed: 0, interrupted: false });
    expect([...index.docs.keys()].sort()).toEqual(['p0', 'p1', 'p2', 'p3']);
  });

  it('reports a delete that fails as DELETE_FAILED with the id, goes on with the rest, and stops when asked', async () => {
    const { index, run } = setup();
    await run(ids(5), 'f');
    const real = index.deleteIfUnchanged.bind(index);
    index.deleteIfUnchanged = async (id, stamp, o) => {
      if (id === 'p2') throw Object.assign(new Error('Elasticsearch refused the delete'), { code: 'SEARCH_BACKEND_ERROR' });
      return real(id, stamp, o);
    };
    const stamped = await index.idsByAttribute('feed_source', 'f', { size: 10 });
    const gone = { id: 'gone-already', stamp: { seqNo: 0, primaryTerm: 1 } };
    const failures: RowFailure[] = [];
    const r = await prune(index, [...stamped.filter((s) => ['p1', 'p2', 'p3'].includes(s.id)), gone], { onFailure: (f) => void failures.push(f) });
    expect(r).toEqual({ deleted: 2, gone: 1, changed: [], failed: 1, interrupted: false });
    expect(failures).toEqual([{ id: 'p2', code: 'DELETE_FAILED', message: 'Elasticsearch refused the delete' }]);
    expect([...index.docs.keys()].sort()).toEqual(['p0', 'p2', 'p4']);

    const stop = new AbortController();
    stop.abort();
    expect(await prune(index, stamped.filter((s) => ['p0', 'p4'].includes(s.id)), { stop: stop.signal })).toEqual({
      deleted: 0,
      gone: 0,
      changed: [],
      failed: 0,
      interrupted: true,
    });
  });
});
