/** The import command's arguments, parsed and checked before anything is opened. */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseColumnMap, type ColumnMap } from './column-map';
import { FEED_FORMATS, type FeedFormat } from './formats/detect';
import { parseCurrency } from './price';

export const USAGE = `usage: npm run import -- <file-or-url> [options]

  --format F            ${FEED_FORMATS.join(' | ')} (default: detected from the first bytes)
  --map field=column    map a column to a field (repeatable); fields: id title description brand category
                        color price currency availability tags image images additional_images group_id (groupId)
                        link version attributes, or attributes.<name>. images is a list (JSON array, or URLs
                        separated by commas); image, images and additional_images together give the product's
                        images in that order, up to PRODUCT_MAX_IMAGES (default 8)
  --currency CODE       currency of prices that name none (Shopify exports, plain CSVs)
  --image-base-url URL  resolve relative image URLs against this (default: the feed's URL)
  --dry-run             validate and report; fetch no image, write nothing (with --delete-missing: list
                        what would be deleted)
  --feed-name NAME      the name products of this feed are recorded under (attributes.feed_source); default:
                        the URL's host and path (a query string only as a hash) or the file's name. Give one
                        when the file name or URL changes from run to run (dated files, rotating tokens)
  --delete-missing      after a complete run, delete the products recorded under this feed name that the feed
                        no longer lists (never products from other feeds or the API)
  --max-delete-percent P  --delete-missing refuses to delete more than P % of this feed's products (default 20)
  --force               delete past --max-delete-percent
  --max-bad-rows-percent P  --delete-missing deletes nothing when more than P % of the rows have problems of
                        their own (malformed, missing id, bad values; default 1)
  --errors FILE         write one CSV line per failed row (row, line, id, code, message)
  --concurrency N       images fetched at once (default 16)
  --per-host N          requests at once to one image host (default 8)
  --host-delay-ms MS    pause between two request starts to one host (default 0)
  --retries N           further attempts for 5xx, 408, 429, timeouts and dropped connections (default 3)
  --image-hosts LIST    comma-separated image hosts (cdn.shop.com,*.shopifycdn.com); overrides IMAGE_FETCH_ALLOWED_HOSTS
  --batch-size N        rows per Elasticsearch round trip (default 32)
  --progress-every-ms MS  plain progress line interval when not on a terminal (default 5000)

exit codes: 0 every row imported (or valid, with --dry-run); 1 some rows failed (see --errors);
            2 nothing could be imported (bad arguments, unreadable feed, missing columns, Elasticsearch or model down);
            3 the rows were imported but --delete-missing refused to delete (the reason is printed);
            130 interrupted (run again to continue)`;

export interface ImportArgs {
  source: string;
  format?: FeedFormat;
  map: ColumnMap;
  currency?: string;
  imageBaseUrl?: string;
  dryRun: boolean;
  errors?: string;
  concurrency: number;
  perHost: number;
  hostDelayMs: number;
  retries: number;
  imageHosts?: string[];
  batchSize: number;
  progressEveryMs: number;
  feedName: string;
  deleteMissing: boolean;
  /** Shares, 0..1. */
  maxDeleteShare: number;
  maxBadRowShare: number;
  force: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n\n${USAGE}`);
    this.name = 'UsageError';
  }
}

export function parseImportArgs(argv: readonly string[]): ImportArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        map: { type: 'string', multiple: true },
        currency: { type: 'string' },
        'image-base-url': { type: 'string' },
        'dry-run': { type: 'boolean' },
        errors: { type: 'string' },
        concurrency: { type: 'string' },
        'per-host': { type: 'string' },
        'host-delay-ms': { type: 'string' },
        retries: { type: 'string' },
        'image-hosts': { type: 'string' },
        'batch-size': { type: 'string' },
        'progress-every-ms': { type: 'string' },
        'feed-name': { type: 'string' },
        'delete-missing': { type: 'boolean' },
        'max-delete-percent': { type: 'string' },
        'max-bad-rows-percent': { type: 'string' },
        force: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('give exactly one feed file or URL');
  if (v.format !== undefined && !(FEED_FORMATS as readonly string[]).includes(v.format)) {
    throw new UsageError(`--format "${v.format}" is not one of ${FEED_FORMATS.join(', ')}`);
  }
  const currency = v.currency === undefined ? undefined : parseCurrency(v.currency);
  if (currency && !currency.ok) throw new UsageError(`--currency: ${currency.problem.message}`);
  if (v['image-base-url'] !== undefined && !URL.canParse(v['image-base-url'])) {
    throw new UsageError(`--image-base-url "${v['image-base-url']}" is not an absolute URL`);
  }
  let map: ColumnMap;
  try {
    map = parseColumnMap(v.map ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    source: positionals[0]!,
    format: v.format as FeedFormat | undefined,
    map,
    currency: currency?.ok ? currency.currency : undefined,
    imageBaseUrl: v['image-base-url'],
    dryRun: v['dry-run'] ?? false,
    errors: v.errors,
    concurrency: int('--concurrency', v.concurrency, 16, 1, 256),
    perHost: int('--per-host', v['per-host'], 8, 1, 256),
    hostDelayMs: int('--host-delay-ms', v['host-delay-ms'], 0, 0, 60_000),
    retries: int('--retries', v.retries, 3, 0, 10),
    imageHosts: v['image-hosts']?.split(',').map((h) => h.trim()).filter(Boolean),
    batchSize: int('--batch-size', v['batch-size'], 32, 1, 1000),
    progressEveryMs: int('--progress-every-ms', v['progress-every-ms'], 5000, 100, 3_600_000),
    feedName: feedName(v['feed-name'], positionals[0]!),
    deleteMissing: v['delete-missing'] ?? false,
    maxDeleteShare: percent('--max-delete-percent', v['max-delete-percent'], 20),
    maxBadRowShare: percent('--max-bad-rows-percent', v['max-bad-rows-percent'], 1),
    force: v.force ?? false,
  };
}

/**
 * The name a feed's products are recorded under. It is stored on every product and returned with it, so a URL's
 * credentials and query string (which often carries an access token) are never part of it; the query still tells
 * two feeds of one endpoint apart, as a hash.
 */
export function defaultFeedName(source: string): string {
  if (/^https?:\/\//i.test(source) && URL.canParse(source)) {
    const u = new URL(source);
    const query = u.search.length > 1 ? `?${createHash('sha256').update(u.search).digest('hex').slice(0, 12)}` : '';
    return bounded(`${u.host}${u.pathname}${query}`);
  }
  return bounded(path.basename(source));
}

/** Long names keep their start and a hash of the whole, within the 200 characters --feed-name allows. */
function bounded(name: string): string {
  return name.length <= 200 ? name : `${name.slice(0, 186)}#${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}

function feedName(given: string | undefined, source: string): string {
  if (given === undefined) return defaultFeedName(source);
  const name = given.trim();
  if (name === '' || name.length > 200) throw new UsageError('--feed-name must be 1-200 characters');
  return name;
}

function percent(flag: string, text: string | undefined, fallback: number): number {
  const p = text === undefined ? fallback : Number(text.replace(/%$/, ''));
  if (!Number.isFinite(p) || p < 0 || p > 100) throw new UsageError(`${flag} must be a number from 0 to 100, got "${text}"`);
  return p / 100;
}

function int(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}
