/**
 * Product feeds in the formats `npm run import` reads, written from synthetic catalog records: Google Merchant
 * Center TSV and RSS/XML, a Shopify products export (three rows per product: a second variant with a second image,
 * then a third image alone), a plain CSV and JSON Lines. Every format gives each product three images (the main one
 * and two more; the same URL twice where a caller's altImage ignores `k`) and a variant group shared by one brand's
 * products of a category (Shopify: the handle). Generators of text chunks, so a feed of any size can be streamed without holding it.
 * Pure: the caller says where the images live.
 */
import type { ProductRecord } from './catalog';

export interface FeedUrls {
  /** The main image of a product. */
  image(r: ProductRecord): string;
  /** Further image k (1, 2): additional_image_link, Shopify's further image rows, the CSV/JSONL images list. */
  altImage(r: ProductRecord, k: number): string;
  /** The product page. */
  page(r: ProductRecord): string;
}

export const FEED_KINDS = ['merchant.tsv', 'merchant.xml', 'shopify.csv', 'products.csv', 'products.jsonl'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

export function* feedChunks(kind: FeedKind, records: Iterable<ProductRecord>, urls: FeedUrls): Generator<string> {
  switch (kind) {
    case 'merchant.tsv':
      return yield* merchantTsv(records, urls);
    case 'merchant.xml':
      return yield* merchantXml(records, urls);
    case 'shopify.csv':
      return yield* shopifyCsv(records, urls);
    case 'products.csv':
      return yield* plainCsv(records, urls);
    case 'products.jsonl':
      for (const r of records) yield `${JSON.stringify({ ...r, image: urls.image(r), images: altImages(r, urls), groupId: groupOf(r) })}\n`;
  }
}

/** The variant group of a record: one brand's products of a category, as "styles". */
export function groupOf(r: ProductRecord): string {
  return `${r.brand}-${r.category}`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function altImages(r: ProductRecord, urls: FeedUrls): string[] {
  return [urls.altImage(r, 1), urls.altImage(r, 2)];
}

/** Google's fields for one record (additional_image_link comma-separated, as in TSV). */
export function merchantFields(r: ProductRecord, urls: FeedUrls): [string, string][] {
  return [
    ['id', r.id],
    ['title', r.title],
    ['description', r.description],
    ['link', urls.page(r)],
    ['image_link', urls.image(r)],
    ['additional_image_link', altImages(r, urls).join(',')],
    ['price', `${r.price.toFixed(2)} ${r.currency}`],
    ['availability', r.inStock ? 'in_stock' : 'out_of_stock'],
    ['brand', r.brand],
    ['product_type', `Catalog > ${r.category}`],
    ['google_product_category', '5181'],
    ['color', r.color],
    ['item_group_id', groupOf(r)],
    ['material', r.attributes.material ?? ''],
    ['pattern', r.pattern],
    ['custom_label_0', r.attributes.style ?? ''],
  ];
}

function* merchantTsv(records: Iterable<ProductRecord>, urls: FeedUrls): Generator<string> {
  let header = true;
  for (const r of records) {
    const fields = merchantFields(r, urls);
    if (header) yield `${fields.map(([k]) => k).join('\t')}\n`;
    header = false;
    yield `${fields.map(([, v]) => v.replace(/[\t\r\n]+/g, ' ')).join('\t')}\n`;
  }
}

function* merchantXml(records: Iterable<ProductRecord>, urls: FeedUrls): Generator<string> {
  yield '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">\n<channel>\n';
  yield '<title>Synthetic shop</title>\n<link>https://shop.example</link>\n<description>Synthetic catalog</description>\n';
  for (const r of records) {
    // XML repeats additional_image_link once per image.
    const fields = merchantFields(r, urls).flatMap(([k, v]) =>
      k === 'title' || k === 'description' || k === 'link'
        ? [`<${k}>${xml(v)}</${k}>`]
        : k === 'additional_image_link'
          ? altImages(r, urls).map((u) => `<g:${k}>${xml(u)}</g:${k}>`)
          : [`<g:${k}>${xml(v)}</g:${k}>`],
    );
    yield `<item>\n${fields.join('\n')}\n</item>\n`;
  }
  yield '</channel>\n</rss>\n';
}

const SHOPIFY_HEADER = [
  'Handle', 'Title', 'Body (HTML)', 'Vendor', 'Product Category', 'Type', 'Tags', 'Published',
  'Option1 Name', 'Option1 Value', 'Option2 Name', 'Option2 Value', 'Variant SKU', 'Variant Inventory Tracker',
  'Variant Inventory Qty', 'Variant Inventory Policy', 'Variant Price', 'Image Src', 'Image Position', 'Status',
];

/**
 * Three rows per product: the product with variant S and image 1, variant M (never in stock) with image 2, and a row
 * with only image 3, as exports list images beyond the variants.
 */
function* shopifyCsv(records: Iterable<ProductRecord>, urls: FeedUrls): Generator<string> {
  yield `${SHOPIFY_HEADER.map(csv).join(',')}\n`;
  for (const r of records) {
    const first = [
      r.id, r.title, `<p>${r.description}</p>`, r.brand, `Catalog > ${r.category}`, r.category, r.tags.join(', '), 'true',
      'Size', 'S', 'Color', r.color, `${r.id}-s`, 'shopify', r.inStock ? '5' : '0', 'deny', r.price.toFixed(2),
      urls.image(r), '1', 'active',
    ];
    const second = [
      r.id, '', '', '', '', '', '', '',
      '', 'M', '', r.color, `${r.id}-m`, 'shopify', '0', 'deny', (r.price + 2).toFixed(2),
      urls.altImage(r, 1), '2', '',
    ];
    const third = [r.id, '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', urls.altImage(r, 2), '3', ''];
    yield `${[first, second, third].map((row) => row.map(csv).join(',')).join('\n')}\n`;
  }
}

function* plainCsv(records: Iterable<ProductRecord>, urls: FeedUrls): Generator<string> {
  yield 'id,title,description,brand,category,color,price,currency,inStock,tags,image,images,groupId,material\n';
  for (const r of records) {
    const row = [
      r.id, r.title, r.description, r.brand, r.category, r.color, r.price.toFixed(2), r.currency, String(r.inStock), r.tags.join(','),
      urls.image(r), altImages(r, urls).join(','), groupOf(r), r.attributes.material ?? '',
    ];
    yield `${row.map(csv).join(',')}\n`;
  }
}

function csv(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function xml(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
