/**
 * Shopify's product CSV export to FeedRecords. One product spans several rows that share its Handle: the first row
 * carries the product fields, the first variant and the first image; later rows carry further variants (Option
 * values, Variant Price, Variant Image) and further images (Image Src, Image Position). Rows of one handle are
 * consecutive in every export, so the mapper holds one product's rows at a time.
 *
 * One product per handle (its id and its groupId), not one per variant: a Shopify storefront shows, links
 * (/products/<handle>) and recommends products, and its variants (size, colour) share the product's images, so
 * per-variant documents would be near-identical pictures that fill a "similar" strip with one product unless every
 * query collapsed them. Feeds that do list variants as items (Google's, with item_group_id) keep them apart and group
 * them. Price is the lowest variant price, inStock is true when any variant can be sold
 * (not tracked, quantity above 0, or "continue selling when out of stock"), colour comes from an option named
 * Color/Colour, other options become attributes listing their values, images are ordered by Image Position with
 * variant images after them. The export names no currency: it is the shop's, given with --currency.
 */
import { ColumnLookup } from '../column-map';
import { problem, type FeedRecord, type FeedRow, type RowProblem } from '../feed-record';
import { parsePrice } from '../price';
import type { RawItem } from '../formats/raw-item';
import { categoryOf, list, text } from './values';

export interface ShopifyOptions {
  defaultCurrency?: string;
}

/** The Shopify columns the mapper reads, for the unmapped-columns report. */
export const SHOPIFY_COLUMNS = [
  'Handle',
  'Title',
  'Body (HTML)',
  'Vendor',
  'Product Category',
  'Type',
  'Tags',
  'Option1 Name',
  'Option1 Value',
  'Option2 Name',
  'Option2 Value',
  'Option3 Name',
  'Option3 Value',
  'Variant Inventory Tracker',
  'Variant Inventory Qty',
  'Variant Inventory Policy',
  'Variant Price',
  'Image Src',
  'Image Position',
  'Variant Image',
  'Status',
] as const;
type Column = (typeof SHOPIFY_COLUMNS)[number];

interface Group {
  handle: string;
  row: number;
  line?: number;
  rows: Record<string, unknown>[];
  broken: RowProblem[];
}

export async function* mapShopify(items: AsyncIterable<RawItem>, o: ShopifyOptions): AsyncGenerator<FeedRow> {
  let lookup: ColumnLookup | undefined;
  let group: Group | undefined;
  let products = 0;
  for await (const item of items) {
    if (!item.ok) {
      // A row we cannot read may belong to the open product: that product fails whole rather than lose a variant.
      const p = problem('MALFORMED_ROW', `row at line ${item.line ?? '?'} could not be read: ${item.message}`);
      if (group) group.broken.push(p);
      else yield { row: ++products, line: item.line, problems: [p] };
      continue;
    }
    lookup ??= new ColumnLookup(Object.keys(item.cells));
    const handle = text(item.cells[lookup.find('Handle') ?? 'Handle']);
    if (group && handle !== undefined && handle === group.handle) {
      group.rows.push(item.cells);
      continue;
    }
    if (group) yield toRow(group, lookup, o);
    group = { handle: handle ?? '', row: ++products, line: item.line, rows: [item.cells], broken: [] };
  }
  if (group) yield toRow(group, lookup!, o);
}

function toRow(g: Group, lookup: ColumnLookup, o: ShopifyOptions): FeedRow {
  const get = (cells: Record<string, unknown>, c: Column) => text(cells[lookup.find(c) ?? c]);
  const problems = [...g.broken];
  const id = g.handle || undefined;
  if (id === undefined) problems.push(problem('MISSING_VALUE', 'Handle is empty'));
  const head = g.rows.find((r) => get(r, 'Title') !== undefined) ?? g.rows[0]!;

  const variants = g.rows.filter((r) => get(r, 'Variant Price') !== undefined);
  let price: number | undefined;
  let currency: string | undefined;
  for (const v of variants) {
    const p = parsePrice(get(v, 'Variant Price')!, o.defaultCurrency);
    if (!p.ok) problems.push(p.problem);
    else if (price === undefined || p.price < price) [price, currency] = [p.price, p.currency];
  }
  if (id === undefined || problems.length > 0) return { row: g.row, line: g.line, id, problems };

  const options = optionValues(g.rows, variants, (r, c) => get(r, c));
  const colorKey = [...options.keys()].find((k) => /^colou?r$/i.test(k));
  const attributes: Record<string, string> = {};
  for (const [name, values] of options) if (name !== colorKey) attributes[name.toLowerCase()] = values.join(', ');
  const status = get(head, 'Status');
  if (status !== undefined) attributes.status = status;
  const productCategory = get(head, 'Product Category');
  if (productCategory !== undefined) attributes.product_category = productCategory;

  const images = imagesOf(g.rows, (r, c) => get(r, c));
  const record: FeedRecord = {
    id,
    title: get(head, 'Title'),
    description: htmlToText(get(head, 'Body (HTML)')),
    brand: get(head, 'Vendor'),
    category: get(head, 'Type') ?? categoryOf(productCategory),
    color: colorKey !== undefined ? options.get(colorKey)![0] : undefined,
    price,
    currency,
    inStock: variants.length === 0 ? undefined : variants.some((v) => sellable(v, (r, c) => get(r, c))),
    tags: list(get(head, 'Tags')),
    attributes,
    imageUrl: images[0],
    additionalImageUrls: images.slice(1),
    groupId: id,
    link: undefined,
  };
  return { row: g.row, line: g.line, id, record, problems };
}

type Get = (cells: Record<string, unknown>, c: Column) => string | undefined;

/** Option name -> its distinct values in variant order (names come from the first row that has them). */
function optionValues(rows: Record<string, unknown>[], variants: Record<string, unknown>[], get: Get): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of [1, 2, 3] as const) {
    const name = rows.map((r) => get(r, `Option${n} Name`)).find((x) => x !== undefined);
    if (name === undefined || name === 'Title') continue; // "Title: Default Title" is Shopify's "no options"
    const values = [...new Set(variants.map((v) => get(v, `Option${n} Value`)).filter((x): x is string => x !== undefined))];
    if (values.length > 0) out.set(name, values);
  }
  return out;
}

function sellable(v: Record<string, unknown>, get: Get): boolean {
  if (get(v, 'Variant Inventory Tracker') === undefined) return true;
  if (get(v, 'Variant Inventory Policy')?.toLowerCase() === 'continue') return true;
  return Number(get(v, 'Variant Inventory Qty') ?? 0) > 0;
}

/** Image Src rows by Image Position (rows without one keep their order, after), then variant images; no repeats. */
function imagesOf(rows: Record<string, unknown>[], get: Get): string[] {
  const positioned = rows
    .map((r, i) => ({ src: get(r, 'Image Src'), pos: Number(get(r, 'Image Position') ?? NaN), i }))
    .filter((x): x is { src: string; pos: number; i: number } => x.src !== undefined)
    .sort((a, b) => (Number.isNaN(a.pos) ? Infinity : a.pos) - (Number.isNaN(b.pos) ? Infinity : b.pos) || a.i - b.i)
    .map((x) => x.src);
  const variantImages = rows.map((r) => get(r, 'Variant Image')).filter((x): x is string => x !== undefined);
  return [...new Set([...positioned, ...variantImages])];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Body (HTML) as plain text for the description: tags dropped, block ends as spaces, common entities decoded. */
export function htmlToText(html: string | undefined): string | undefined {
  if (html === undefined) return undefined;
  const t = html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1]?.toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/\s+/g, ' ')
    .trim();
  return t || undefined;
}
