/**
 * CSV, JSONL and Google Merchant Center items (one item = one product) to FeedRecords, under a profile of default
 * column names and the user's --map. Every problem of a row is reported, not only the first.
 */
import { ColumnLookup, type ColumnMap, type FieldTarget, type Profile } from '../column-map';
import { problem, type FeedRecord, type FeedRow, type RowProblem } from '../feed-record';
import { parseCurrency, parsePrice } from '../price';
import type { RawItem } from '../formats/raw-item';
import { availability, categoryOf, list, looseName, stringRecord, text, urlList, wholeNumber } from './values';

export interface MapOptions {
  profile: Profile;
  map: ColumnMap;
  /** For prices that carry no currency (and feeds without a currency column). */
  defaultCurrency?: string;
}

export async function* mapItems(items: AsyncIterable<RawItem>, o: MapOptions): AsyncGenerator<FeedRow> {
  let lookup: { keys: string; value: ColumnLookup } | undefined;
  for await (const item of items) {
    if (!item.ok) {
      yield { row: item.row, line: item.line, problems: [problem('MALFORMED_ROW', item.message)] };
      continue;
    }
    // CSV rows share their header, so the lookup is built once; JSONL objects may differ row by row.
    const keys = Object.keys(item.cells).join('\u0000');
    if (lookup?.keys !== keys) lookup = { keys, value: new ColumnLookup(Object.keys(item.cells)) };
    yield { row: item.row, line: item.line, ...mapCells(item.cells, lookup.value, o) };
  }
}

/** One item's cells to a record, or the reasons it cannot be one. */
export function mapCells(
  cells: Record<string, unknown>,
  lookup: ColumnLookup,
  o: MapOptions,
): { id?: string; record?: FeedRecord; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const first = (target: FieldTarget): unknown => {
    for (const c of lookup.candidates(target, o.profile, o.map)) {
      if (text(cells[c]) !== undefined || typeof cells[c] === 'object') return cells[c];
    }
    return undefined;
  };
  const id = text(first('id'));
  if (id === undefined) problems.push(problem('MISSING_VALUE', 'id is empty'));

  const attributes: Record<string, string> = {};
  Object.assign(attributes, stringRecord(first('attributes')));
  for (const c of o.profile.attributeColumns) {
    const col = lookup.find(c);
    const t = col === undefined ? undefined : text(cells[col]);
    if (t !== undefined) attributes[looseColumnName(col!)] = t;
  }
  for (const [name, column] of o.map.attributes) {
    const col = lookup.find(column);
    const t = col === undefined ? undefined : text(cells[col]);
    if (t !== undefined) attributes[name] = t;
  }

  const tags = [...list(first('tags')), ...o.profile.tagColumns.flatMap((c) => list(cells[lookup.find(c) ?? '']))];
  const price = priceOf(first('price'), first('currency'), o.defaultCurrency);
  if (price.problem) problems.push(price.problem);
  else if (price.price !== undefined && price.currency === undefined && o.profile.priceNeedsCurrency) {
    problems.push(problem('INVALID_PRICE', `price "${text(first('price'))}" names no currency; write e.g. "12.50 USD" or pass --currency`));
  }
  const stock = availability(first('availability'));
  if (!stock.ok) problems.push(stock.problem);
  const version = wholeNumber(first('version'));
  if (!version.ok) problems.push(version.problem);

  // The main image, then a full list, then the extra ones; a URL given twice is one image.
  const images = [...new Set([...urlList(first('image')), ...urlList(first('images')), ...urlList(first('additional_images'))])];
  const category = lookup
    .candidates('category', o.profile, o.map)
    .map((c) => categoryOf(cells[c]))
    .find((c) => c !== undefined);

  if (id === undefined || problems.length > 0) return { id, problems };
  const record: FeedRecord = {
    id,
    title: text(first('title')),
    description: text(first('description')),
    brand: text(first('brand')),
    category,
    color: text(first('color')),
    price: price.price,
    currency: price.currency,
    inStock: stock.ok ? stock.inStock : undefined,
    tags,
    attributes,
    imageUrl: images[0],
    additionalImageUrls: images.slice(1),
    groupId: text(first('group_id')),
    link: text(first('link')),
    version: version.ok ? version.value : undefined,
  };
  return { id, record, problems };
}

function priceOf(
  price: unknown,
  currencyCell: unknown,
  defaultCurrency: string | undefined,
): { price?: number; currency?: string; problem?: RowProblem } {
  const currency = parseCurrency(text(currencyCell) ?? defaultCurrency);
  if (currency !== undefined && !currency.ok) return { problem: currency.problem };
  if (typeof price === 'number') {
    if (!Number.isFinite(price) || price < 0) return { problem: problem('INVALID_PRICE', `price ${price} is not an amount`) };
    return { price, currency: currency?.currency };
  }
  const t = text(price);
  if (t === undefined) return { currency: currency?.currency };
  const parsed = parsePrice(t, currency?.currency);
  return parsed.ok ? { price: parsed.price, currency: parsed.currency } : { problem: parsed.problem };
}

/** Attribute keys from Google column names: "product type" / "product_type" -> "product_type". */
function looseColumnName(column: string): string {
  return column.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || looseName(column);
}
