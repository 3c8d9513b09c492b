/**
 * A FeedRecord as the ingest service's ProductInput, checked against the very bounds the GraphQL API enforces (the
 * class-validator rules on schema/inputs.ts, which the field table generates), so a feed row is accepted exactly
 * when the same product sent through ingestProduct would be.
 *
 * Until the product model holds several images and a group id, the first image is the one stored and embedded; the
 * record keeps the rest. The product page link is kept as the `link` attribute.
 */
import { validateSync, type ValidationError } from 'class-validator';
import type { ProductInput } from '../catalog/product';
import { AttributeInput, ImageInput, ProductInputType, toProductInput } from '../schema/inputs';
import { problem, type FeedRecord, type RowProblem } from './feed-record';

export interface InputOptions {
  /** Relative image and link URLs resolve against this (--image-base-url, or the feed's own URL). */
  baseUrl?: string;
}

/** What type-graphql passes to class-validator for arguments. */
const VALIDATION = { skipMissingProperties: true, forbidUnknownValues: false };

export function recordToInput(r: FeedRecord, o: InputOptions = {}): { input?: ProductInput; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  if (r.title === undefined) problems.push(problem('MISSING_VALUE', 'title is empty'));
  let imageUrl: string | undefined;
  if (r.imageUrl === undefined) problems.push(problem('MISSING_VALUE', 'image is empty'));
  else {
    const abs = absoluteUrl(r.imageUrl, o.baseUrl);
    if (abs.ok) imageUrl = abs.url;
    else problems.push(problem('INVALID_VALUE', `image ${abs.message}`));
  }
  if (problems.length > 0) return { problems };

  const attributes = { ...r.attributes };
  if (r.link !== undefined) {
    const link = absoluteUrl(r.link, o.baseUrl);
    attributes.link = link.ok ? link.url : r.link;
  }
  const shape = Object.assign(new ProductInputType(), {
    id: r.id,
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
    imageUrl,
    version: r.version,
    image: Object.assign(new ImageInput(), { url: imageUrl }),
  });
  const errors = validateSync(shape, VALIDATION);
  if (errors.length > 0) return { problems: [problem('INVALID_VALUE', messages(errors).join('; '))] };
  return { input: toProductInput(shape), problems: [] };
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
