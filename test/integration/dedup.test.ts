/**
 * Duplicates end to end on real Elasticsearch and the real model: `npm run dedup` in-process over a synthetic catalog
 * with planted copies, and a feed import that flags rows whose image is already in the catalog under another id.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createServices, createDedupRuntime, type Services } from '../../src/app';
import { runDedupCommand } from '../../src/duplicates/dedup-command';
import { feedChunks } from '../../tools/synth/feeds';
import { nearDuplicate, syntheticCatalog, toInput, type FixtureProduct } from '../support/catalog';
import { FeedFixtureServer } from '../support/feed-fixture-server';
import { importFeed } from '../support/import-harness';
import { testConfig } from '../support/server';

const SEED = 808;
const N = 30;
const alias = `test-dedup-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
const config = testConfig({ ES_INDEX_ALIAS: alias });

function capture(): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY: false, write: (c: string) => (chunks.push(String(c)), true), text: () => chunks.join('') } as never;
}

let services: Services;
let catalog: FixtureProduct[];
let tmp: string;

beforeAll(async () => {
  services = await createServices(config);
  catalog = await syntheticCatalog(SEED, N);
  const copies = [
    { of: 2, kind: 'reencode' as const },
    { of: 2, kind: 'resize' as const },
    { of: 9, kind: 'watermark' as const },
  ];
  const inputs = [
    ...catalog.map((p) => toInput(p)),
    ...(await Promise.all(copies.map(async (c) => toInput({ record: catalog[c.of]!.record, jpeg: await nearDuplicate(SEED, N, c.of, c.kind) }, { id: `copy-${c.of}-${c.kind}` })))),
  ];
  const outcomes = await services.ingest.ingest(inputs as never, { refresh: true });
  expect(outcomes.filter((o) => !o.ok)).toEqual([]);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dedup-'));
});

afterAll(async () => {
  await services?.index.dropAll();
  await services?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('npm run dedup', () => {
  it('writes every DUPLICATE cluster to the CSV, with progress lines and a summary', async () => {
    const report = path.join(tmp, 'dups.csv');
    const stdout = capture();
    const stderr = capture();
    const code = await runDedupCommand(['--report', report], { stdout, stderr, progressEveryMs: 0, boot: () => createDedupRuntime(config) });
    expect([code, stderr.text()]).toEqual([0, '']);
    const rows = parse(await fs.readFile(report), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.cluster, r.size, r.role, r.id, r.relation])).toEqual([
      ['1', '3', 'representative', 'copy-2-reencode', ''],
      ['1', '3', 'member', 'copy-2-resize', 'DUPLICATE'],
      ['1', '3', 'member', 'p-000002', 'DUPLICATE'],
      ['2', '2', 'representative', 'copy-9-watermark', ''],
      ['2', '2', 'member', 'p-000009', 'DUPLICATE'],
    ]);
    for (const r of rows.filter((x) => x.role === 'member')) expect(Number(r.similarity)).toBeGreaterThanOrEqual(services.embedder.relationThresholds!.duplicate);
    const lines = stdout.text().split('\n');
    expect(lines.filter((l) => l.startsWith('dedup: ') && l.includes('products (')).at(-1)).toMatch(new RegExp(`^dedup: ${N + 3}/${N + 3} products \\(100%\\)`));
    expect(stdout.text()).toContain(`dedup: ${N + 3} products in `);
    expect(stdout.text()).toContain('  2 clusters holding 5 products (3 beyond one per cluster)');
  });

  it('refuses a bad level with usage', async () => {
    const stderr = capture();
    const code = await runDedupCommand(['--min-relation', 'similar'], { stdout: capture(), stderr, boot: () => createDedupRuntime(config) });
    expect([code, stderr.text().split('\n')[0]]).toEqual([2, '--min-relation must be DUPLICATE or VARIANT']);
  });
});

describe('a feed import over a catalog', () => {
  it('flags a row whose image is already in the catalog under another id', async () => {
    const copy = await nearDuplicate(SEED, N, 5, 'reencode');
    const records = [{ ...catalog[5]!.record, id: 'feed-copy-5' }, { ...catalog[5]!.record, id: 'feed-unrelated', title: 'Unrelated' }];
    const images = new Map([
      ['feed-copy-5', copy],
      ['feed-unrelated', catalog[20]!.jpeg],
    ]);
    // p-000020 is in the catalog too: the "unrelated" row reuses its photo
    const cdn = await new FeedFixtureServer({ images: (id) => images.get(id) }).start();
    try {
      const urls = { image: (r: { id: string }) => cdn.url(`/images/${r.id}.jpg`), altImage: () => '', page: (r: { id: string }) => cdn.url(`/p/${r.id}`) };
      const report = path.join(tmp, 'import-errors.csv');
      const run = await importFeed(alias, [cdn.feed('copies.jsonl', () => feedChunks('products.jsonl', records, urls as never)), '--errors', report]);
      expect([run.code, run.stderr]).toEqual([0, '']);
      expect(run.stdout).toContain('created 2, updated 0, unchanged 0, failed 0');
      expect(run.stdout).toContain('already in catalog: 2 rows duplicate');
      const rows = parse(await fs.readFile(report), { columns: true }) as Record<string, string>[];
      expect(rows.map((r) => [r.row, r.id, r.code, r.message.replace(/\(cosine [0-9.]+\)/, '(cosine …)')])).toEqual([
        ['1', 'feed-copy-5', 'ALREADY_IN_CATALOG', 'Imported, but its image duplicates product "p-000005" (cosine …)'],
        ['2', 'feed-unrelated', 'ALREADY_IN_CATALOG', 'Imported, but its image duplicates product "p-000020" (cosine …)'],
      ]);
    } finally {
      await cdn.close();
    }
  });
});
