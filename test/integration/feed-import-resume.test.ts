/**
 * Resume after a crash: the import command runs as a child process and is killed with SIGKILL mid-run; every row it
 * had reported as acknowledged must be stored, and running the same command again must finish the feed, downloading
 * and embedding only what was not stored (the rest is answered 304 and found unchanged).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { ElasticsearchProductIndex } from '../../src/search/elasticsearch/elasticsearch.adapter';
import { ES_URL } from '../support/es';
import { openFeedShop, type FeedShop } from '../support/feed-shop';
import { importFeed } from '../support/import-harness';
import { MODEL_DIR } from '../support/server';

const ROOT = path.resolve(__dirname, '../..');
const N = 40;
const alias = `test-feed-resume-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
const index = ElasticsearchProductIndex.connect({ url: ES_URL, indexAlias: alias, requestTimeoutMs: 30_000, maxRetries: 1 });

/** Starts the import, kills it with SIGKILL once it has reported `killAfter` rows done; answers the last count seen. */
function importAndKill(feedUrl: string, killAfter: number): Promise<{ lastDone: number; exitedByItself: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/import-feed.ts', feedUrl, '--concurrency', '2', '--batch-size', '4', '--progress-every-ms', '100'],
      { cwd: ROOT, env: { PATH: process.env.PATH, ES_URL, ES_INDEX_ALIAS: alias, MODEL_DIR, IMAGE_FETCH_ALLOW_PRIVATE: '127.0.0.1/32' } },
    );
    let lastDone = 0;
    let killed = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^import: (\d+) rows/.exec(line);
      if (!m) return;
      lastDone = Number(m[1]);
      if (lastDone >= killAfter && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('exit', () => resolve({ lastDone, exitedByItself: !killed }));
  });
}

describe('import resumes after kill -9', () => {
  let shop: FeedShop | undefined;

  afterAll(async () => {
    await shop?.cdn.close();
    await index.dropAll();
    await index.close();
  });

  it('keeps every acknowledged row and finishes on the next run without redoing stored ones', async () => {
    // A slow CDN keeps the first run going long enough to be killed in the middle.
    shop = await openFeedShop(4242, N, { latencyMs: 60 });
    const { cdn, records } = shop;
    const feedUrl = shop.feed('merchant.tsv');

    const first = await importAndKill(feedUrl, 8);
    expect(first.exitedByItself).toBe(false);
    await index.refresh();
    const ids = records.map((r) => r.id);
    const storedAfterKill = (await index.getMany(ids)).size;
    expect(storedAfterKill).toBeGreaterThanOrEqual(first.lastDone);
    expect(storedAfterKill).toBeLessThan(N);

    await cdn.idle(); // the killed run's last requests are still being answered
    cdn.resetStats();
    const again = await importFeed(alias, [feedUrl]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`created ${N - storedAfterKill}, updated 0, unchanged ${storedAfterKill}, failed 0`);
    // Three image URLs per product (the feed's main image and two additional ones).
    expect(cdn.stats.byStatus).toEqual({ 200: 3 * (N - storedAfterKill), 304: 3 * storedAfterKill });

    const stored = await index.getMany(ids);
    expect(stored.size).toBe(N);
    expect(records.every((r) => stored.get(r.id)!.title === r.title && stored.get(r.id)!.price === r.price)).toBe(true);
  });
});
