/**
 * `npm run import -- --delete-missing` end to end, in-process, on real Elasticsearch with the real model: feeds from
 * the synthetic catalog over the loopback fixture server; exact counts and exactly what remains in the index.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ProductRecord } from '../../tools/synth/catalog';
import { feedChunks } from '../../tools/synth/feeds';
import { ES_URL } from '../support/es';
import { openFeedShop, type FeedShop } from '../support/feed-shop';
import { importFeed } from '../support/import-harness';
import { ElasticsearchProductIndex } from '../../src/search/elasticsearch/elasticsearch.adapter';
import { planPrune } from '../../src/feeds/delete-missing';
import type { ImportRuntime } from '../../src/feeds/import-command';

const alias = `test-feed-prune-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
const index = ElasticsearchProductIndex.connect({ url: ES_URL, indexAlias: alias, requestTimeoutMs: 30_000, maxRetries: 1 });

let shop: FeedShop;
let records: ProductRecord[];
let tmp: string;

async function storedIds(): Promise<string[]> {
  await index.refresh();
  return [...(await index.getMany(records.map((r) => r.id))).keys()].sort();
}

const ids = (rs: ProductRecord[]) => rs.map((r) => r.id).sort();

beforeAll(async () => {
  shop = await openFeedShop(77, 12);
  records = shop.records;
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'feed-prune-'));
});

afterAll(async () => {
  await shop.cdn.close();
  await index.dropAll();
  await index.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('--delete-missing', () => {
  // The feed's URL names its length; --feed-name keeps the name of a feed that shrinks and grows.
  const daily = (rs: ProductRecord[], ...flags: string[]) => importFeed(alias, [shop.feed('merchant.tsv', rs), '--feed-name', 'daily', ...flags]);

  it('a dry run before any import reads no index into existence and would delete nothing', async () => {
    const dry = await daily(records.slice(0, 3), '--delete-missing', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would delete 0 of the 0 products recorded under feed "daily"\n');
    expect(await index.describeAlias()).toBeUndefined();
  });

  it('deletes exactly the products of this feed it no longer lists; other feeds and a dry run are untouched; a re-run deletes nothing', async () => {
    const first = await daily(records.slice(0, 10));
    expect(first.stdout).toContain('created 10, updated 0, unchanged 0, failed 0');
    const other = await importFeed(alias, [shop.feed('products.jsonl', records.slice(10)), '--feed-name', 'other', '--delete-missing']);
    expect(other.stdout).toContain('created 2, updated 0, unchanged 0, failed 0');
    expect(other.stdout).toContain('deleted 0 of the 2 products recorded under feed "other" (not in the feed any more), failed 0');

    const dry = await daily(records.slice(0, 9), '--delete-missing', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would delete 1 of the 10 products recorded under feed "daily":\n    ${records[9]!.id}\n`);
    expect(await storedIds()).toEqual(ids(records));

    const report = path.join(tmp, 'errors.csv');
    const run = await daily(records.slice(0, 9), '--delete-missing', '--errors', report);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain('created 0, updated 0, unchanged 9, failed 0');
    expect(run.stdout).toContain('deleted 1 of the 10 products recorded under feed "daily" (not in the feed any more), failed 0');
    expect(await storedIds()).toEqual(ids([...records.slice(0, 9), ...records.slice(10)]));
    expect(parse(await fs.readFile(report, 'utf8'))).toEqual([['row', 'line', 'id', 'code', 'message']]);

    const again = await daily(records.slice(0, 9), '--delete-missing');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('created 0, updated 0, unchanged 9, failed 0');
    expect(again.stdout).toContain('deleted 0 of the 9 products recorded under feed "daily" (not in the feed any more), failed 0');
    expect(await storedIds()).toEqual(ids([...records.slice(0, 9), ...records.slice(10)]));
  });

  it('refuses to delete more than the share (exit 3, nothing deleted) until forced; a product back in the feed is created again', async () => {
    const refused = await daily(records.slice(0, 6), '--delete-missing');
    expect(refused.code).toBe(3);
    expect(refused.stdout).toContain('created 0, updated 0, unchanged 6, failed 0');
    expect(refused.stdout).toContain(
      'delete-missing: refused, nothing deleted: it would delete 3 of the 9 products imported from this feed (more than 20 %); check the feed, then pass --force',
    );
    expect(await storedIds()).toEqual(ids([...records.slice(0, 9), ...records.slice(10)]));

    const allowed = await daily(records.slice(0, 6), '--delete-missing', '--max-delete-percent', '40');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('deleted 3 of the 9 products recorded under feed "daily" (not in the feed any more), failed 0');
    expect(await storedIds()).toEqual(ids([...records.slice(0, 6), ...records.slice(10)]));

    const back = await daily(records.slice(0, 7), '--delete-missing');
    expect(back.stdout).toContain('created 1, updated 0, unchanged 6, failed 0');
    expect(back.stdout).toContain('deleted 0 of the 7 products recorded under feed "daily"');

    const forced = await daily(records.slice(0, 2), '--delete-missing', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('deleted 5 of the 7 products recorded under feed "daily" (not in the feed any more), failed 0');
    expect(await storedIds()).toEqual(ids([...records.slice(0, 2), ...records.slice(10)]));
  });

  it('deletes nothing after a feed with malformed rows beyond the threshold (their ids are unknown)', async () => {
    const text = [...feedChunks('merchant.tsv', records.slice(0, 1), shop.urls)].join('') + 'broken\trow\n';
    const run = await importFeed(alias, [shop.cdn.feed('broken.tsv', text), '--feed-name', 'daily', '--delete-missing', '--force']);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('created 0, updated 0, unchanged 1, failed 1');
    expect(run.stdout).toContain('delete-missing: refused, nothing deleted: 1 of 2 rows had problems of their own (more than 1 %)');
    expect(await storedIds()).toEqual(ids([...records.slice(0, 2), ...records.slice(10)]));
  });
  // State here: "daily" holds records 0-1, "other" records 10-11; records 2-9 are in no feed.
  it('keeps a product another writer re-ingests between the scan and its delete, and the summary names it', async () => {
    const race = (rs: ProductRecord[], ...flags: string[]) => importFeed(alias, [shop.feed('merchant.tsv', rs), '--feed-name', 'race', ...flags]);
    expect((await race(records.slice(2, 8))).stdout).toContain('created 6, updated 0, unchanged 0, failed 0');
    const rewritten = records[7]!.id;
    let scans = 0;
    // The other writer: once the scan has read its last page, a second client rewrites one of the products the feed
    // no longer lists (same feed name, new title), before the command starts deleting.
    const slipWriteIn = (rt: ImportRuntime): ImportRuntime => ({
      ...rt,
      catalog: {
        deleteIfUnchanged: (id, stamp, o) => rt.catalog.deleteIfUnchanged(id, stamp, o),
        idsByAttribute: async (name, value, page) => {
          const got = await rt.catalog.idsByAttribute(name, value, page);
          if (got.length < page.size && scans++ === 0) {
            const doc = (await index.getDocuments([rewritten])).get(rewritten)!;
            expect((await index.bulkUpsert([{ ...doc, title: 'Re-ingested meanwhile' }]))[0]).toMatchObject({ ok: true });
          }
          return got;
        },
      },
    });
    const run = await importFeed(alias, [shop.feed('merchant.tsv', records.slice(2, 6)), '--feed-name', 'race', '--delete-missing', '--force'], {}, undefined, slipWriteIn);
    expect([run.code, run.stderr, scans]).toEqual([0, '', 1]);
    expect(run.stdout).toContain('created 0, updated 0, unchanged 4, failed 0');
    expect(run.stdout).toContain(
      'deleted 1 of the 6 products recorded under feed "race" (not in the feed any more), failed 0\n' +
        `  kept 1 not in the feed but written since the scan (by another writer; the next run decides again):\n    ${rewritten}\n`,
    );
    expect(await storedIds()).toEqual(ids([...records.slice(0, 2), ...records.slice(2, 6), records[7]!, ...records.slice(10)]));
    expect((await index.getMany([rewritten])).get(rewritten)!.title).toBe('Re-ingested meanwhile');

    // Nobody writes during the next run: it deletes the product now.
    const next = await race(records.slice(2, 6), '--delete-missing');
    expect(next.stdout).toContain('deleted 1 of the 5 products recorded under feed "race" (not in the feed any more), failed 0\n');
    expect(next.stdout).not.toContain('kept');
    expect(await storedIds()).toEqual(ids([...records.slice(0, 6), ...records.slice(10)]));
  });

  it("reads only this feed's products (filtered by Elasticsearch, page by page) and never deletes another feed's", async () => {
    // State: "daily" records 0-1, "race" records 2-5, "other" records 10-11.
    const read: string[] = [];
    const pages: (string | undefined)[] = [];
    const watch = (rt: ImportRuntime): ImportRuntime => ({
      ...rt,
      catalog: {
        deleteIfUnchanged: (id, stamp, o) => rt.catalog.deleteIfUnchanged(id, stamp, o),
        idsByAttribute: async (name, value, page) => {
          pages.push(page.after);
          const got = await rt.catalog.idsByAttribute(name, value, page);
          read.push(...got.map((g) => g.id));
          return got;
        },
      },
    });
    const run = await importFeed(alias, [shop.feed('merchant.tsv', records.slice(2, 3)), '--feed-name', 'race', '--delete-missing', '--force'], {}, undefined, watch);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('deleted 3 of the 4 products recorded under feed "race" (not in the feed any more), failed 0\n');
    expect([read.sort(), pages]).toEqual([ids(records.slice(2, 6)), [undefined]]);
    expect(await storedIds()).toEqual(ids([...records.slice(0, 3), ...records.slice(10)]));

    // Paging through the adapter itself (search_after on id), two at a time: exactly "daily"'s products, in id order.
    const facts = { read: 1, interrupted: false, byCode: {} };
    const plan = await planPrune(index, 'daily', new Set([records[0]!.id]), facts, { maxDeleteShare: 1, maxBadRowShare: 0, force: false }, 1);
    expect([plan.owned, plan.missing.map((m) => m.id)]).toEqual([2, [records[1]!.id]]);
    expect((await index.idsByAttribute('feed_source', 'other', { size: 1 })).map((p) => p.id)).toEqual([ids(records.slice(10))[0]]);
    expect(await index.idsByAttribute('feed_source', 'Daily', { size: 10 })).toEqual([]);
  });
});
