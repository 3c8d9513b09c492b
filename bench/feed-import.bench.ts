/**
 * Feed import throughput and the cost of a re-run, end to end: a synthetic catalog's images served by the loopback
 * fixture server (ETag, Last-Modified, 304), its Merchant Center feed imported by the real `import` command in a
 * child process (real model, real Elasticsearch, plain progress lines), then the same feed imported again.
 * Reports products/s, bytes downloaded and the child's peak RSS for both runs, and — measured in the same run, as
 * the yardstick — how fast the bare model embeds the same images from memory (the import's ceiling).
 *
 *   npm run synth -- --seed 11 --n 10000 --out .data/synth-10k
 *   npx tsx bench/feed-import.bench.ts .data/synth-10k [format=merchant.tsv] [concurrency=16] [images=1]
 *
 * `images` per product (1 to 3): the further ones are other shots of the product (mirrored, turned), each its own
 * URL, download and embedding. With 1 the feed names the main image twice, which the import reads as one image.
 */
import 'reflect-metadata';
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import sharp from 'sharp';
import { loadEmbedder } from '../src/app';
import { setLogLevel } from '../src/common/logger';
import { loadConfig } from '../src/config/config';
import type { ProductRecord } from '../tools/synth/catalog';
import { feedChunks, type FeedKind } from '../tools/synth/feeds';
import { FeedFixtureServer } from '../test/support/feed-fixture-server';

const ROOT = path.resolve(__dirname, '..');
const [dir = '.data/synth-10k', kind = 'merchant.tsv', concurrency = '16', imagesArg = '1'] = process.argv.slice(2);
const IMAGES = Math.min(3, Math.max(1, Number(imagesArg)));
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
  /** Resident memory when the progress lines passed 10%, 50% and 90% of the rows. */
  rssAtMb: Record<string, number>;
  lastLines: string[];
}

/** Runs the import command as a child process and samples its peak RSS from /proc. */
function runImport(feedUrl: string, total: number, extra: string[] = []): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      // What `npm run import` runs: the compiled command (tsx's transpiler would add its own memory).
      ['dist/scripts/import-feed.js', feedUrl, '--concurrency', concurrency, '--progress-every-ms', '5000', ...extra],
      {
        cwd: ROOT,
        env: { ...process.env, ES_URL, ES_INDEX_ALIAS: ALIAS, IMAGE_FETCH_ALLOW_PRIVATE: '127.0.0.1/32', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let peakKb = 0;
    let rssKb = 0;
    const sampler = setInterval(() => {
      fs.readFile(`/proc/${child.pid}/status`, 'utf8').then((s) => {
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0));
        rssKb = Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0);
      }, () => undefined);
    }, 250);
    const lines: string[] = [];
    const rssAtMb: Record<string, number> = {};
    createInterface({ input: child.stdout! }).on('line', (l) => {
      lines.push(l);
      process.stdout.write(`  | ${l}\n`);
      const done = Number(/^import: ([\d,]+) rows/.exec(l)?.[1]?.replace(/,/g, '') ?? NaN);
      for (const share of [10, 50, 90]) if (done >= (total * share) / 100 && !(`${share}%` in rssAtMb)) rssAtMb[`${share}%`] = Math.round(rssKb / 1024);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sampler);
      resolve({ seconds: (performance.now() - started) / 1000, code, peakRssMb: peakKb / 1024, rssAtMb, lastLines: lines.slice(-6) });
    });
  });
}

/** Images per second through EmbeddingService alone (decode, resize, model), 16 in flight like the import. */
async function rawEmbedRate(sample: ProductRecord[]): Promise<number> {
  const config = loadConfig({ ...process.env, MODEL_DIR: path.join(ROOT, 'models/siglip-tiny') }, ROOT);
  const embedder = await loadEmbedder(config);
  try {
    const bytes = await Promise.all(sample.map((r) => fs.readFile(path.join(dir, 'images', `${r.id}.jpg`))));
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < bytes.length) await embedder.embedImage(bytes[next++]!);
      }),
    );
    return bytes.length / ((performance.now() - started) / 1000);
  } finally {
    await embedder.close();
  }
}

async function dropAlias(): Promise<void> {
  const res = await fetch(`${ES_URL}/_alias/${ALIAS}`);
  if (res.ok) for (const index of Object.keys((await res.json()) as object)) await fetch(`${ES_URL}/${index}`, { method: 'DELETE' });
}

async function main(): Promise<void> {
  setLogLevel('warn');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'ignore' });
  const records = await readRecords(path.join(dir, 'products.jsonl'));
  const image = (id: string) => fs.readFile(path.join(dir, 'images', `${id}.jpg`)).catch(() => undefined);
  const altImage = async (id: string, k: number) => {
    const bytes = await image(id);
    return bytes && (k === 1 ? sharp(bytes).flop() : sharp(bytes).rotate(90)).jpeg().toBuffer();
  };
  const fixture = await new FeedFixtureServer({ images: image, altImages: altImage }).start();
  const urls = {
    image: (r: ProductRecord) => fixture.url(`/images/${r.id}.jpg`),
    altImage: (r: ProductRecord, k: number) => fixture.url(k < IMAGES ? `/images/${r.id}-alt${k}.jpg` : `/images/${r.id}.jpg`),
    page: (r: ProductRecord) => fixture.url(`/products/${r.id}`),
  };
  // Served whole, with a Content-Length, as a CDN serves a feed file: the progress lines can then show share and ETA.
  const feedUrl = fixture.feed(kind, [...feedChunks(kind as FeedKind, records, urls)].join(''));
  try {
    console.log(`feed import bench: ${records.length} products with ${IMAGES} image(s) each, ${kind}, --concurrency ${concurrency}, alias ${ALIAS}`);
    const first = await runImport(feedUrl, records.length);
    const firstBytes = fixture.stats.imageBytes;
    const firstStatus = { ...fixture.stats.byStatus };
    fixture.resetStats();
    const again = await runImport(feedUrl, records.length);
    const raw = await rawEmbedRate(records.slice(0, Math.min(records.length, 1000)));
    const rows = [
      ['run', 'seconds', 'products/s', 'image bytes', 'image answers', 'RSS MB at 10/50/90%', 'peak RSS MB', 'exit'],
      ['first', first.seconds.toFixed(1), (records.length / first.seconds).toFixed(1), String(firstBytes), JSON.stringify(firstStatus), Object.values(first.rssAtMb).join('/'), first.peakRssMb.toFixed(0), String(first.code)],
      ['re-run', again.seconds.toFixed(1), (records.length / again.seconds).toFixed(1), String(fixture.stats.imageBytes), JSON.stringify(fixture.stats.byStatus), Object.values(again.rssAtMb).join('/'), again.peakRssMb.toFixed(0), String(again.code)],
    ];
    console.log(rows.map((r) => r.join(' | ')).join('\n'));
    console.log(
      `bare model, same images from memory, 16 at once: ${raw.toFixed(1)} images/s; ` +
        `import / bare model = ${(records.length / first.seconds / raw).toFixed(2)}; re-run / first run time = ${(again.seconds / first.seconds).toFixed(3)}`,
    );
  } finally {
    await fixture.close();
    await dropAlias();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
