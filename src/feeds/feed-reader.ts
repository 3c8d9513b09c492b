/**
 * A feed from bytes to FeedRows: the format's reader, its mapper, then duplicate ids. One pass, streaming: memory
 * holds a chunk, an item (a Shopify product's rows) and the set of ids seen so far — the only state that grows with
 * the feed, by its number of products, not its bytes.
 *
 * Duplicate ids: the first row with an id wins and every later row with it is reported DUPLICATE_ID and not
 * written. A streaming import cannot let a later row win without writing the id twice (and counting it twice), and
 * "first wins" is the rule the API applies within one ingestProducts batch.
 */
import {
  EMPTY_COLUMN_MAP,
  GENERIC_PROFILE,
  MERCHANT_PROFILE,
  reportColumns,
  type ColumnMap,
  type ColumnReport,
  type Profile,
} from './column-map';
import { problem, type FeedRow } from './feed-record';
import type { FeedSource } from './feed-source';
import { openDelimited } from './formats/delimited.adapter';
import { delimiterOf, detectFormat, type FeedFormat } from './formats/detect';
import { openJsonLines } from './formats/jsonl.reader';
import type { RawFeed } from './formats/raw-item';
import { openXmlItems } from './formats/xml-items.adapter';
import { mapItems } from './mappers/profile.mapper';
import { mapShopify, SHOPIFY_COLUMNS } from './mappers/shopify.mapper';

export interface FeedReaderOptions {
  format?: FeedFormat;
  map?: ColumnMap;
  defaultCurrency?: string;
}

export interface OpenFeed {
  format: FeedFormat;
  rows: AsyncIterable<FeedRow>;
  /** The columns so far and what they mean; final once `rows` is exhausted. */
  columns(): ColumnReport;
  /** Bytes of the feed behind the rows handed out so far (for progress against the feed's size). */
  position(): number;
}

export class FeedColumnsError extends Error {
  constructor(readonly report: ColumnReport) {
    const parts = [
      report.missingRequired.length > 0 && `missing required columns for: ${report.missingRequired.join(', ')}`,
      report.missingMapped.length > 0 && `--map names columns the feed does not have: ${report.missingMapped.join(', ')}`,
    ].filter(Boolean);
    super(`The feed cannot be imported: ${parts.join('; ')}`);
    this.name = 'FeedColumnsError';
  }
}

export async function openFeed(source: FeedSource, o: FeedReaderOptions = {}): Promise<OpenFeed> {
  const format = o.format ?? detectFormat(source.head, source.name);
  const map = o.map ?? EMPTY_COLUMN_MAP;
  if (format === 'shopify-csv' && (map.fields.size > 0 || map.attributes.size > 0)) {
    throw new Error('--map does not apply to shopify-csv: the export has fixed columns');
  }
  const raw = await openRaw(source, format);
  const profile: Profile = format.startsWith('merchant') ? MERCHANT_PROFILE : GENERIC_PROFILE;
  const columns = (): ColumnReport => (format === 'shopify-csv' ? shopifyColumns(raw) : reportColumns(raw.names, profile, map));

  // A header names the columns before any row: refuse a feed that can never import instead of failing every row.
  if (raw.header !== undefined) {
    const report = columns();
    if (report.missingRequired.length > 0 || report.missingMapped.length > 0) throw new FeedColumnsError(report);
  }
  const mapped =
    format === 'shopify-csv'
      ? mapShopify(raw.items(), { defaultCurrency: o.defaultCurrency })
      : mapItems(raw.items(), { profile, map, defaultCurrency: o.defaultCurrency });
  return { format, rows: firstIdWins(mapped), columns, position: raw.position };
}

async function openRaw(source: FeedSource, format: FeedFormat): Promise<RawFeed> {
  switch (format) {
    case 'merchant-xml':
      return openXmlItems(source.stream);
    case 'jsonl':
      return openJsonLines(source.stream);
    case 'merchant-tsv':
      return openDelimited(source.stream, { delimiter: '\t' });
    case 'csv':
    case 'shopify-csv':
      return openDelimited(source.stream, { delimiter: delimiterOf(source.head.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '') });
  }
}

async function* firstIdWins(rows: AsyncIterable<FeedRow>): AsyncGenerator<FeedRow> {
  const firstRow = new Map<string, number>();
  for await (const r of rows) {
    if (r.id !== undefined) {
      const first = firstRow.get(r.id);
      if (first !== undefined) {
        yield { row: r.row, line: r.line, id: r.id, problems: [problem('DUPLICATE_ID', `id "${r.id}" already appeared in row ${first}; the first row wins`)] };
        continue;
      }
      firstRow.set(r.id, r.row);
    }
    yield r;
  }
}

function shopifyColumns(raw: RawFeed): ColumnReport {
  const names = [...(raw.header ?? raw.names)];
  const known = new Set<string>(SHOPIFY_COLUMNS);
  const has = (c: string) => names.includes(c);
  return {
    mapped: SHOPIFY_COLUMNS.filter(has).map((c) => [c, c]),
    missingRequired: (
      [
        ['Handle', 'id'],
        ['Title', 'title'],
        ['Image Src', 'image'],
      ] as const
    )
      .filter(([c]) => !has(c))
      .map(([, target]) => target),
    missingMapped: [],
    unmapped: names.filter((n) => !known.has(n)),
  };
}
