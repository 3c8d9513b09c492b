/**
 * A FeedRecord as the ingest service's ProductInput, checked against the very bounds the GraphQL API enforces (the
 * class-validator rules on schema/inputs.ts, which the field table generates), so a feed row is accepted exactly
 * when the same product sent through ingestProduct would be.
 *
 * Every image of the record goes in (`images`, main image first, a URL given twice once), up to the configured
 * PRODUCT_MAX_IMAGES: a feed may name more (Google allows 10 additional images) and the product is still imported,
 * with the first ones and a note. The variant group becomes groupId (absent: the product's own id), the product
 * page link the `link` attribute, and the feed the product came from the `feed_source` attribute (--delete-missing
 * only ever deletes products carrying its own feed's name).
 */
import { validateSync, type ValidationError } from 'class-validator';
import type { ProductInput } from '../catalog/product';
import { AttributeInput, ImageInput, ProductInputType, toProductInput } from '../schema/inputs';
import { problem, type FeedRecord, type RowProblem } from './feed-record';

/** The attribute that records which feed wrote a product. */
export const FEED_SOURCE_ATTRIBUTE = 'feed_source';

export interface InputOptions {
  /** Relative image and link URLs resolve against this (--image-base-url, or the feed's own URL). */
  baseUrl?: string;
  /** Images kept per product (PRODUCT_MAX_IMAGES); default 8. */
  maxImages?: number;
  /** Recorded as attributes.feed_source (--feed-name); absent: nothing is recorded. */
  feedName?: string;
}

/** A product imported with fewer images than its row names (a note in the error report, not a failure). */
export const IMAGES_DROPPED = 'IMAGES_DROPPED';

export interface Converted {
  input?: ProductInput;
  problems: RowProblem[];
  /** Imported, but not quite as the feed says: reported beside the row without failing it. */
  notes?: { code: string; message: string }[];
}

/** What type-graphql passes to class-validator for arguments. */
const VALIDATION = { skipMissingProperties: true, forbidUnknownValues: false };

export function recordToInput(r: FeedRecord, o: InputOptions = {}): Converted {
  const problems: RowProblem[] = [];
  if (r.title === undefined) problems.push(problem('MISSING_VALUE', 'title is empty'));
  const urls: string[] = [];
  if (r.imageUrl === undefined) problems.push(problem('MISSING_VALUE', 'image is empty'));
  for (const [k, u] of [r.imageUrl, ...r.additionalImageUrls].entries()) {
    if (u === undefined) continue;
    const abs = absoluteUrl(u, o.baseUrl);
    if (!abs.ok) problems.push(problem('INVALID_VALUE', `${k === 0 ? 'image' : `image ${k + 1}`} ${abs.message}`));
    else if (!urls.includes(abs.url)) urls.push(abs.url);
  }
  if (problems.length > 0) return { problems };

  const maxImages = o.maxImages ?? 8;
  const notes: Converted['notes'] =
    urls.length > maxImages
      ? [{ code: IMAGES_DROPPED, message: `Imported with the first ${maxImages} of its ${urls.length} images (PRODUCT_MAX_IMAGES)` }]
      : undefined;
  const attributes = { ...r.attributes };
  if (r.link !== undefined) {
    const link = absoluteUrl(r.link, o.baseUrl);
    attributes.link = link.ok ? link.url : r.link;
  }
  if (o.feedName !== undefined) attributes[FEED_SOURCE_ATTRIBUTE] = o.feedName;
  const shape = Object.assign(new ProductInputType(), {
    id: r.id,
    groupId: r.groupId,
    title: r.title,
    description: r.description,
    brand: r.brand,
    category: r.category,
    color: r.color,
    price: r.price,
    currency: r.currency,
    inStock: r.inStock, // absent: the field table's default applies at ingest
    tags: r.tags,
    attributes: Object.entries(attributes).map(([key, value]) => Object.assign(new AttributeInput(), { key, value })),
    version: r.version,
    // imageUrl is left to its fallback, the first image's URL.
    images: urls.slice(0, maxImages).map((url) => Object.assign(new ImageInput(), { url })),
  });
  const errors = validateSync(shape, VALIDATION);
  if (errors.length > 0) return { problems: [problem('INVALID_VALUE', messages(errors).join('; '))] };
  return { input: toProductInput(shape), problems: [], notes };
}

function absoluteUrl(u: string, base: string | undefined): { ok: true; url: string } | { ok: false; message: string } {
  try {
    return { ok: true, url: new URL(u).href };
  } catch {
    if (base === undefined) return { ok: false, message: `URL "${u}" is relative; pass --image-base-url to resolve it` };
    try {
      return { ok: true, url: new URL(u, base).href };
    } catch {
      return { ok: false, message: `URL "${u}" is not valid` };
    }
  }
}

function messages(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => [...Object.values(e.constraints ?? {}), ...messages(e.children ?? [])]);
}
