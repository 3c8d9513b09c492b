/**
 * `npm run dedup -- --report out.csv [--min-relation DUPLICATE|VARIANT] [--k 10] [--concurrency 4]`: every duplicate
 * cluster of the catalog into a CSV (one line per product), with a progress bar; for catalogs too large to list
 * through the API. The services come from `boot` (the composition root, scripts/dedup.ts), so this runs in-process in
 * tests.
 */
import { parseArgs } from 'node:util';
import { Relation } from '../catalog/relation';
import { AppError } from '../common/errors';
import { openCsvWriter } from '../feeds/error-report';
import { createCountProgress } from '../feeds/progress';
import type { DuplicateCluster } from './cluster-scan';

export interface DedupRuntime {
  scan(
    minRelation: Relation,
    o: { onProgress?: (done: number) => void; signal?: AbortSignal; concurrency?: number; k?: number },
  ): Promise<DuplicateCluster[]>;
  count(): Promise<number>;
  close(): Promise<void>;
}

export interface DedupContext {
  boot(): Promise<DedupRuntime>;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Progress lines every this many ms when stdout is not a terminal. */
  progressEveryMs?: number;
}

export const DEDUP_USAGE = `usage: npm run dedup -- [--report out.csv] [--min-relation DUPLICATE|VARIANT] [--k 10] [--concurrency 4]
  --report        write every cluster to this CSV: cluster,size,role,id,title,relation,similarity
  --min-relation  DUPLICATE (same image; default) or VARIANT (also colour/pattern variants and other shots)
  --k             neighbours asked per product (default 10; a product joins more than k copies through them)
  --concurrency   nearest-neighbour queries in flight (default 4)`;

export const REPORT_COLUMNS = ['cluster', 'size', 'role', 'id', 'title', 'relation', 'similarity'] as const;

function positive(name: string, v: string | undefined, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1 || x > max) throw new Error(`--${name} must be an integer from 1 to ${max}`);
  return x;
}

export async function runDedupCommand(argv: readonly string[], ctx: DedupContext): Promise<number> {
  let args: { report?: string; min: Relation; k: number; concurrency: number };
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { report: { type: 'string' }, 'min-relation': { type: 'string' }, k: { type: 'string' }, concurrency: { type: 'string' } },
      strict: true,
    });
    const min = (values['min-relation'] ?? 'DUPLICATE').toUpperCase();
    if (min !== Relation.DUPLICATE && min !== Relation.VARIANT) throw new Error('--min-relation must be DUPLICATE or VARIANT');
    args = { report: values.report, min, k: positive('k', values.k, 10, 100), concurrency: positive('concurrency', values.concurrency, 4, 64) };
  } catch (e) {
    ctx.stderr.write(`${(e as Error).message}\n${DEDUP_USAGE}\n`);
    return 2;
  }
  let runtime: DedupRuntime | undefined;
  try {
    runtime = await ctx.boot();
    const total = await runtime.count();
    const started = Date.now();
    const bar = createCountProgress(ctx.stdout, { label: 'dedup', unit: 'products', total, intervalMs: ctx.progressEveryMs });
    let done = 0;
    const clusters = await runtime.scan(args.min, {
      k: args.k,
      concurrency: args.concurrency,
      onProgress: (d) => bar.update((done = d)),
    });
    bar.stop(done);
    const seconds = (Date.now() - started) / 1000;
    if (args.report !== undefined) await writeReport(args.report, clusters);
    const inClusters = clusters.reduce((s, c) => s + c.members.length + 1, 0);
    ctx.stdout.write(
      [
        `dedup: ${done} products in ${seconds.toFixed(1)}s (${(done / Math.max(seconds, 1e-3)).toFixed(1)} products/s), level ${args.min}`,
        `  ${clusters.length} clusters holding ${inClusters} products (${inClusters - clusters.length} beyond one per cluster)`,
        ...(args.report !== undefined ? [`  report: ${args.report}`] : []),
        '',
      ].join('\n'),
    );
    return 0;
  } catch (e) {
    ctx.stderr.write(`\ndedup failed: ${e instanceof AppError ? e.message : String((e as Error)?.stack ?? e)}\n`);
    return 2;
  } finally {
    await runtime?.close();
  }
}

async function writeReport(path: string, clusters: DuplicateCluster[]): Promise<void> {
  const csv = openCsvWriter(path, REPORT_COLUMNS);
  try {
    for (const [i, c] of clusters.entries()) {
      const size = c.members.length + 1;
      const r = c.representative;
      await csv.write({ cluster: i + 1, size, role: 'representative', id: r.id, title: r.title, relation: '', similarity: '' });
      for (const m of c.members) {
        await csv.write({ cluster: i + 1, size, role: 'member', id: m.product.id, title: m.product.title, relation: m.relation, similarity: m.similarity });
      }
    }
  } finally {
    await csv.close();
  }
}
