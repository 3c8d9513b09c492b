import { createHash } from 'node:crypto';
import type { Product } from '../catalog/product';
import { FIELD_NAMES, PRODUCT_FIELDS } from '../catalog/product-fields';

/** The fields a client sets: what the server writes itself (updatedAt, predictions) is derived, not content. */
const CONTENT_FIELDS = FIELD_NAMES.filter((name) => PRODUCT_FIELDS[name].input !== false);

/**
 * Everything that defines the stored state: the client's fields, the images (in order: reordering them is a change), the model and the label file that
 * tagged it (a new label file makes a replay re-tag). normaliseProduct() builds the object with a fixed key order and
 * sorted lists, so plain JSON is canonical.
 */
export function hashContent(p: Product, imageShas: readonly string[], modelId: string, tagsVersion: string | undefined): string {
  const canonical = contentJson(p);
  return createHash('sha256').update(Buffer.from(`${canonical}\n${imageShas.join(',')}\n${modelId}${tagsVersion === undefined ? '' : `\n${tagsVersion}`}`)).digest('hex');
}


/** The client-set fields of a product as canonical JSON (equal JSON: the same catalog content). */
export function contentJson(p: Product): string {
  return JSON.stringify(Object.fromEntries(CONTENT_FIELDS.map((name) => [name, p[name]])));
}
