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
});
