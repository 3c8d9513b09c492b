/**
 * Feed import throughput and the cost of a re-run, end to end: a synthetic catalog's images served by the loopback
 * fixture server (ETag, Last-Modified, 304), its Merchant Center feed imported by the real `import` command in a
 * child process (real model, real Elasticsearch, plain progress lines), then the same feed imported again.
 * Reports products/s, bytes downloaded and the child's peak RSS for both runs.
 *
 *   npm run synth -- --seed 11 --n 10000 --out .data/synth-10k
 *   npx tsx bench/feed-import.bench.ts .data/synth-10k [format=merchant.tsv] [concurrency=16]
 */
import { spawn } from 'node:child_process';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { ProductRecord } from '../tools/synth/catalog';
import { feedChunks, type FeedKind } from '../tools/synth/feeds';
import { FeedFixtureServer } from '../test/support/feed-fixture-server';

const ROOT = path.resolve(__dirname, '..');
const [dir = '.data/synth-10k', kind = 'merchant.tsv', concurrency = '16'] = process.argv.slice(2);
const ES_URL = process.env.ES_URL ?? 'http://127.0.0.1:9200';
const ALIAS = `bench-feed-${process.pid}`;

async function readRecords(file: string): Promise<ProductRecord[]> {
  const out: ProductRecord[] = [];
  for await (const line of createInterface({ input: createReadStream(file) })) if (line.trim()) out.push(JSON.parse(line));
  return out;
}

interface RunResult {
  seconds: number;
  code: number | null;
  peakRssMb: number;
  lastLines: string[];
}

/** Runs the import command as a child process and samples its peak RSS from /proc. */
function runImport(feedUrl: string, extra: string[] = []): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/import-feed.ts', feedUrl, '--concurrency', concurrency, '--progress-every-ms', '10000', ...extra],
      {
        cwd: ROOT,
        env: { ...process.env, ES_URL, ES_INDEX_ALIAS: ALIAS, IMAGE_FETCH_ALLOW_PRIVATE: '127.0.0.1/32', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let peakKb = 0;
    const sampler = setInterval(() => {
      fs.readFile(`/proc/${child.pid}/status`, 'utf8').then(
        (s) => (peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0))),
        () => undefined,
      );
    }, 250);
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => {
      lines.push(l);
      process.stdout.write(`  | ${l}\n`);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sampler);
      resolve({ seconds: (performance.now() - started) / 1000, code, peakRssMb: peakKb / 1024, lastLines: lines.slice(-6) });
    });
  });
}

async function dropAlias(): Promise<void> {
  const res = await fetch(`${ES_URL}/_alias/${ALIAS}`);
  if (res.ok) for (const index of Object.keys((await res.json()) as object)) await fetch(`${ES_URL}/${index}`, { method: 'DELETE' });
}

async function main(): Promise<void> {
  const records = await readRecords(path.join(dir, 'products.jsonl'));
  const fixture = await new FeedFixtureServer({ images: (id) => fs.readFile(path.join(dir, 'images', `${id}.jpg`)).catch(() => undefined) }).start();
  const urls = { image: (r: ProductRecord) => fixture.url(`/images/${r.id}.jpg`), altImage: (r: ProductRecord) => fixture.url(`/images/${r.id}-alt.jpg`), page: (r: ProductRecord) => fixture.url(`/products/${r.id}`) };
  const feedUrl = fixture.feed(kind, () => feedChunks(kind as FeedKind, records, urls));
  try {
    console.log(`feed import bench: ${records.length} products, ${kind}, --concurrency ${concurrency}, alias ${ALIAS}`);
    const first = await runImport(feedUrl);
    const firstBytes = fixture.stats.imageBytes;
    const firstStatus = { ...fixture.stats.byStatus };
    fixture.resetStats();
    const again = await runImport(feedUrl);
    const rows = [
      ['run', 'seconds', 'products/s', 'image bytes', 'image answers', 'peak RSS MB', 'exit'],
      ['first', first.seconds.toFixed(1), (records.length / first.seconds).toFixed(1), String(firstBytes), JSON.stringify(firstStatus), first.peakRssMb.toFixed(0), String(first.code)],
      ['re-run', again.seconds.toFixed(1), (records.length / again.seconds).toFixed(1), String(fixture.stats.imageBytes), JSON.stringify(fixture.stats.byStatus), again.peakRssMb.toFixed(0), String(again.code)],
    ];
    console.log(rows.map((r) => r.join(' | ')).join('\n'));
  } finally {
    await fixture.close();
    await dropAlias();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
