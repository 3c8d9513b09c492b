import { problem, type RowProblem } from '../feed-record';

/** How feed cells (strings from CSV/XML, any JSON value from JSONL) become field values. */

/** Header and element names compared loosely: "Image Link", "image_link" and "imageLink" are one name. */
export function looseName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A single text value: trimmed, empty is absent; the first of repeated values. */
export function text(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.map(text).find((x) => x !== undefined);
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A list: JSON arrays as they are, repeated cells in order, and each string split on `separator`. */
export function list(v: unknown, separator = ','): string[] {
  const items = Array.isArray(v) ? v : [v];
  return items.flatMap((x) => (typeof x === 'string' ? x.split(separator) : [text(x) ?? ''])).map((s) => s.trim()).filter(Boolean);
}

/**
 * Image URLs from one cell: JSON arrays (of URLs or of `{ url }` objects, as the GraphQL ImageInput), repeated XML
 * elements, and comma-separated text (Google's additional_image_link in TSV). A comma splits only where an absolute
 * URL follows, because image CDNs put commas inside URLs (Cloudinary's `w_300,h_200`); a list of relative URLs,
 * which has no such marker, splits at every comma.
 */
export function urlList(v: unknown): string[] {
  const items = Array.isArray(v) ? v : [v];
  return items
    .flatMap((x): string[] => {
      if (x !== null && typeof x === 'object' && !Array.isArray(x)) return [text((x as { url?: unknown }).url) ?? ''];
      const t = text(x);
      if (t === undefined) return [];
      return /(^|,)\s*(https?:)?\/\//i.test(t) ? t.split(/,(?=\s*(?:https?:)?\/\/)/i) : t.split(',');
    })
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A JSON object of string values (JSONL `attributes`); anything else contributes nothing. */
export function stringRecord(v: unknown): Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    const t = text(x);
    if (t !== undefined) out[k] = t;
  }
  return out;
}

/**
 * Availability to inStock. Google's values (in_stock, out_of_stock, preorder, backorder, and the older "in stock" /
 * "available for order"), schema.org's (InStock, OutOfStock, …) and plain booleans. inStock means "can ship now":
 * preorder and backorder are false.
 */
const AVAILABILITY: Record<string, boolean> = {
  instock: true,
  availablefororder: true,
  available: true,
  limitedavailability: true,
  onlineonly: true,
  true: true,
  yes: true,
  '1': true,
  outofstock: false,
  soldout: false,
  preorder: false,
  backorder: false,
  discontinued: false,
  false: false,
  no: false,
  '0': false,
};

export function availability(v: unknown): { ok: true; inStock?: boolean } | { ok: false; problem: RowProblem } {
  if (typeof v === 'boolean') return { ok: true, inStock: v };
  const t = text(v);
  if (t === undefined) return { ok: true };
  const key = looseName(t.replace(/^https?:\/\/schema\.org\//i, ''));
  const inStock = AVAILABILITY[key];
  if (inStock === undefined) {
    return { ok: false, problem: problem('INVALID_AVAILABILITY', `availability "${t}" is not one of in_stock, out_of_stock, preorder, backorder`) };
  }
  return { ok: true, inStock };
}

/**
 * A category from a taxonomy path: the last segment of "Home & Garden > Kitchen > Mugs". A bare Google category id
 * ("2169") names nothing we can show, so it gives no category (it is kept as an attribute by the merchant mapper).
 */
export function categoryOf(v: unknown): string | undefined {
  const t = text(v);
  if (t === undefined || /^\d+$/.test(t)) return undefined;
  return t.split('>').map((s) => s.trim()).filter(Boolean).at(-1);
}

/** A whole, non-negative number from a number or a numeric string. */
export function wholeNumber(v: unknown): { ok: true; value?: number } | { ok: false; problem: RowProblem } {
  const t = text(v);
  if (t === undefined) return { ok: true };
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
    return { ok: false, problem: problem('INVALID_VALUE', `version "${t}" is not a whole number`) };
  }
  return { ok: true, value: Number(t) };
}
