/**
 * A feed far larger than the memory an import may use: a generated Merchant Center feed of FEED_MB megabytes (default
 * 1000 for TSV, 300 for XML) streamed from the loopback fixture server into `npm run import -- --dry-run` in a child
 * process whose JavaScript heap is capped at HEAP_CAP_MB (V8 --max-old-space-size): an import that kept the feed, or
 * anything in proportion to its bytes, would die of heap exhaustion long before the end. Every row is parsed, mapped,
 * validated against the API's input bounds and checked for a duplicate id, so the only state that may grow is the
 * set of ids seen (about 50-100 bytes per product). Resident memory is sampled from /proc and must stay flat beyond
 * that. (Without the cap V8 collects lazily and resident memory drifts up with garbage not yet collected; the cap
 * makes the measurement about what is kept.)
 *
 *   npm run test:slow            (part of CI; FEED_MB=200 for a quicker local run)
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { generateCatalog, type ProductRecord } from '../../tools/synth/catalog';
import { feedChunks, type FeedKind } from '../../tools/synth/feeds';
import { FeedFixtureServer } from '../support/feed-fixture-server';

const ROOT = path.resolve(__dirname, '../..');
/** A merchant's long description: rows of about 2 KB, a realistic size for a feed with full descriptions. */
const PAD = ' Designed for everyday use, easy to care for and made to last.'.repeat(24);
/** Bytes per stored product id that the duplicate check may keep (measured ~50 heap, ~100 RSS). */
const ID_BYTES = 120;
const SLACK_MB = 32;
const HEAP_CAP_MB = 128;

function* records(base: ProductRecord[], n: number): Generator<ProductRecord> {
  for (let i = 0; i < n; i++) {
    const r = base[i % base.length]!;
    yield { ...r, id: `p-${String(i).padStart(8, '0')}`, description: r.description + PAD };
  }
}

interface Sample {
  rows: number;
  rssMb: number;
}

function dryRun(feedUrl: string): Promise<{ code: number | null; samples: Sample[]; peakMb: number; summary: string }> {
  return new Promise((resolve, reject) => {
    const args = [`--max-old-space-size=${HEAP_CAP_MB}`, '--import', 'tsx', 'scripts/import-feed.ts', feedUrl, '--dry-run', '--progress-every-ms', '1000'];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let rows = 0;
    let peakKb = 0;
    const samples: Sample[] = [];
    const out: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => {
      out.push(l);
      const m = /^import: ([\d,]+) rows/.exec(l);
      if (m) rows = Number(m[1]!.replace(/,/g, ''));
    });
    const timer = setInterval(() => {
      fs.readFile(`/proc/${child.pid}/status`, 'utf8').then((s) => {
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0));
        samples.push({ rows, rssMb: Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024 });
      }, () => undefined);
    }, 200);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ code, samples, peakMb: peakKb / 1024, summary: out.filter((l) => l.startsWith('dry run')).join('\n') });
    });
  });
}

describe.each([
  ['merchant.tsv', Number(process.env.FEED_MB ?? 1000)],
  ['merchant.xml', Number(process.env.FEED_MB ?? 300)],
] as [FeedKind, number][])('a %s feed of %i MB', (kind, mb) => {
  let cdn: FeedFixtureServer;
  afterAll(() => cdn?.close());

  it('is read in flat memory: the import holds a chunk and a row, never the feed', async () => {
    const base = generateCatalog(99, 500).map((x) => x.record);
    cdn = await new FeedFixtureServer({ images: () => undefined }).start();
    const urls = { image: (r: ProductRecord) => `https://cdn.example/${r.id}.jpg`, altImage: () => 'https://cdn.example/alt.jpg', page: (r: ProductRecord) => `https://shop.example/${r.id}` };
    const rowBytes = Buffer.byteLength([...feedChunks(kind, records(base, 2), urls)].at(-2)!);
    const n = Math.round((mb * 1e6) / rowBytes);
    const url = cdn.feed(`big-${kind}`, () => feedChunks(kind, records(base, n), urls));

    const run = await dryRun(url);
    expect(run.code).toBe(0);
    expect(run.summary).toContain(`${n.toLocaleString('en-US')} rows, ${n.toLocaleString('en-US')} importable, 0 with problems`);
    const early = run.samples.filter((s) => s.rows > 0 && s.rows <= n / 10).map((s) => s.rssMb);
    const baseline = Math.max(...early);
    const allowed = baseline + SLACK_MB + (ID_BYTES * n * 0.9) / 2 ** 20;
    process.stdout.write(
      `${kind}: ${mb} MB, ${n} rows of ~${rowBytes} B, JS heap capped at ${HEAP_CAP_MB} MB; RSS after 10% ${baseline.toFixed(0)} MB, ` +
        `peak ${run.peakMb.toFixed(0)} MB (allowed ${allowed.toFixed(0)} MB)\n`,
    );
    expect(early.length).toBeGreaterThan(0);
    expect(run.peakMb).toBeLessThan(allowed);
    expect(run.peakMb).toBeLessThan(300);
  }, 30 * 60_000);
});
