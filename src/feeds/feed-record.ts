/**
 * What every feed format is mapped into before it becomes a ProductInput: the catalog fields we store today plus
 * what the feed says that the product model does not hold yet (extra images, the variant group, the product page).
 */
export interface FeedRecord {
  id: string;
  title?: string;
  description?: string;
  brand?: string;
  category?: string;
  color?: string;
  price?: number;
  currency?: string;
  inStock?: boolean;
  tags: string[];
  attributes: Record<string, string>;
  /** The main image: the one embedded. */
  imageUrl?: string;
  /** Further images in feed order (additional_image_link, Shopify's extra image rows). */
  additionalImageUrls: string[];
  /** The parent product / style the record is a variant of (item_group_id). */
  groupId?: string;
  /** The product page (link). */
  link?: string;
  version?: number;
}

/** Why one row of a feed was not imported. Codes are stable: the error report and scripts key on them. */
export const ROW_PROBLEM_CODES = [
  'MALFORMED_ROW', // the parser could not read the row (unbalanced quotes, wrong column count, broken XML, bad JSON)
  'MISSING_VALUE', // a required field (id, title, image) is empty
  'INVALID_VALUE', // a value breaks the product input's bounds (id characters, lengths, a non-numeric number, a bad URL)
  'INVALID_PRICE', // not "12.50 USD" (decimal comma, thousands separator, no number)
  'UNKNOWN_CURRENCY', // not an ISO 4217 code
  'INVALID_AVAILABILITY', // not one of the known availability values
  'DUPLICATE_ID', // an earlier row of this feed has the same id; the first one wins
] as const;
export type RowProblemCode = (typeof ROW_PROBLEM_CODES)[number];

export interface RowProblem {
  code: RowProblemCode;
  message: string;
}

/** One row (or one Shopify product, which spans rows) as the reader hands it on: a record or its problems. */
export interface FeedRow {
  /** 1-based position of the item in the feed (header excluded). */
  row: number;
  /** 1-based line of the file where the item starts, when the format has lines. */
  line?: number;
  /** As far as it could be read; absent when even that failed. */
  id?: string;
  record?: FeedRecord;
  problems: RowProblem[];
}

export function problem(code: RowProblemCode, message: string): RowProblem {
  return { code, message };
}
