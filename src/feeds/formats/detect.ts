import { looseName } from '../mappers/values';

export const FEED_FORMATS = ['csv', 'jsonl', 'merchant-tsv', 'merchant-xml', 'shopify-csv'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/**
 * Guesses the format from the first bytes and the name. XML and JSON announce themselves; delimited feeds are told
 * apart by their header: Shopify's export has Handle plus Variant Price or Image Src, a Merchant Center TSV has
 * Google's id, title and image_link (tab-separated); any other header is a plain CSV (or TSV).
 */
export function detectFormat(head: string, name = ''): FeedFormat {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) return 'merchant-xml';
  if (text.startsWith('{')) return 'jsonl';
  const headerLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = delimiterOf(headerLine);
  const names = new Set(headerLine.split(delimiter).map((c) => looseName(c.replace(/^"|"$/g, ''))));
  if (names.has('handle') && (names.has('variantprice') || names.has('imagesrc'))) return 'shopify-csv';
  if (delimiter === '\t' && names.has('id') && names.has('title') && names.has('imagelink')) return 'merchant-tsv';
  if (/\.(jsonl|ndjson)$/i.test(name)) return 'jsonl';
  if (/\.xml$/i.test(name)) return 'merchant-xml';
  return 'csv';
}

/** Tab when the header line has more tabs than commas (a plain TSV), else comma. */
export function delimiterOf(headerLine: string): ',' | '\t' {
  const tabs = headerLine.split('\t').length;
  const commas = headerLine.split(',').length;
  return tabs > commas ? '\t' : ',';
}
