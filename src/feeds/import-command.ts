/**
 * `npm run import`: the command around FeedImportService — arguments, the feed source, the progress view, the error
 * report, Ctrl-C, the summary and the exit code. The services it writes through come from `boot` (the composition
 * root, scripts/import-feed.ts), so this module stays below the app and runs in-process in tests.
 */
import { AppError } from '../common/errors';
import type { ImageSource } from '../sources/image-source';
import { checkImageUrl, hostAllowed, parseAllowlist, parseHostAllowlist } from '../sources/address-policy';
import type { ColumnReport } from './column-map';
import { planPrune, prune, type FeedCatalog, type PrunePlan, type PruneResult } from './delete-missing';
import { openErrorReport, type ErrorSink } from './error-report';
import { FeedImportService, type Ingest, type ImportSummary } from './feed-import.service';
import { FeedColumnsError, openFeed } from './feed-reader';
import { FeedReadError, openFeedSource } from './feed-source';
import { HostScheduler } from './host-scheduler';
import { parseImportArgs, UsageError, type ImportArgs } from './import-args';
import { PoliteImageSource, type FetchStats } from './polite-image-source';
import { createProgressView } from './progress';

/** What the command needs from a booted app: the API's image source and an ingest service over another one. */
export interface ImportRuntime {
  images: ImageSource;
  ingestWith(images: ImageSource): Ingest;
  /** The catalog as the API writes it (deletions reach a shadow index being built too). */
  catalog: FeedCatalog;
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export interface CommandContext {
  /** Boots Elasticsearch and the model; `allowedHosts` (from --image-hosts) overrides the configured host list. */
  boot(o: { allowedHosts?: string[] }): Promise<ImportRuntime>;
  /** The configured URL policy, for the dry run's checks. */
  imagePolicy: { allowPrivateCidrs: string[]; allowedHosts: string[] };
  /** PRODUCT_MAX_IMAGES: images kept per product. */
  maxImages: number;
  /** The catalog read-only, without the model, for `--dry-run --delete-missing` (an absent index reads as empty). */
  readCatalog(): Promise<FeedCatalog & { close(): Promise<void> }>;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Fired like a first Ctrl-C (finish the batches in flight); tests use it to interrupt. */
  stop?: AbortSignal;
}

export const EXIT = { OK: 0, ROWS_FAILED: 1, FATAL: 2, DELETE_REFUSED: 3, INTERRUPTED: 130 } as const;

/** What --delete-missing did after the run. */
interface PruneReport {
  plan: PrunePlan;
  /** Absent in a dry run and when refused. */
  result?: PruneResult;
}

export async function runImportCommand(argv: readonly string[], ctx: CommandContext): Promise<number> {
  let args: ImportArgs;
  try {
    args = parseImportArgs(argv);
  } catch (e) {
    ctx.stderr.write(`${(e as Error).message}\n`);
    return EXIT.FATAL;
  }
  const soft = new AbortController();
  const hard = new AbortController();
  ctx.stop?.addEventListener('abort', () => soft.abort(ctx.stop!.reason), { once: true });
  const onSignal = () => {
    if (!soft.signal.aborted) {
      ctx.stderr.write('\nstopping: finishing the batches in flight (Ctrl-C again to abandon them)\n');
      soft.abort();
    } else hard.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let report: ErrorSink | undefined;
  let runtime: ImportRuntime | undefined;
  let reader: (FeedCatalog & { close(): Promise<void> }) | undefined;
  try {
    const source = await openFeedSource(args.source, hard.signal);
    const feed = await openFeed(source, { format: args.format, map: args.map, defaultCurrency: args.currency });
    report = args.errors !== undefined ? openErrorReport(args.errors) : undefined;
    const view = createProgressView(ctx.stdout, { intervalMs: args.progressEveryMs });
    const common = {
      baseUrl: args.imageBaseUrl ?? source.baseUrl,
      onFailure: report ? (f: Parameters<ErrorSink['add']>[0]) => report!.add(f) : undefined,
      onProgress: view.update,
      bytesRead: feed.position,
      totalBytes: source.size,
      stop: soft.signal,
      signal: hard.signal,
      maxImages: ctx.maxImages,
      feedName: args.feedName,
      seenIds: args.deleteMissing ? new Set<string>() : undefined,
    };
    let summary: ImportSummary;
    let fetchStats: FetchStats | undefined;
    if (args.dryRun) {
      summary = await new FeedImportService(noIngest).run(feed.rows, { ...common, dryRun: true, checkImageUrl: urlPolicy(args, ctx) });
    } else {
      runtime = await ctx.boot({ allowedHosts: args.imageHosts });
      const polite = new PoliteImageSource(
        runtime.images,
        new HostScheduler({ concurrency: args.concurrency, perHost: args.perHost, hostDelayMs: args.hostDelayMs }),
        { retries: args.retries, baseDelayMs: 250, maxDelayMs: 8000 },
      );
      fetchStats = polite.stats;
      summary = await new FeedImportService(runtime.ingestWith(polite)).run(feed.rows, {
        ...common,
        batchSize: args.batchSize,
        concurrency: args.concurrency,
      });
      await runtime.refresh();
    }
    view.stop(summary);
    let pruned: PruneReport | undefined;
    // An interrupted run deletes nothing (planPrune would refuse too): no need to read the catalog on the way out.
    if (args.deleteMissing && !summary.interrupted) {
      const catalog = runtime?.catalog ?? (reader = await ctx.readCatalog());
      const plan = await planPrune(catalog, args.feedName, common.seenIds!, summary, args);
      const go = !args.dryRun && plan.refused === undefined && plan.missing.length > 0;
      pruned = { plan, result: go ? await prune(catalog, plan.missing, { stop: soft.signal, onFailure: common.onFailure }) : undefined };
      if (go) await runtime!.refresh();
    }
    await report?.close();
    report = undefined;
    printSummary(ctx.stdout, args, feed.format, summary, feed.columns(), fetchStats);
    if (pruned) printPrune(ctx.stdout, args, pruned);
    if (summary.interrupted || pruned?.result?.interrupted) return EXIT.INTERRUPTED;
    if (pruned?.plan.refused !== undefined) return EXIT.DELETE_REFUSED;
    return summary.failed > 0 || (pruned?.result?.failed ?? 0) > 0 ? EXIT.ROWS_FAILED : EXIT.OK;
  } catch (e) {
    const known = e instanceof FeedColumnsError || e instanceof FeedReadError || e instanceof UsageError || e instanceof AppError;
    const detail = known ? e.message : String((e as Error)?.stack ?? e);
    ctx.stderr.write(`\nimport failed: ${detail}\n`);
    ctx.stderr.write('Rows acknowledged before the failure are stored; run the same command again to continue.\n');
    return EXIT.FATAL;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await report?.close().catch(() => undefined);
    await reader?.close();
    await runtime?.close();
  }
}

const noIngest: Ingest = {
  ingest: () => Promise.reject(new Error('a dry run writes nothing')),
};

/** The checks of the fetcher's URL policy that need no network, for the dry run. */
function urlPolicy(args: ImportArgs, ctx: CommandContext): (url: string) => string | undefined {
  const addresses = parseAllowlist(ctx.imagePolicy.allowPrivateCidrs);
  const hosts = parseHostAllowlist(args.imageHosts ?? ctx.imagePolicy.allowedHosts);
  return (url) => {
    const verdict = checkImageUrl(url, addresses);
    if (!verdict.allowed) return `Image URL refused: ${verdict.reason}`;
    if (!hostAllowed(verdict.url.hostname, hosts)) return 'Image URL refused: host is not on the allowed image hosts list';
    return undefined;
  };
}

const n = (x: number) => x.toLocaleString('en-US');

function printSummary(
  out: NodeJS.WriteStream,
  args: ImportArgs,
  format: string,
  s: ImportSummary,
  columns: ColumnReport,
  fetch: FetchStats | undefined,
): void {
  const lines: string[] = [];
  const rate = s.seconds > 0 ? ` (${(s.done / s.seconds).toFixed(1)} rows/s)` : '';
  if (args.dryRun) {
    lines.push(`dry run: ${args.source} (${format}): ${n(s.done)} rows, ${n(s.valid)} importable, ${n(s.failed)} with problems; nothing was fetched or written`);
    lines.push(`  columns: ${columns.mapped.map(([f, c]) => (f === c ? f : `${c} -> ${f}`)).join(', ')}`);
  } else {
    lines.push(`import: ${args.source} (${format}): ${n(s.done)} rows in ${s.seconds.toFixed(1)}s${rate}${s.interrupted ? ', interrupted' : ''}`);
    lines.push(`  created ${n(s.created)}, updated ${n(s.updated)}, unchanged ${n(s.unchanged)}, failed ${n(s.failed)}`);
    if (s.alreadyInCatalog > 0) {
      lines.push(`  already in catalog: ${n(s.alreadyInCatalog)} rows duplicate another product's image (ALREADY_IN_CATALOG in the error report)`);
    }
    if (fetch) {
      lines.push(
        `  images: ${n(fetch.downloaded)} downloaded (${(fetch.bytes / 1e6).toFixed(1)} MB), ${n(fetch.notModified)} not modified (304), ${n(fetch.retries)} retries`,
      );
    }
  }
  if (columns.unmapped.length > 0) lines.push(`  unmapped columns (ignored): ${columns.unmapped.join(', ')}`);
  const codes = Object.entries(s.byCode).sort((a, b) => b[1] - a[1]);
  if (codes.length > 0) lines.push(`  failed by code: ${codes.map(([c, k]) => `${c} ${n(k)}`).join(', ')}`);
  if (args.errors !== undefined) lines.push(`  error report: ${args.errors}`);
  if (s.interrupted) lines.push('  interrupted: run the same command again to continue (stored rows are found unchanged)');
  out.write(`${lines.join('\n')}\n`);
}

/** Kept products listed by id in the summary, at most. */
const LISTED = 20;

function printPrune(out: NodeJS.WriteStream, args: ImportArgs, { plan, result }: PruneReport): void {
  const lines: string[] = [];
  const of = `of the ${n(plan.owned)} products recorded under feed "${args.feedName}"`;
  if (plan.refused !== undefined) {
    lines.push(`  delete-missing: refused, nothing deleted: ${plan.refused}`);
    lines.push(`  not in the feed: ${n(plan.missing.length)} ${of}`);
  } else if (args.dryRun) {
    lines.push(`  would delete ${n(plan.missing.length)} ${of}${plan.missing.length > 0 ? ':' : ''}`);
    for (const { id } of plan.missing) lines.push(`    ${id}`);
  } else {
    const r = result ?? { deleted: 0, gone: 0, changed: [], failed: 0, interrupted: false };
    lines.push(`  deleted ${n(r.deleted)} ${of} (not in the feed any more), failed ${n(r.failed)}${r.gone > 0 ? `, ${n(r.gone)} already gone` : ''}`);
    if (r.changed.length > 0) {
      lines.push(`  kept ${n(r.changed.length)} not in the feed but written since the scan (by another writer; the next run decides again):`);
      for (const id of r.changed.slice(0, LISTED)) lines.push(`    ${id}`);
      if (r.changed.length > LISTED) lines.push(`    … and ${n(r.changed.length - LISTED)} more`);
    }
    if (r.failed > 0) lines.push(`  delete failures: DELETE_FAILED in the error report${args.errors === undefined ? ' (pass --errors FILE)' : ''}`);
    if (r.interrupted) lines.push('  deletion interrupted: run the same command again to finish it');
  }
  out.write(`${lines.join('\n')}\n`);
}
